"""The money of a claim through the API, as issue 18 found it: a typed 15,000.00 against a
2,021.31 invoice flagged nothing, routing trusted the typed amount, and the cashier recorded
999,999.00 on a 15,000.00 claim. Real app, real documents read inline, real database."""

from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import select

from archive.claims.service import case_money
from archive.demo import documents as gen
from archive.models import Case, SignOff, WorkflowInstance
from archive.signoff.workdays import today_in_china
from archive.workflows.content import case_content, content_sha256
from tests import factories


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


@pytest.fixture
def tokens(runtime, desk):
    return {name: factories.api_token(runtime, user) for name, user in desk.items()}


def call(client, token, method, path, json=None, **kwargs):
    return client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"},
                       **kwargs)


def open_claim(client, token, **fields) -> str:
    # Filed by the insured at the window (外报) unless a test says otherwise.
    response = call(client, token, "POST", "/api/cases", {"claimant_name": "李娜", "filed_by": "insured",
                                                          **fields})
    assert response.status_code == 201, response.json
    return response.json["case_no"]


def upload(client, token, case_no, kind, content) -> int:
    response = call(client, token, "POST", f"/api/cases/{case_no}/documents",
                    data={"kind": kind, "files": [(io.BytesIO(content), f"{kind}.pdf")]},
                    content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json["results"][0]["document_id"]


def correct(client, token, document_id, **values) -> None:
    """Set fields of a read invoice as a clerk checking it against the paper would."""
    for field, value in values.items():
        response = call(client, token, "PUT", f"/api/documents/{document_id}/fields/{field}",
                        {"value": value, "reason": "与原件核对"})
        assert response.status_code == 200, response.json


def at(client, token, case_no) -> tuple[str, int]:
    shown = call(client, token, "GET", f"/api/cases/{case_no}/workflow").json
    active = next(c for c in shown["chains"] if c["status"] == "active")
    return active["step"], active["version"]


def decide(client, tokens, who, case_no, findings=None, opinion="同意"):
    _step, version = at(client, tokens[who], case_no)
    return call(client, tokens[who], "POST", f"/api/cases/{case_no}/decision", {
        "decision": "approve", "opinion": opinion, "expected_version": version,
        "findings": findings or {}})


def resolve_findings(client, token, case_no) -> None:
    """The signer at the current step lets each blocking finding through with a reason (the
    corrected totals here do not add up with the rest of the generated invoice)."""
    for finding in call(client, token, "GET", f"/api/cases/{case_no}/findings").json["blocking"]:
        resolved = call(client, token, "POST", f"/api/cases/{case_no}/findings/resolve",
                        {"finding": finding, "reason": "已与原件核对，合计以更正后为准"})
        assert resolved.status_code == 201, resolved.json


def test_claimed_comes_from_the_invoices_and_a_typed_amount_that_differs_is_flagged(client, tokens):
    clerk = tokens["intake_clerk"]
    case_no = open_claim(client, clerk, claim_type="outpatient", amount="15000.00")
    shown = call(client, clerk, "GET", f"/api/cases/{case_no}/computation").json
    assert (shown["claimed"], shown["claimed_from"]) == ("15000.00", "typed")
    assert [f["code"] for f in shown["findings"]] == ["claimed_amount_unverified"]

    invoice = upload(client, clerk, case_no, "invoice", factories.invoice_pdf(seed=7))
    correct(client, clerk, invoice, total_amount="2021.31")
    shown = call(client, clerk, "GET", f"/api/cases/{case_no}/computation").json
    assert (shown["claimed"], shown["claimed_from"], shown["typed"]) == ("2021.31", "documents", "15000.00")
    (mismatch,) = [f for f in shown["findings"] if f["code"] == "claimed_amount_mismatch"]
    assert mismatch["severity"] == "error"
    assert "15,000.00" in mismatch["message"] and "2,021.31" in mismatch["message"]


def test_routing_follows_the_invoices_not_the_typed_amount(client, runtime, tokens):
    """A trauma claim typed as 100.00 whose invoices come to 25,000.00 goes to the trauma
    investigation (≥ 20,000), which the typed amount would have skipped."""
    clerk = tokens["intake_clerk"]
    case_no = open_claim(client, clerk, claim_type="trauma", amount="100.00")
    invoice = upload(client, clerk, case_no, "invoice", factories.invoice_pdf(seed=8))
    upload(client, clerk, case_no, "daily_statement", gen.daily_statement(random.Random(8)).content)
    correct(client, clerk, invoice, total_amount="25000.00")
    sent = call(client, clerk, "POST", f"/api/cases/{case_no}/submit")
    assert sent.status_code == 201, sent.json
    resolve_findings(client, tokens["checker"], case_no)
    checked = decide(client, tokens, "checker", case_no)
    assert checked.status_code == 200, checked.json
    assert at(client, clerk, case_no)[0] == "trauma_investigation"


def test_approved_from_the_policy_adjusted_with_a_reason_and_paid_exactly(client, runtime, tokens, desk):
    clerk, reviewer = tokens["intake_clerk"], tokens["reviewer"]
    case_no = open_claim(client, clerk, claim_type="maternity", amount="15000.00", township="城关镇",
                         village="东关村")
    # An outpatient bill of the claimant's: no daily statements are due (those rules are tested
    # on their own in test_daily_statements_api).
    invoice = upload(client, clerk, case_no, "invoice",
                     factories.outpatient_invoice_pdf(seed=9, patient="李娜"))
    correct(client, clerk, invoice, total_amount="15000.00", hospital="县人民医院", self_funded="0.00")

    # County hospital, in the county: (15,000.00 − 200.00) × 40 % = 5,920.00 (policy.toml, seed 003)
    shown = call(client, reviewer, "GET", f"/api/cases/{case_no}/computation").json
    assert (shown["claimed"], shown["approved"], shown["computation"]["eligible"]) == (
        "15000.00", "5920.00", "15000.00")
    lines = {line["key"]: line for line in shown["computation"]["lines"]}
    assert list(lines) == ["claimed", "self_funded", "class_b", "eligible", "deductible", "reimbursed",
                           "approved"]
    assert (lines["deductible"]["base"], lines["deductible"]["amount"]) == ("200.00", "-200.00")
    assert (lines["reimbursed"]["base"], lines["reimbursed"]["rate"], lines["reimbursed"]["amount"]) == (
        "14800.00", "0.40", "5920.00")
    factories.login(client, desk["reviewer"])
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "核定补偿金额" in page and "减：起付线（县级）" in page and "¥5,920.00" in page and "40%" in page

    sent = call(client, clerk, "POST", f"/api/cases/{case_no}/submit")
    assert sent.status_code == 201, sent.json
    resolve_findings(client, tokens["checker"], case_no)
    checked = decide(client, tokens, "checker", case_no)
    assert checked.status_code == 200, checked.json
    assert at(client, reviewer, case_no)[0] == "initial_review"

    path = f"/api/cases/{case_no}/approved-amount"
    refused = call(client, reviewer, "POST", path, {"amount": "5000.00"})
    assert refused.status_code == 422 and refused.json["error"] == "incomplete"
    assert call(client, tokens["re_reviewer"], "POST", path,
                {"amount": "5000.00", "reason": "x"}).status_code == 409  # not their step
    assert call(client, reviewer, "POST", path, {"amount": "15000.01", "reason": "x"}).status_code == 422
    adjusted = call(client, reviewer, "POST", path, {"amount": "5000.00", "reason": "产后住院天数核减2天"})
    assert adjusted.status_code == 200, adjusted.json
    assert (adjusted.json["approved"], adjusted.json["computed"]) == ("5000.00", "5920.00")
    assert adjusted.json["adjustment"]["reason"] == "产后住院天数核减2天"
    # The completeness check was signed on the computed amount: it is signed again first.
    assert at(client, reviewer, case_no)[0] == "completeness"
    for who in ("checker", "reviewer", "re_reviewer", "audit_chief", "finance_chief", "director"):
        assert decide(client, tokens, who, case_no).status_code == 200  # window, then the four gates

    cashier = {"sheet_checked": "结算单与票据一致", "voucher_number": "ZF-2026-0117"}
    too_much = decide(client, tokens, "cashier", case_no, {**cashier, "amount_paid": "999999.00"})
    assert too_much.status_code == 422 and too_much.json["error"] == "incomplete"
    assert "999999.00" in too_much.json["message"] and "5000.00" in too_much.json["message"]
    computed = decide(client, tokens, "cashier", case_no, {**cashier, "amount_paid": "5920.00"})
    assert computed.status_code == 422  # the adjusted amount is the one approved
    paid = decide(client, tokens, "cashier", case_no, {**cashier, "amount_paid": "5000.00"})
    assert paid.status_code == 200
    assert decide(client, tokens, "accountant", case_no).json["case_status"] == "paid"

    month = today_in_china().strftime("%Y-%m")
    listed = call(client, tokens["finance_chief"], "GET", f"/api/publication?month={month}").json
    assert listed["amount"] == "5000.00"
    batch = call(client, tokens["accountant"], "GET", f"/api/payment-batches/{month}").json
    assert [(line["case_no"], line["voucher"], line["paid"]) for line in batch["lines"]] == [
        (case_no, "ZF-2026-0117", "5000.00")]
    early = call(client, tokens["accountant"], "POST", f"/api/payment-batches/{month}/bind")
    assert early.status_code == 409  # a month is bound after it has closed
    assert call(client, tokens["accountant"], "GET", "/api/payment-batches/2026-13").status_code == 400

    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        content = case_content(session, case)
        assert content["money"]["approved"] == "5000.00"
        assert content["money"]["adjustment"] == {"amount": "5000.00", "reason": "产后住院天数核减2天"}
        runs = session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
        in_force = [sign_off for run in runs for sign_off in run.signed.values()]
        signed = session.scalars(select(SignOff).where(SignOff.id.in_(in_force))).all()
        assert {s.content_sha256 for s in signed} == {content_sha256(session, case)}
        (entry,) = [s for s in signed if s.step == "cashier_entry"]
        assert (entry.findings["amount_paid"], entry.findings["approved_amount"]) == ("5000.00", "5000.00")
        assert case_money(session, case).approved_fen == 500_000


def test_a_typed_amount_that_differs_from_the_invoices_blocks_the_sign_off_until_explained(client, tokens):
    """Issue 18: 15,000 claimed against a 2,021.31 invoice flagged nothing. Now the ERROR stops
    the next sign-off until the signer resolves it with a reason (then the invoices' total counts)."""
    clerk, checker = tokens["intake_clerk"], tokens["checker"]
    case_no = open_claim(client, clerk, claim_type="outpatient", amount="15000.00")
    invoice = upload(client, clerk, case_no, "invoice",
                     factories.outpatient_invoice_pdf(seed=17, patient="李娜"))
    correct(client, clerk, invoice, total_amount="2021.31")
    sent = call(client, clerk, "POST", f"/api/cases/{case_no}/submit")
    assert sent.status_code == 201, sent.json
    refused = decide(client, tokens, "checker", case_no)
    assert refused.status_code == 422 and refused.json["error"] == "unresolved_findings", refused.json
    assert "claimed_amount_mismatch" in refused.json["message"] and "2,021.31" in refused.json["message"]
    assert at(client, clerk, case_no)[0] == "completeness"  # nothing signed
    resolved = call(client, checker, "POST", f"/api/cases/{case_no}/findings/resolve",
                    {"finding": "claimed_amount_mismatch", "reason": "窗口误录，以票据合计为准"})
    assert resolved.status_code == 201, resolved.json
    resolve_findings(client, checker, case_no)
    assert decide(client, tokens, "checker", case_no).status_code == 200
    shown = call(client, checker, "GET", f"/api/cases/{case_no}/computation").json
    assert (shown["claimed"], shown["claimed_from"]) == ("2021.31", "documents")
