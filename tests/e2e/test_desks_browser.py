"""The desks in headless Chromium, one browser context per person (issue 7's scenario).

A clerk opens a case and uploads an invoice, daily statements and a referral while the intake
checklist ticks itself; a second clerk checks it; the reviewer returns it for correction; it comes
back and the chain's reviewers sign in turn, each decision confirmed in a dialog. Then an
archivist finds a case by a two-character name and by its invoice number, and an auditor sees who
viewed it, exports the case file (the downloaded bag validates), checks the audit trail, and
switches the desk to English. Screenshots of each desk go to $ARCHIVE_SCREENSHOTS if set, else
to the test's temporary directory.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from archive.case_export import verify_bag
from archive.demo import documents as gen
from tests import factories
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, live  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ARCHIVE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(browser, base: str, username: str):
    """A new browser context (its own cookies) signed in as `username`."""
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username.removeprefix('u_')}")
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard")
    return page


def upload(page, path: Path, kind: str) -> None:
    page.select_option("#upload select[name=kind]", kind)
    page.set_input_files("#upload input[type=file]", str(path))
    page.click("#upload button[type=submit]")
    expect(page.locator("#documents tbody tr[data-id]", has_text=path.name)).to_be_visible(timeout=15000)


def decide(page, base: str, case_no: str, key: str, opinion: str, missing: str | None = None) -> None:
    """Open the case, write the opinion, press the decision's key and confirm in the dialog."""
    page.goto(f"{base}/cases/{case_no}")
    page.fill("#decision textarea[name=opinion]", opinion)
    if missing:
        page.fill("#decision textarea[name=missing]", missing)
    page.locator("h1").click()  # the keys act outside text fields
    page.keyboard.press(key)
    expect(page.locator("#confirm-decision")).to_be_visible()
    expect(page.locator("#confirm-decision .confirm-text")).to_contain_text(case_no)
    page.click("#confirm-yes")
    expect(page.locator(".flash.success")).to_contain_text(case_no)


def test_intake_sign_off_return_and_back(live, browser, shots, tmp_path):  # noqa: F811
    base, runtime, users = live
    factories.make_user(runtime, "intake_clerk", "u_checker")
    rng = random.Random(71)
    files, bill = {}, gen.invoice(rng, patient="石磊")
    for kind, made in (("invoice", bill),
                       ("daily_statement", gen.daily_statement(rng, patient="石磊", days=2)),
                       ("referral", gen.referral(rng, patient="石磊")),
                       ("other", gen.invoice(rng, patient="石磊"))):
        files[kind] = tmp_path / (f"身份证复印件-{made.filename}" if kind == "other" else made.filename)
        files[kind].write_bytes(made.content)

    clerk = sign_in(browser, base, "u_intake_clerk")
    clerk.goto(f"{base}/cases/new")
    clerk.fill("input[name=claimant_name]", "石磊")
    clerk.select_option("select[name=claim_type]", "inpatient")
    clerk.select_option("select[name=filed_by]", "insured")  # 外报: the insured paid and claims
    clerk.fill("input[name=amount]", bill.truth["total_amount"])  # as the bill says
    clerk.click("main button[type=submit]")
    expect(clerk.locator("h1")).to_contain_text("AJ-")
    case_no = clerk.locator("h1").inner_text().split()[-1]
    expect(clerk.locator("#submit-case button")).to_be_disabled()
    expect(clerk.locator("#submit-missing")).to_contain_text("住院费用一日清单")
    for kind in ("invoice", "daily_statement", "referral"):
        upload(clerk, files[kind], kind)
    # The checklist ticks itself from the status poll, and the send button follows it.
    for kind in ("invoice", "daily_statement"):
        expect(clerk.locator(f'#checklist li[data-kind="{kind}"]')).to_have_class("check-present",
                                                                                  timeout=20000)
    expect(clerk.locator("#submit-case button")).to_be_enabled()
    expect(clerk.locator("#submit-missing")).to_be_hidden()
    clerk.screenshot(path=str(shots / "1-intake-desk.png"), full_page=True)
    clerk.click("#submit-case button")
    expect(clerk.locator(".flash.success")).to_contain_text(case_no)

    checker = sign_in(browser, base, "u_checker")
    decide(checker, base, case_no, "a", "材料齐全")

    reviewer = sign_in(browser, base, "u_reviewer")
    expect(reviewer.locator('#deadlines [data-count="waiting"] strong')).to_have_text("1")
    reviewer.screenshot(path=str(shots / "2-dashboard-reviewer.png"), full_page=True)
    reviewer.click(f"#deadlines ~ section a:text('{case_no}')")
    expect(reviewer.locator(".keys-help")).to_be_visible()
    reviewer.screenshot(path=str(shots / "3-review-desk.png"), full_page=True)
    decide(reviewer, base, case_no, "r", "缺身份证复印件", missing="身份证复印件")
    assert factories.workflow_state(runtime, case_no)["window_intake"]["status"] == "returned"

    clerk.goto(f"{base}/cases/{case_no}")
    expect(clerk.locator("#sign-off")).to_contain_text("身份证复印件")
    upload(clerk, files["other"], "other")
    clerk.click("#submit-case button")
    expect(clerk.locator(".flash.success")).to_contain_text(case_no)

    decide(checker, base, case_no, "a", "补正后材料齐全")  # the correction changed the case
    decide(reviewer, base, case_no, "a", "同意")
    decide(sign_in(browser, base, "u_re_reviewer"), base, case_no, "a", "同意")
    for gate in ("u_audit_chief", "u_finance_chief", "u_director"):  # seed 000's gates of a 外报
        decide(sign_in(browser, base, gate), base, case_no, "a", "同意")
    state = factories.workflow_state(runtime, case_no)
    assert state["window_intake"]["status"] == "approved" and state["payment"]["step"] == "cashier_entry"
    clerk.goto(f"{base}/cases/{case_no}")
    expect(clerk.locator("table.decisions tbody tr")).to_have_count(8)  # every decision, the return too


