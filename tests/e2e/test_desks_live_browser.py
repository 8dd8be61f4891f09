"""The desks follow processing and other people's work without reloads (issue 20: one live
mechanism for all desks, archive.web.live), in headless Chromium.

The clerk's 待办 (the work queue's cases still at intake) says how far each case's documents are
read, and changes as they are; the reviewer's queue gains the case a clerk sends on, and the
dashboard's counts follow — each page the same document all along. Screenshots (1366 and 390 px,
zh and en) go to $ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from archive.queue import enqueue_processing
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
MARK = "() => { window.notReloaded = true; }"
# A desk with nothing being read asks every archive.web.live.IDLE_MS (10 s): wait a few rounds
# (the shared test machine may be slow).
IDLE_WAIT = 45000


def screenshots(page, url: str, folder, name: str) -> None:
    for lang in ("zh_CN", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{url}?lang={lang}")
            page.screenshot(path=str(folder / f"{name}-{lang}-{size}.png"), full_page=True)


def test_the_clerks_to_do_rows_follow_the_reading_of_documents(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="石磊", claim_type="outpatient")
    first = factories.upload(runtime, clerk, case_no, factories.outpatient_invoice_pdf(3, "石磊"),
                             filename="门诊发票.pdf", kind="invoice", process=False)

    page = sign_in(browser, base, "u_intake_clerk")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/queue")
    page.evaluate(MARK)
    row = page.locator(f'#at-intake tr[data-case="{case_no}"]')
    expect(row.locator(".status-processing")).to_have_text("1 份识别中")
    expect(row.locator(".status-processed")).to_have_count(0)

    enqueue_processing(runtime, [first.document_id])  # read by the in-process job thread
    expect(row.locator(".status-processed")).to_have_text("1 份已识别", timeout=30000)
    expect(row.locator(".status-processing")).to_have_count(0)
    # Nothing is being read now: the queue asks only at its idle pace.
    expect(page.locator('[data-live="queue"]')).not_to_have_attribute("data-pending", "")

    # A second document, uploaded and read while the page stays open.
    factories.upload(runtime, clerk, case_no, factories.outpatient_invoice_pdf(4, "石磊"),
                     filename="第二张发票.pdf", kind="invoice")
    expect(row.locator(".status-processed")).to_have_text("2 份已识别", timeout=IDLE_WAIT + 30000)
    assert page.evaluate("window.notReloaded") is True
    screenshots(page, f"{base}/queue", shots, "desk-live-intake-queue")


def test_the_reviewers_queue_and_dashboard_gain_a_case_sent_on(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker")}
    reviewer = sign_in(browser, base, "u_reviewer")  # lands on the dashboard
    reviewer.evaluate(MARK)
    expect(reviewer.locator('#deadlines [data-count="waiting"] strong')).to_have_text("0")
    queue = reviewer.context.new_page()
    queue.goto(f"{base}/queue")
    queue.evaluate(MARK)
    expect(queue.locator(".empty")).to_be_visible()

    # Sent on before its invoice is read (an outpatient claim may be): the queue's change is
    # the sign-off's, not the reading's.
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="田甜",
                                  claim_type="outpatient")
    factories.upload(runtime, users["intake_clerk"], case_no, factories.outpatient_invoice_pdf(5, "田甜"),
                     filename="门诊发票.pdf", kind="invoice", process=False)
    factories.send_for_sign_off(runtime, users["intake_clerk"], case_no)
    factories.walk(runtime, desk, case_no, until="initial_review")
    assert factories.active_step(runtime, case_no)[2] == "reviewer"

    expect(queue.locator("#queue tbody tr", has_text=case_no)).to_be_visible(timeout=IDLE_WAIT)
    expect(queue.locator(".empty")).to_have_count(0)
    reviewer.bring_to_front()  # a hidden tab does not ask
    expect(reviewer.locator('#deadlines [data-count="waiting"] strong')).to_have_text("1",
                                                                                     timeout=IDLE_WAIT)
    assert reviewer.evaluate("window.notReloaded") is True
    assert queue.evaluate("window.notReloaded") is True
    screenshots(queue, f"{base}/queue", shots, "desk-live-review-queue")
    screenshots(reviewer, f"{base}/dashboard", shots, "desk-live-dashboard")
