"""The case list, a new case and a returned case in headless Chromium (issue 20, points 7, 10,
12, 14), at 1366 and 390 px in Chinese and English. Screenshots go to $ARCHIVE_SCREENSHOTS if
set, else to the test's temporary directory."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
RED = "rgb(138, 28, 18)"  # the desk's error colour (#8a1c12)


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_filter_save_a_view_and_open_it_from_the_dashboard(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    clerk = users["intake_clerk"]
    made = (("甲", "城关镇", "1200"), ("乙", "城关镇", "300"), ("丙", "南山乡", "5000"))
    for name, township, amount in made:
        factories.make_case(runtime, clerk, claimant_name=name, township=township, amount=amount)
    page = sign_in(browser, base, "u_reviewer")
    page.goto(f"{base}/cases")
    page.fill("#case-filters input[name=township]", "城关镇")
    page.fill("#case-filters input[name=amount_min]", "￥５００元")
    page.select_option("#case-filters select[name=sort]", "amount_desc")
    page.click("#case-filters button[type=submit]")
    expect(page.locator("#case-list tbody tr")).to_have_count(1)
    expect(page.locator("#case-list tbody tr").first).to_contain_text("甲")
    expect(page.locator('#status-tabs a[data-tab="intake"] .count')).to_have_text("1")
    page.fill("#save-view input[name=name]", "城关镇大额")
    page.click("#save-view button[type=submit]")
    expect(page.locator(".flash.success")).to_be_visible()
    page.goto(f"{base}/dashboard")
    page.click("#saved-views a:text('城关镇大额')")
    expect(page.locator("#case-list tbody tr")).to_have_count(1)
    expect(page.locator("#case-filters input[name=township]")).to_have_value("城关镇")
    # A bad date is said beside its field; the list still answers.
    page.fill("#case-filters input[name=opened_from]", "2026-13-40")
    page.click("#case-filters button[type=submit]")
    expect(page.locator("#opened_from-error")).to_be_visible()
    for lang in ("zh_CN", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/cases?township=城关镇&opened_from=2026-13-40&lang={lang}")
            expect(page.locator("#opened_from-error")).to_be_visible()
            no_sideways_scroll(page, width)
            page.screenshot(path=str(shots / f"cases-list-{lang}-{size}.png"), full_page=True)
            page.goto(f"{base}/dashboard?lang={lang}")
            expect(page.locator("#saved-views")).to_be_visible()
            page.screenshot(path=str(shots / f"dashboard-views-{lang}-{size}.png"), full_page=True)


def test_a_new_case_greets_with_a_to_do_list_and_the_upload_form(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    page = sign_in(browser, base, "u_intake_clerk")
    page.goto(f"{base}/cases/new")
    page.fill("input[name=claimant_name]", "石磊")
    page.select_option("select[name=claim_type]", "inpatient")
    page.fill("input[name=amount]", "abc")
    page.click("main button[type=submit]")
    expect(page.locator("#amount-error")).to_be_visible()  # beside the field, the value kept
    expect(page.locator("input[name=amount]")).to_have_value("abc")
    page.fill("input[name=amount]", "￥3,000元")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("AJ-")
    case_no = page.locator("h1").inner_text().split()[-1]
    for lang in ("zh_CN", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/cases/{case_no}?lang={lang}")
            expect(page.locator("#checklist li").first).to_have_class("check-todo")
            # Nothing red before anything was uploaded.
            reds = page.evaluate("""(red) => [...document.querySelectorAll('main *')].filter(
                e => e.offsetParent !== null && e.children.length === 0 && e.textContent.trim()
                && getComputedStyle(e).color === red).map(e => e.textContent.trim())""", RED)
            assert reds == [], reds
            # The upload form starts within the first screen on a desktop.
            top = page.locator("#add-documents").bounding_box()["y"]
            if size == "desktop":
                assert top < height, top
            page.screenshot(path=str(shots / f"new-case-{lang}-{size}.png"), full_page=True)
    page.goto(f"{base}/queue?lang=zh_CN")
    expect(page.locator("#at-intake")).to_contain_text(case_no)


def test_a_returned_case_shows_what_was_asked_and_who_asked(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    checker = factories.make_user(runtime, "intake_clerk", "u_checker")
    desk = {**users, "checker": checker}
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="300",
                                    documents=("invoice",))
    page = sign_in(browser, base, "u_checker")
    page.goto(f"{base}/cases/{case_no}")
    page.fill("#decision textarea[name=opinion]", "缺转诊单")
    page.check('#missing-kinds input[value="referral"]')
    page.click("#decision .decision-return")
    page.click("#confirm-yes")
    expect(page.locator(".flash.success")).to_contain_text(case_no)
    clerk = sign_in(browser, base, "u_intake_clerk")
    clerk.goto(f"{base}/cases/{case_no}")
    clerk.click("#submit-case button")
    expect(clerk.locator("main")).to_contain_text("尚未上传或更正")
    for lang in ("zh_CN", "en"):
        for size, (width, height) in SIZES.items():
            clerk.set_viewport_size({"width": width, "height": height})
            clerk.goto(f"{base}/cases/{case_no}?lang={lang}")
            note = clerk.locator("#return-note")
            expect(note).to_contain_text("User u_checker")
            expect(note.locator('li[data-item="doc:referral"]')).to_have_class("check-missing")
            expect(clerk.locator("tr.step-returned")).to_contain_text("缺转诊单")
            clerk.screenshot(path=str(shots / f"returned-case-{lang}-{size}.png"), full_page=True)
