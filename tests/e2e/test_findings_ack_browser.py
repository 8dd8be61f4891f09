"""An ERROR finding stops the sign-off until the signer lets it through with a reason, in headless
Chromium (issue 20, point 11): a typed hospital the invoice does not name is an ERROR; approving
is refused with the finding named and nothing signed; after the reason is given on the page the
approval goes through, the finding shows who let it through and why, and so does the case's
history. Screenshots
go to $ARCHIVE_SCREENSHOTS if set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_case_hospital import TREATED, TYPED, invoice
from tests.e2e.test_case_page_browser import wait_processed
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

REASON = "窗口录入错误，以票据为准"


def approve(page) -> None:
    page.fill("#opinion", "材料齐全")
    page.click(".decision-approve")
    expect(page.locator("#confirm-decision")).to_be_visible()
    page.click("#confirm-yes")


def test_an_error_finding_is_let_through_with_a_reason_before_approving(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    checker = factories.make_user(runtime, "intake_clerk", "u_checker")
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="张伟", claim_type="outpatient",
                                  hospital=TYPED)
    wait_processed(runtime, factories.upload(runtime, clerk, case_no, invoice(TREATED), "invoice.pdf",
                                             kind="invoice").document_id)
    factories.send_for_sign_off(runtime, clerk, case_no)
    step = factories.active_step(runtime, case_no)[1]
    assert step == "completeness"  # signed by a second clerk (factories.SECOND_SIGNER)

    page = sign_in(browser, base, checker.username)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/cases/{case_no}")
    finding = page.locator('.finding.error[data-code="hospital_mismatch"]')
    expect(finding).to_contain_text(TYPED)
    approve(page)
    refusal = page.locator("#decision-error")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("hospital_mismatch")
    expect(page.locator("#opinion")).to_have_value("材料齐全")  # what was typed is kept
    assert factories.active_step(runtime, case_no)[1] == step  # nothing signed
    page.screenshot(path=str(shots / "finding-blocks-approval-1366.png"), full_page=True)

    resolve = page.locator("form.resolve-finding", has=page.locator('input[value="hospital_mismatch"]'))
    resolve.locator("input[name=reason]").fill(REASON)
    resolve.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_contain_text("hospital_mismatch")
    expect(finding).to_contain_text(REASON)
    expect(page.locator("form.resolve-finding")).to_have_count(0)

    approve(page)
    expect(page.locator(".flash.success")).to_contain_text(case_no)
    assert factories.active_step(runtime, case_no)[1] != step
    page.screenshot(path=str(shots / "finding-resolved-1366.png"), full_page=True)

    # The case's history (drawn for those who may read the audit trail) names who let it through and why.
    auditor = sign_in(browser, base, "u_auditor")
    auditor.goto(f"{base}/cases/{case_no}")
    row = auditor.locator("table.history tbody tr", has_text="说明理由后放行疑点")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(checker.display_name)
    expect(auditor.locator('.finding.error[data-code="hospital_mismatch"]')).to_contain_text(REASON)
    auditor.screenshot(path=str(shots / "finding-resolved-history-1366.png"), full_page=True)
