"""The case page follows processing without reloads (issue 20, point 8), in headless Chromium.

A clerk uploads an invoice left to recognition, then the daily statement; without reloading the
page, the rows, the checklist, the findings and the verdict (不予受理 or ready to send) change —
and every state the page shows on the way has them agreeing, because the server draws them all
from one snapshot and the page swaps them together. Screenshots (1366 and 390 px, zh and en) go
to $ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory.
"""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from archive.demo import documents as gen
from archive.models import Document
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}

# What the page shows, read after each swap (and once at the start) by a listener the test adds.
RECORD = """() => {
  const state = () => ({
    verdict: document.querySelector('#submit-case')?.dataset.verdict,
    disabled: document.querySelector('#submit-case button')?.disabled,
    checklist: Object.fromEntries([...document.querySelectorAll('#checklist li[data-kind]')]
      .map(li => [li.dataset.kind, li.className])),
    rows: [...document.querySelectorAll('#documents tr[data-id]')].map(tr => ({
      status: tr.querySelector('.status').className,
      kind: tr.querySelector('td:nth-child(2)').textContent.trim()})),
    findings: [...document.querySelectorAll('p.finding[data-code]')].map(p => p.dataset.code),
  });
  window.liveStates = [state()];
  window.notReloaded = true;
  document.addEventListener('archive:live-swapped', () => window.liveStates.push(state()));
}"""


def inpatient_invoice(patient: str) -> bytes:
    seed = 11
    while (made := gen.invoice(random.Random(seed), patient=patient)).truth["visit_type"] != "inpatient":
        seed += 1000
    return made.content


def agree(state: dict) -> None:
    """The parts of one drawn state say the same thing."""
    classes = state["checklist"].values()
    if any(c in ("check-missing", "check-todo") for c in classes):
        assert state["verdict"] == "refused" and state["disabled"], state
    elif "check-waiting" in classes:
        assert state["verdict"] == "pending" and state["disabled"], state
    else:
        assert state["verdict"] == "ready" and not state["disabled"], state
    if "missing_daily_statements" in state["findings"]:
        assert state["checklist"]["daily_statement"] == "check-missing", state
    for row in state["rows"]:
        if row["status"] == "status status-processed":
            assert row["kind"] not in ("尚未识别", "Not yet recognised"), state


def test_rows_checklist_findings_and_verdict_change_together_without_reload(live, browser, shots, tmp_path):  # noqa: F811
    base, runtime, users = live
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="石磊",
                                  claim_type="inpatient", amount="3000")
    invoice, statement = tmp_path / "住院发票.pdf", tmp_path / "一日清单.pdf"
    invoice.write_bytes(inpatient_invoice("石磊"))
    statement.write_bytes(gen.daily_statement(random.Random(5), patient="石磊", days=3).content)

    page = sign_in(browser, base, "u_intake_clerk")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/cases/{case_no}")
    page.evaluate(RECORD)
    expect(page.locator("#submit-case button")).to_be_disabled()

    # The invoice, its kind left to recognition: read, recognised, and its fields shown.
    page.set_input_files("#upload input[type=file]", str(invoice))
    page.click("#upload button[type=submit]")
    row = page.locator("#documents tr[data-id]", has_text="住院发票.pdf")
    expect(row.locator(".status")).to_have_text("已处理", timeout=30000)
    expect(row.locator("td:nth-child(2)")).to_have_text("医疗收费票据")
    expect(page.locator("#documents tr.reading dl.fields").first).to_be_visible()
    expect(page.locator("#progress li.ok")).to_have_count(0)  # the row says it now, in Chinese
    expect(page.locator('#checklist li[data-kind="invoice"]')).to_have_class("check-present")
    expect(page.locator('#checklist li[data-kind="daily_statement"]')).to_have_class("check-missing")
    expect(page.locator("#submit-missing")).to_contain_text("不予受理")
    expect(page.locator('p.finding[data-code="missing_daily_statements"]')).to_be_visible()
    page.screenshot(path=str(shots / "case-live-zh_CN-desktop-invoice-read.png"), full_page=True)

    # The statement: the 不予受理 finding and verdict go as the checklist ticks, and the
    # comparison of the two documents' totals appears — all without a reload.
    page.select_option("#upload select[name=kind]", "daily_statement")
    page.set_input_files("#upload input[type=file]", str(statement))
    page.click("#upload button[type=submit]")
    expect(page.locator('#checklist li[data-kind="daily_statement"]')).to_have_class("check-present",
                                                                                    timeout=30000)
    expect(page.locator("#documents tr[data-id] .status")).to_have_text(["已处理", "已处理"])
    expect(page.locator("#submit-case button")).to_be_enabled()
    expect(page.locator("#submit-missing")).to_have_count(0)
    expect(page.locator('p.finding[data-code="missing_daily_statements"]')).to_have_count(0)
    expect(page.locator('p.finding[data-code="daily_totals_mismatch"]')).to_be_visible()

    assert page.evaluate("window.notReloaded") is True  # the same document all along
    states = page.evaluate("window.liveStates")
    assert len(states) >= 3, states  # the start, and at least each document's end
    for state in states:
        agree(state)
    # Polling has stopped: nothing is being read.
    expect(page.locator('[data-live="documents"]')).not_to_have_attribute("data-pending", "")

    for lang in ("zh_CN", "en"):
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/cases/{case_no}?lang={lang}")
            expect(page.locator("#documents tr[data-id]")).to_have_count(2)
            page.screenshot(path=str(shots / f"case-live-{lang}-{name}.png"), full_page=True)


def test_a_read_document_of_no_known_kind_is_chosen_in_its_row(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="石磊",
                                  claim_type="inpatient", amount="3000")
    result = factories.upload(runtime, users["intake_clerk"], case_no, inpatient_invoice("石磊"),
                              "扫描件.pdf", process=False)
    # What recognition leaves when it cannot tell the kind (set directly: a real scan that
    # defeats the recogniser is not reproducible here).
    with runtime.sessions.begin() as session:
        document = session.get_one(Document, result.document_id)
        document.kind, document.status, document.page_count = None, "processed", 1
    page = sign_in(browser, base, "u_intake_clerk")
    for lang in ("zh_CN", "en"):
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/cases/{case_no}?lang={lang}")
            row = page.locator(f'#documents tr[data-id="{result.document_id}"]')
            expect(row.locator(".status")).to_have_class("status status-unrecognised")
            page.screenshot(path=str(shots / f"case-live-unrecognised-{lang}-{name}.png"), full_page=True)
    expect(row.locator(".status")).to_have_text("Processed — kind not recognised")
    row.locator("select[name=kind]").select_option("invoice")
    row.locator("form.choose-kind button").click()
    row = page.locator(f'#documents tr[data-id="{result.document_id}"]')
    expect(row.locator("td:nth-child(2)")).to_have_text("Medical invoice", timeout=30000)
    expect(row.locator(".status")).to_have_text("Processed", timeout=30000)
    expect(page.locator('#checklist li[data-kind="invoice"]')).to_have_class("check-present")
