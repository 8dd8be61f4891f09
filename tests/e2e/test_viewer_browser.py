"""The document viewer in headless Chromium: a field's words outlined on the page at any zoom and
turn, a field on another page opened there, and an inline correction with the checks run again."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from archive.demo import documents as gen
from archive.models import Document
from tests import factories
from tests.e2e.test_browser import page  # noqa: F401 - the Chromium page fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_rt):
    runtime = make_rt()  # jobs inline: a document is read before its upload returns
    users = factories.users_for_all_roles(runtime)
    with factories.serving(runtime) as base:
        yield base, runtime, users


def sign_in(page, base, path, role="reviewer"):  # noqa: F811
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", f"u_{role}")
    page.fill("input[name=password]", f"pw-{role}")
    page.click("button[type=submit]")
    # The page image is drawn on the server at first request; the viewer lays it out once loaded.
    expect(page.locator("#stage.sized")).to_have_count(1, timeout=15000)


def source_of(runtime, document_id, field):
    with runtime.sessions() as session:
        return session.get_one(Document, document_id).field_sources[field]


def mark_on_image(page):  # noqa: F811
    """The outline's centre as fractions of the page image's box on screen."""
    return page.evaluate("""() => {
        const m = document.querySelector('#marks .mark').getBoundingClientRect();
        const i = document.getElementById('page-img').getBoundingClientRect();
        return [(m.left + m.width / 2 - i.left) / i.width, (m.top + m.height / 2 - i.top) / i.height,
                i.width, i.height];
    }""")


def test_a_field_is_outlined_where_it_was_read_at_any_zoom_and_turn(live, page):  # noqa: F811
    base, runtime, users = live
    invoice = gen.invoice(random.Random(7))
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name=invoice.truth["payer_name"])
    document_id = factories.upload(runtime, users["intake_clerk"], case_no, invoice.content,
                                   kind="invoice").document_id
    left, top, right, bottom = source_of(runtime, document_id, "invoice_number")["boxes"][0]
    centre = ((left + right) / 2, (top + bottom) / 2)
    sign_in(page, base, f"/documents/{document_id}")
    expect(page.locator("#page-tools")).to_be_visible()

    page.hover("#field-invoice_number")
    expect(page.locator("#marks .mark")).to_have_count(1)
    x, y, width, height = mark_on_image(page)
    assert (x, y) == pytest.approx(centre, abs=0.005)

    page.keyboard.press("+")
    x, y, zoomed_width, _ = mark_on_image(page)
    assert zoomed_width == pytest.approx(width * 1.25, rel=0.01)
    assert (x, y) == pytest.approx(centre, abs=0.005)
    expect(page.locator("#zoom-level")).to_have_text("125%")

    # t turns (r is "return" on the case page): what was at (x, y) is now at (1 - y, x)
    page.keyboard.press("t")
    x, y, turned_width, turned_height = mark_on_image(page)
    assert (turned_width, turned_height) == pytest.approx((height * 1.25, zoomed_width), rel=0.01)
    assert (x, y) == pytest.approx((1 - centre[1], centre[0]), abs=0.005)
    # The frame scrolls over the whole turned page: nothing of it lies above or left of the frame.
    assert page.evaluate("""() => {
        const f = document.getElementById('frame').getBoundingClientRect();
        const i = document.getElementById('page-img').getBoundingClientRect();
        return i.left >= f.left - 1 && i.top >= f.top - 1; }""")

    page.keyboard.press("0")  # fit: the turned page as wide as the frame
    frame_width = page.evaluate("document.getElementById('frame').clientWidth")
    assert mark_on_image(page)[2] == pytest.approx(frame_width, rel=0.02)


def test_a_field_read_on_another_page_opens_that_page_outlined(live, page):  # noqa: F811
    base, runtime, users = live
    referral = gen.referral(random.Random(5))
    content = gen._pdf([["封面 转诊材料 共两页 请按顺序装订归档"], referral.lines], "转诊转院审批表")
    case_no = factories.make_case(runtime, users["intake_clerk"], claim_type="referral")
    document_id = factories.upload(runtime, users["intake_clerk"], case_no, content, "转诊.pdf",
                                   kind="referral").document_id
    sign_in(page, base, f"/documents/{document_id}?page=1")
    page.click("#field-id_number a.where")
    expect(page).to_have_url(f"{base}/documents/{document_id}?page=2#field-id_number")
    expect(page.locator("#marks .mark")).to_have_count(1)
    expect(page.locator("#field-id_number")).to_have_class("field active")


def test_inline_correction_shows_the_new_value_and_findings_and_runs_nothing_typed(live, page):  # noqa: F811
    base, runtime, users = live
    invoice = gen.invoice(random.Random(7))
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name=invoice.truth["payer_name"],
                                  claim_type="outpatient")
    document_id = factories.upload(runtime, users["intake_clerk"], case_no, invoice.content,
                                   kind="invoice").document_id
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base, f"/documents/{document_id}")
    expect(page.locator("#findings")).not_to_contain_text("大写金额")

    field = page.locator("#field-total_amount")
    field.locator("summary").click()
    field.locator("input[name=value]").fill("1.00")
    field.locator("input[name=reason]").fill("<script>alert('typed')</script><img src=x onerror=alert(2)>")
    field.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{base}/documents/{document_id}?page=1#field-total_amount")
    expect(page.locator("p.flash")).to_contain_text("已更正")
    expect(field.locator(".value")).to_have_text("¥1.00")
    expect(field.locator(".correction")).to_contain_text(f"机器识别：{invoice.truth['total_amount']}")
    expect(field.locator(".correction")).to_contain_text("<script>alert('typed')</script>")
    expect(page.locator("#findings")).to_contain_text("大写金额")  # the checks ran again
    assert dialogs == []
    assert page.locator("#fields script, #fields img").count() == 0
