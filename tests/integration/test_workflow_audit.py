"""Chain 6, the audit (稽核), walked end to end on SQLite and PostgreSQL: its steps, the director's
step for large audits, deductions recorded with the handling signature, separation of duties."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.audit import verify_chain
from archive.models import AuditEvent, Case, SignOff
from archive.signoff import Incomplete, NotAllowed, registry
from tests import factories

DEDUCTIONS = [{"amount": "1200.50", "reason": "超标准收费（床位费）"},
              {"amount": "300", "reason": "重复收费：CT检查"}]


def open_audit(rt, desk, amount: str) -> str:
    return factories.start_claim(rt, desk, claim_type="audit", amount=amount, township="城关镇",
                                 documents=("agreement", "other"))


def sign_offs(rt, case_no) -> list[SignOff]:
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        return list(session.scalars(select(SignOff).where(SignOff.case_id == case.id).order_by(SignOff.id)))


def test_audit_preparation_onsite_handling_filing_with_deductions(rt, desk):
    case_no = open_audit(rt, desk, "48000")
    assert factories.active_step(rt, case_no) == ("audit", "preparation", "auditor")
    assert factories.walk(rt, desk, case_no, until="handling") == ["audit:preparation", "audit:onsite_check"]
    factories.sign(rt, desk["audit_chief"], case_no, opinion="按协议扣减违规费用", deductions=DEDUCTIONS)
    assert factories.walk(rt, desk, case_no) == ["audit:filing"]  # 48,000 < the director's limit
    state = factories.workflow_state(rt, case_no)
    assert state["case"] == "approved" and state["audit"]["status"] == "approved"
    assert "payment" not in state  # an audit pays nothing out

    rows = sign_offs(rt, case_no)
    assert [(r.step, r.role, r.decision) for r in rows] == [
        ("preparation", "auditor", "approve"), ("onsite_check", "auditor", "approve"),
        ("handling", "audit_chief", "approve"), ("filing", "archivist", "approve")]
    assert rows[0].signer_id != rows[1].signer_id
    assert rows[0].findings == factories.FINDINGS["preparation"]
    assert rows[2].findings == {"deductions": [{"amount": "1200.50", "reason": "超标准收费（床位费）"},
                                               {"amount": "300.00", "reason": "重复收费：CT检查"}],
                                "deductions_total": "1500.50"}
    assert rows[3].findings == {"file_reference": "JH-2026-017"}
    with rt.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.approve",
                                                        AuditEvent.details["step"].as_string() == "handling"))
        assert event.details["deductions_total"] == "1500.50" and len(event.details["deductions"]) == 2
        assert verify_chain(session).ok


@pytest.mark.parametrize(("amount", "director"), [("100000", True), ("250000.00", True),
                                                  ("99999.99", False)])
def test_the_director_confirms_the_handling_of_a_large_audit(rt, desk, amount, director):
    case_no = open_audit(rt, desk, amount)
    steps = [s.split(":")[1] for s in factories.walk(rt, desk, case_no)]
    assert steps == ["preparation", "onsite_check", "handling",
                     *(["director_review"] if director else []), "filing"]
    assert registry().limits["large_audit_yuan"] == 100000


def test_an_audit_with_no_deductions_records_an_empty_list(rt, desk):
    case_no = open_audit(rt, desk, "5000")
    factories.walk(rt, desk, case_no, until="handling")
    factories.sign(rt, desk["audit_chief"], case_no, opinion="未发现违规")
    assert sign_offs(rt, case_no)[-1].findings == {"deductions": [], "deductions_total": "0.00"}


@pytest.mark.parametrize(("deductions", "message"), [
    ([{"amount": "-5", "reason": "x"}], "Deduction 1 needs an amount"),
    ([{"amount": "10.005", "reason": "x"}], "Deduction 1 needs an amount"),
    ([{"amount": "abc", "reason": "x"}], "Deduction 1 needs an amount"),
    ([{"amount": "10", "reason": "ok"}, {"amount": "20", "reason": " "}], "Deduction 2 needs its reason"),
    (["1200"], "Deduction 1 must have an amount and a reason"),
    ([{"amount": "4000", "reason": "a"}, {"amount": "1000.01", "reason": "b"}],
     "exceed the amount audited \\(5000.00 yuan\\)"),
])
def test_bad_deductions_are_refused_and_nothing_is_signed(rt, desk, deductions, message):
    case_no = open_audit(rt, desk, "5000")
    factories.walk(rt, desk, case_no, until="handling")
    with pytest.raises(Incomplete, match=message):
        factories.sign(rt, desk["audit_chief"], case_no, opinion="扣款", deductions=deductions)
    assert factories.active_step(rt, case_no).current_step == "handling"
    assert [r.step for r in sign_offs(rt, case_no)] == ["preparation", "onsite_check"]


def test_deductions_belong_to_an_approval_at_the_handling_step(rt, desk):
    case_no = open_audit(rt, desk, "5000")
    with pytest.raises(Incomplete, match="only when approving"):
        factories.sign(rt, desk["auditor"], case_no, findings=factories.FINDINGS["preparation"],
                       deductions=DEDUCTIONS)
    factories.walk(rt, desk, case_no, until="handling")
    with pytest.raises(Incomplete, match="only when approving"):
        factories.sign(rt, desk["audit_chief"], case_no, decision="return", opinion="补充现场记录",
                       missing=["现场检查记录"], deductions=DEDUCTIONS)


def test_separation_of_duties_in_an_audit(rt, desk):
    case_no = open_audit(rt, desk, "5000")
    factories.sign(rt, desk["auditor"], case_no, findings=factories.FINDINGS["preparation"])
    # The auditor who prepared the audit may not also check on site.
    with pytest.raises(NotAllowed, match="You already signed step Preparation"):
        factories.sign(rt, desk["auditor"], case_no, findings=factories.FINDINGS["onsite_check"])
    # Nor may the clerk who opened the audit's case file, should they move to the audit desk.
    opener = desk["intake_clerk"]
    with rt.sessions.begin() as session:
        session.merge(opener).role = "auditor"
    opener.role = "auditor"
    with pytest.raises(NotAllowed, match="You opened case"):
        factories.sign(rt, opener, case_no, findings=factories.FINDINGS["onsite_check"])
    factories.sign(rt, desk["second_auditor"], case_no, findings=factories.FINDINGS["onsite_check"])
    assert factories.active_step(rt, case_no).current_step == "handling"


def test_findings_of_the_on_site_check_are_required(rt, desk):
    case_no = open_audit(rt, desk, "5000")
    factories.walk(rt, desk, case_no, until="onsite_check")
    with pytest.raises(Incomplete, match="Date of the check, Problems found"):
        factories.sign(rt, desk["second_auditor"], case_no, findings={})