def test_archivist_finds_and_auditor_exports_the_case_file(live, browser, shots, tmp_path):  # noqa: F811
    base, runtime, users = live
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker")}
    made = gen.invoice(random.Random(72), patient="田甜")
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="田甜",
                                  claim_type="outpatient", amount=made.truth["total_amount"],
                                  hospital=made.truth["hospital"])
    factories.upload(runtime, users["intake_clerk"], case_no, made.content, filename="门诊发票.pdf",
                     kind="invoice")  # read and indexed by the in-process job thread
    factories.send_for_sign_off(runtime, users["intake_clerk"], case_no)
    factories.walk(runtime, desk, case_no, until="re_review")

    archivist = sign_in(browser, base, "u_archivist")
    archivist.goto(f"{base}/search")
    for _ in range(40):  # processing and indexing happen after the upload returned
        archivist.fill("input[name=q]", "田甜")
        archivist.click("#search-form button[type=submit]")
        if archivist.locator(".hit").count():
            break
        archivist.wait_for_timeout(500)
    expect(archivist.locator(".hit").first).to_contain_text(case_no)
    archivist.fill("input[name=q]", made.truth["invoice_number"])
    archivist.click("#search-form button[type=submit]")
    expect(archivist.locator("#total")).to_contain_text("1")
    archivist.screenshot(path=str(shots / "4-search-desk.png"), full_page=True)
    archivist.locator(".hit a.open-page").first.click()
    expect(archivist.locator("#case-nav")).to_be_attached()  # the viewer, with the review keys

    auditor = sign_in(browser, base, "u_auditor")
    auditor.goto(f"{base}/cases/{case_no}")
    expect(auditor.locator("table.history")).not_to_contain_text("User archivist")  # views on request
    auditor.click("#history-views")
    expect(auditor.locator("table.history")).to_contain_text("User archivist")  # who viewed this
    with auditor.expect_download() as download:
        auditor.click("#export")
    bag = tmp_path / "case-file.zip"
    download.value.save_as(str(bag))
    assert verify_bag(bag).info["External-Identifier"] == case_no

    auditor.goto(f"{base}/records")
    auditor.click("#verify-now")
    for _ in range(30):  # the check runs on the job thread after the redirect; the desk shows it on reload
        if auditor.locator("#chain-check .chain-ok").count():
            break
        auditor.wait_for_timeout(500)
        auditor.reload()
    expect(auditor.locator("#chain-check .chain-ok")).to_be_visible()
    auditor.screenshot(path=str(shots / "5-audit-desk.png"), full_page=True)
    auditor.click("a.lang:text('English')")
    expect(auditor.locator("h1")).to_have_text("Archive desk")
    expect(auditor.locator("#chain-check h2")).to_have_text("Audit trail verification")
    auditor.screenshot(path=str(shots / "6-audit-desk-en.png"), full_page=True)
