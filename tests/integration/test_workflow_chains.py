"""Every shipped sign-off chain walked end to end on SQLite and PostgreSQL, with its conditions,
separation of duties, return for correction, rejection and changes after sign-off."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from archive.audit import verify_chain
from archive.claims import case_money
from archive.intake import Rejected
from archive.intake.cases import update_case
from archive.intake.corrections import delete_document
from archive.models import AuditEvent, Case, SignOff, WorkflowInstance
from archive.records.errors import CaseClosed
from archive.signoff import Conflict, Incomplete, NotAllowed, OpinionRequired, calendar
from archive.signoff.workdays import today_in_china
from archive.workflows import timeline
from archive.workflows.content import content_sha256
from tests import factories


def active(rt, case_no):
    return factories.active_step(rt, case_no)


def walk(rt, desk, case_no, *, until: str | None = None) -> list[str]:
    return factories.walk(rt, desk, case_no, until=until)


def actions(rt, prefix="workflow.") -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
                                    .order_by(AuditEvent.id)))


# Seed 000's gates after the window's review, for every patient-filed claim (外报).
GATES = ["audit_chief", "finance_chief", "director"]


def start(rt, desk, **fields) -> str:
    return factories.start_claim(rt, desk, **fields)


def test_a_claim_at_a_non_designated_hospital_is_patient_filed_window_then_four_gates(rt, desk):
    # Not designated: only the insured can file it (外报); seed 002's window, then seed 000's gates.
    # (seed: documents whose daily statements bill class 乙 items, whatever ran before)
    case_no = start(rt, desk, claim_type="inpatient", amount="8600.50", designated_provider=False,
                    filed_by=None, seed=10_000)
    assert walk(rt, desk, case_no) == [
        "window_intake:completeness", "window_intake:initial_review", "window_intake:re_review",
        "window_intake:audit_chief", "window_intake:finance_chief", "window_intake:director",
        "payment:cashier_entry", "payment:accountant_check"]
    assert factories.workflow_state(rt, case_no)["case"] == "paid"
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        rows = list(session.scalars(select(SignOff).where(SignOff.case_id == case.id).order_by(SignOff.id)))
        assert [(r.role, r.decision) for r in rows] == [
            ("intake_clerk", "approve"), ("reviewer", "approve"), ("re_reviewer", "approve"),
            ("audit_chief", "approve"), ("finance_chief", "approve"), ("director", "approve"),
            ("cashier", "approve"), ("accountant", "approve")]
        assert {r.content_sha256 for r in rows} == {content_sha256(session, case)}
        # Paid as approved: non-designated; the invoice is not read, so the level is the daily
        # statements' hospital's (县人民医院: county, deductible 200.00), less the insured's share
        # of their class 乙 items (storage_config/policy.toml): (8,600.50 − class 乙 share − 200.00) × 50 %.
        lines = {line.key: line for line in case_money(session, case).computation.lines}
        share = -lines["class_b"].amount_fen
        assert share > 0  # the statements bill class 乙 items
        approved = (Decimal(860050 - share - 20000) * Decimal("0.5")).quantize(Decimal(1), ROUND_HALF_UP)
        expected = f"{approved / 100:.2f}"
        assert rows[6].findings == {**factories.FINDINGS["cashier_entry"], "amount_paid": expected,
                                    "approved_amount": expected, "voucher_number": f"ZF-{case_no}"}
        assert verify_chain(session).ok
    assert actions(rt) == ["workflow.started", *["workflow.approve"] * 6, "workflow.started",
                           "workflow.approve", "workflow.approve"]


def test_in_network_settlement_every_gate_signs(rt, desk):
    case_no = start(rt, desk, claim_type="settlement", amount="52000.00", documents=("invoice",))
    assert [s.split(":")[1] for s in walk(rt, desk, case_no)] == [
        "hospital_clerk", "unit_officer", "city_officer", "audit_chief", "finance_chief", "director",
        "finance_bureau", "deputy_bureau_head", "cashier_entry", "accountant_check"]


def test_referral_village_township_district_and_no_payment(rt, desk):
    case_no = start(rt, desk, claim_type="referral", documents=("referral",),
                    township=factories.TOWNSHIP, village=factories.VILLAGE)  # the officers' own
    assert walk(rt, desk, case_no) == ["referral:village", "referral:township", "referral:district"]
    assert factories.workflow_state(rt, case_no) == {
        "case": "approved", "referral": {"status": "approved", "step": None, "version": 4}}


@pytest.mark.parametrize(("fields", "route", "days"), [
    ({"claim_type": "trauma", "amount": "25000"}, ["trauma_investigation"], 30),
    ({"claim_type": "trauma", "amount": "19999.99"}, [], 30),
    ({"claim_type": "inpatient", "amount": "20000", "out_of_county": True}, ["phone_verification"], 7),
    ({"claim_type": "inpatient", "amount": "19999.99", "out_of_county": True}, [], 7),
    ({"claim_type": "inpatient", "amount": "50000", "out_of_county": False}, [], 20),
    ({"claim_type": "maternity", "amount": "30000", "documents": ("invoice",)}, [], 15),
])
def test_window_intake_routes_by_type_amount_and_county(runtime, fields, route, days):
    desk = factories.sign_off_desk(runtime)
    case_no = start(runtime, desk, **fields)
    steps = [s.split(":")[1] for s in walk(runtime, desk, case_no, until="cashier_entry")]
    assert steps == ["completeness", *route, "initial_review", "re_review", *GATES]
    with runtime.sessions() as session:
        instance = session.scalar(select(WorkflowInstance)
                                  .where(WorkflowInstance.definition == "window_intake"))
        started = today_in_china(instance.started_at)
        assert instance.chain_due_on == calendar().add(started, days).on
    if route == ["phone_verification"]:
        assert factories.workflow_state(runtime, case_no)["payment"]["step"] == "cashier_entry"


def test_an_inpatient_claim_without_daily_statements_is_not_accepted(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_claim(rt, clerk, claim_type="inpatient", amount="3000", documents=("invoice",))
    with pytest.raises(Incomplete, match="no daily itemised statement"):
        factories.send_for_sign_off(rt, clerk, case_no)
    assert factories.workflow_state(rt, case_no) == {"case": "intake"}
    assert actions(rt) == []
    # The statement comes in and the case goes on; then the statement is withdrawn as filed by
    # mistake: the completeness step's check (the same checklist) refuses the approval.
    statement = factories.upload(rt, clerk, case_no, factories.statement_pdf(seed=77), filename="清单.pdf",
                                 kind="daily_statement")
    factories.send_for_sign_off(rt, clerk, case_no)
    with rt.sessions.begin() as session:
        delete_document(session, statement.document_id, actor=clerk, reason="误传")
    with pytest.raises(Incomplete, match="this claim lacks daily itemised statement"):
        factories.sign(rt, desk["checker"], case_no)
    assert active(rt, case_no).current_step == "completeness"


def test_findings_are_required_where_the_definition_asks(rt, desk):
    case_no = start(rt, desk, claim_type="inpatient", amount="26000", out_of_county=True)
    walk(rt, desk, case_no, until="phone_verification")
    with pytest.raises(Incomplete, match="Who called, Hospital's number, Outcome"):
        factories.sign(rt, desk["investigator"], case_no, findings={"called_by": ""})
    factories.sign(rt, desk["investigator"], case_no, findings=factories.FINDINGS["phone_verification"])
    with rt.sessions() as session:
        assert session.scalar(select(SignOff.findings).where(SignOff.step == "phone_verification")) \
            == factories.FINDINGS["phone_verification"]


def test_wrong_role_wrong_step_stale_version_and_missing_opinion_are_refused(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="300", documents=("invoice",))
    walk(rt, desk, case_no, until="initial_review")
    version = factories.workflow_state(rt, case_no)["window_intake"]["version"]
    with pytest.raises(NotAllowed, match="another role"):
        factories.sign(rt, desk["re_reviewer"], case_no)
    with pytest.raises(Conflict, match="not the step you acted on"):
        factories.sign(rt, desk["reviewer"], case_no, step="re_review")
    with pytest.raises(Conflict, match="moved on"):
        factories.sign(rt, desk["reviewer"], case_no, expected_version=version - 1)
    with pytest.raises(OpinionRequired):
        factories.sign(rt, desk["reviewer"], case_no, opinion="  ")
    with pytest.raises(Incomplete, match="not possible"):
        factories.sign(rt, desk["reviewer"], case_no, decision="shrug")
    factories.sign(rt, desk["reviewer"], case_no, expected_version=version)
    assert active(rt, case_no).current_step == "re_review"


def test_separation_of_duties(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="300", documents=("invoice",))
    with pytest.raises(NotAllowed, match="You opened case"):
        factories.sign(rt, desk["intake_clerk"], case_no)
    walk(rt, desk, case_no, until="re_review")
    # The reviewer who signed the initial review moves to the re-review desk: still not twice.
    mover = desk["reviewer"]
    with rt.sessions.begin() as session:
        session.merge(mover).role = "re_reviewer"
    mover.role = "re_reviewer"
    with pytest.raises(NotAllowed, match="You already signed step Initial review"):
        factories.sign(rt, mover, case_no)
    walk(rt, desk, case_no, until="accountant_check")
    # Maker–checker: the cashier who entered the payment cannot approve it as accountant.
    cashier = desk["cashier"]
    with rt.sessions.begin() as session:
        session.merge(cashier).role = "accountant"
    cashier.role = "accountant"
    with pytest.raises(NotAllowed):
        factories.sign(rt, cashier, case_no)
    factories.sign(rt, desk["accountant"], case_no)
    assert factories.workflow_state(rt, case_no)["case"] == "paid"


def test_return_for_correction_and_resubmission_keep_the_history(rt, desk):
    case_no = start(rt, desk, claim_type="inpatient", amount="4200")
    with pytest.raises(OpinionRequired):
        factories.sign(rt, desk["checker"], case_no, decision="return", opinion=None,
                       missing=["身份证复印件"])
    with pytest.raises(Incomplete, match="what is missing"):
        factories.sign(rt, desk["checker"], case_no, decision="return", opinion="材料不全")
    factories.sign(rt, desk["checker"], case_no, decision="return", opinion="材料不全",
                   missing=["身份证复印件", "医保卡复印件"])
    assert factories.workflow_state(rt, case_no)["case"] == "returned"
    with pytest.raises(Conflict, match="not waiting"):
        factories.sign(rt, desk["checker"], case_no)
    factories.upload(rt, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=77),
                     filename="身份证复印件.pdf", kind="other", process=False)
    factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    walk(rt, desk, case_no, until="re_review")
    # The reviewer returns it too; resubmitted unchanged, it is refused (issue 20, 10).
    factories.sign(rt, desk["re_reviewer"], case_no, decision="return", opinion="请补交原件",
                   missing=["发票原件"])
    with pytest.raises(Incomplete, match="Nothing was uploaded or corrected since"):
        factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    factories.upload(rt, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=78),
                     filename="发票原件.pdf", kind="other", process=False)
    # The upload changed the case: every earlier signature is given again.
    assert factories.send_for_sign_off(rt, desk["intake_clerk"], case_no) == ("window_intake",
                                                                              "completeness")
    walk(rt, desk, case_no, until="cashier_entry")
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        history = [(s.step, s.decision, s.round) for s in
                   session.scalars(select(SignOff).where(SignOff.case_id == case.id).order_by(SignOff.id))]
        shown = timeline(session, desk["cashier"], case)
    assert history == [("completeness", "return", 1), ("completeness", "approve", 2),
                       ("initial_review", "approve", 2), ("re_review", "return", 2),
                       ("completeness", "approve", 3), ("initial_review", "approve", 3),
                       ("re_review", "approve", 3), *[(gate, "approve", 3) for gate in GATES]]
    assert [s.decision for s in shown.history] == ["return", "approve", "approve", "return", "approve",
                                                   "approve", "approve", *["approve"] * len(GATES)]
    assert shown.history[0].missing == ["身份证复印件", "医保卡复印件"]
    assert actions(rt).count("workflow.resubmitted") == 2


def test_reject_ends_the_case_with_its_reason(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="300", documents=("invoice",))
    walk(rt, desk, case_no, until="initial_review")
    with pytest.raises(OpinionRequired):
        factories.sign(rt, desk["reviewer"], case_no, decision="reject", opinion="")
    factories.sign(rt, desk["reviewer"], case_no, decision="reject", opinion="非医保目录内项目")
    assert factories.workflow_state(rt, case_no)["case"] == "rejected"
    with pytest.raises(CaseClosed):  # a closed case is not sent on again (archive.records.case_guard)
        factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    with pytest.raises(Rejected, match="can no longer be changed"), rt.sessions.begin() as session:
        update_case(session, case_no, actor=desk["intake_clerk"], reason="x", amount="1")
    with rt.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.reject"))
        assert event.details["opinion"] == "非医保目录内项目" and event.target_id == case_no


def test_a_change_after_sign_off_goes_back_to_the_first_step_that_no_longer_matches(rt, desk):
    case_no = start(rt, desk, claim_type="inpatient", amount="50000", out_of_county=False)
    walk(rt, desk, case_no, until="re_review")
    # The claim was out of county after all: every signature covered the old fields, and the
    # phone verification now applies.
    with rt.sessions.begin() as session:
        update_case(session, case_no, actor=desk["intake_clerk"], reason="县外住院，补录",
                    out_of_county=True)
    assert active(rt, case_no).current_step == "completeness"
    with rt.sessions() as session:
        reopened = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.reopened"))
        assert reopened.details["reason"] == "县外住院，补录"
        assert (reopened.details["from_step"], reopened.details["to_step"]) == ("re_review", "completeness")
        instance = session.scalar(select(WorkflowInstance))
        assert instance.note == "县外住院，补录" and instance.signed == {}
    assert [s.split(":")[1] for s in walk(rt, desk, case_no, until="cashier_entry")] == [
        "completeness", "phone_verification", "initial_review", "re_review", *GATES]
    # Out of county the limit is 7 working days from the start, not 20.
    with rt.sessions() as session:
        claim = session.scalar(select(WorkflowInstance).where(WorkflowInstance.definition == "window_intake"))
        assert claim.status == "approved" and claim.round == 2
        assert claim.chain_due_on == calendar().add(today_in_china(claim.started_at), 7).on


def test_a_document_added_during_payment_reopens_the_claim_and_payment_waits(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="800", documents=("invoice",))
    walk(rt, desk, case_no, until="accountant_check")
    factories.upload(rt, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=91),
                     filename="补充发票.pdf", kind="invoice", process=False)
    state = factories.workflow_state(rt, case_no)
    assert state["window_intake"]["step"] == "completeness" and state["case"] == "in_review"
    assert state["payment"]["status"] == "waiting"
    assert walk(rt, desk, case_no) == [
        "window_intake:completeness", "window_intake:initial_review", "window_intake:re_review",
        *[f"window_intake:{gate}" for gate in GATES], "payment:cashier_entry", "payment:accountant_check"]
    assert "workflow.resumed" in actions(rt)
    assert factories.workflow_state(rt, case_no)["case"] == "paid"


def test_a_payment_returned_unchanged_goes_back_to_the_accountant(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="800", documents=("invoice",))
    walk(rt, desk, case_no, until="accountant_check")
    factories.sign(rt, desk["accountant"], case_no, decision="return", opinion="请核对",
                   missing=["凭证号"])
    assert factories.send_for_sign_off(rt, desk["intake_clerk"], case_no) == ("payment",
                                                                              "accountant_check")
    assert factories.workflow_state(rt, case_no)["window_intake"]["status"] == "approved"


def test_a_payment_returned_and_corrected_has_the_claim_signed_again_first(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="800", documents=("invoice",))
    walk(rt, desk, case_no, until="accountant_check")
    factories.sign(rt, desk["accountant"], case_no, decision="return", opinion="缺收据",
                   missing=["收费收据原件"])
    assert factories.workflow_state(rt, case_no)["case"] == "returned"
    factories.upload(rt, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=93),
                     filename="收据.pdf", kind="other", process=False)
    state = factories.workflow_state(rt, case_no)
    assert (state["window_intake"]["step"], state["payment"]["status"]) == ("completeness", "waiting")
    assert state["case"] == "in_review"
    with pytest.raises(Conflict, match="already left intake"):
        factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    assert [s.split(":")[1] for s in walk(rt, desk, case_no)] == [
        "completeness", "initial_review", "re_review", *GATES, "cashier_entry", "accountant_check"]
    assert factories.workflow_state(rt, case_no)["case"] == "paid"


def test_the_timeline_shows_done_current_and_what_comes_next(rt, desk):
    case_no = start(rt, desk, claim_type="trauma", amount="31000")
    walk(rt, desk, case_no, until="initial_review")
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        shown = timeline(session, desk["reviewer"], case)
        other = timeline(session, desk["re_reviewer"], case)
    rows = [(s.step.id, s.state, s.sign_off.signer_name if s.sign_off else None)
            for s in shown.chains[0].steps]
    assert rows == [("completeness", "done", "User u_checker"),
                    ("trauma_investigation", "done", "User investigator"),
                    ("phone_verification", "skipped", None),
                    ("initial_review", "current", None), ("re_review", "next", None),
                    *[(gate, "next", None) for gate in GATES]]
    assert shown.chains[0].steps[1].sign_off.opinion == "同意。"
    assert all(s.matches for s in shown.chains[0].steps if s.sign_off)
    assert shown.decisions == ["approve", "return", "reject"] and other.decisions == []
    assert not shown.may_submit


def test_sign_offs_cannot_be_changed_even_with_raw_sql(rt, desk):
    case_no = start(rt, desk, claim_type="outpatient", amount="300", documents=("invoice",))
    walk(rt, desk, case_no, until="initial_review")
    for statement in ("UPDATE sign_offs SET opinion = 'forged'", "DELETE FROM sign_offs"):
        with pytest.raises(DatabaseError, match="immutable"), rt.engine.begin() as connection:
            connection.execute(text(statement))
    with rt.sessions() as session:
        assert session.scalar(select(func.count(SignOff.id))) == 1


def test_deadlines_are_counted_in_working_days_from_today(rt, desk):
    case_no = start(rt, desk, claim_type="maternity", amount="6000", documents=("invoice",))
    with rt.sessions() as session:
        instance = session.scalar(select(WorkflowInstance))
        today = today_in_china(instance.started_at)
        assert instance.chain_due_on == calendar().add(today, 15).on
        assert instance.due_on == calendar().add(today, 1).on  # the completeness check: 1 day
        assert instance.chain_due_on > date(2026, 1, 1)
    assert case_no
