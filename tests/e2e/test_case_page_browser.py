"""The case page and the language switch in headless Chromium (issue 20, points 3 and 13).

A five-day 一日清单 shows its days and items as folded tables in their own scrolling box — never
as raw data — at desktop and phone widths; switching language keeps the page's query. Screenshots
go to $ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory.
"""

from __future__ import annotations

import random
import time

import pytest
from playwright.sync_api import expect

from archive.demo import documents as gen
from archive.models import Document
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def processed_case(runtime, users) -> str:
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="石磊")
    statement = gen.daily_statement(random.Random(5), patient="石磊", days=5).content
    wait_processed(runtime, factories.upload(runtime, clerk, case_no, statement, "一日清单.pdf",
                                             kind="daily_statement").document_id)
    return case_no


def wait_processed(runtime, document_id: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with runtime.sessions() as session:
            if session.get_one(Document, document_id).status == "processed":
                return
        time.sleep(0.2)
    pytest.fail("the statement was not read within a minute")


def test_a_statements_days_and_items_are_tables_not_raw_data(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    case_no = processed_case(runtime, users)
    page = sign_in(browser, base, "u_reviewer")
    for lang in ("zh_CN", "en"):
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/cases/{case_no}?lang={lang}")
            reading = page.locator("tr.reading").first
            expect(reading.locator("details.items").first).to_be_visible()
            text = reading.inner_text()
            assert "{'" not in text and "[{" not in text, text[:400]
            if lang == "zh_CN":
                expect(reading).to_contain_text("逐日清单")
            days = reading.locator("[data-field=days] > details.items")
            expect(days.locator(":scope > summary")).to_contain_text("5")
            days.locator(":scope > summary").click()
            expect(days.locator("table.items").first.locator(":scope > tbody > tr")).to_have_count(5)
            # Wide tables scroll in their own box: the page itself never scrolls sideways.
            if name == "desktop":
                assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(shots / f"case-statement-{lang}-{name}.png"), full_page=True)


def test_switching_language_keeps_the_search(live, browser):  # noqa: F811
    base, runtime, users = live
    page = sign_in(browser, base, "u_archivist")
    page.goto(f"{base}/search?q=石磊&sort=newest")
    page.click("a.lang:has-text('English')")
    expect(page).to_have_url(f"{base}/search?q=%E7%9F%B3%E7%A3%8A&sort=newest&lang=en")
    expect(page.locator("input[name=q]")).to_have_value("石磊")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_refused_field_correction_keeps_what_was_typed_beside_the_field(live, browser, shots):  # noqa: F811
    """Issue 20, point 6: not a bare 422 page; the viewer again, the value and reason as typed,
    the reason for the refusal beside the field."""
    base, runtime, users = live
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="石磊")
    upload = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=3), kind="invoice")
    wait_processed(runtime, upload.document_id)
    page = sign_in(browser, base, "u_intake_clerk")
    page.goto(f"{base}/documents/{upload.document_id}")
    field = page.locator("#field-total_amount")
    field.locator("details.correct > summary").click()
    field.locator("input[name=value]").fill("12.3.4")
    field.locator("input[name=reason]").fill("与原件核对")
    field.locator("button[type=submit]").click()

    field = page.locator("#field-total_amount")
    expect(field.locator(".field-error")).to_be_visible()
    expect(field.locator(".field-error")).to_contain_text("12.3.4")
    expect(field.locator("input[name=value]")).to_have_value("12.3.4")
    expect(field.locator("input[name=reason]")).to_have_value("与原件核对")
    expect(page.locator("#page-img")).to_be_visible()  # still the viewer, not an error page
    page.screenshot(path=str(shots / "viewer-refused-correction-zh_CN-desktop.png"), full_page=True)
