"""Graded access (调阅权限分级) and loans (借阅), on SQLite and PostgreSQL: a case whose record's
grade is above a person's clearance does not exist for them, except during an approved loan;
every step of a loan and every view under it is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from archive.access import NotFound, get_case, get_document, sees_every_case, visible_cases
from archive.auth import Forbidden, clearance_of
from archive.auth.accounts import AccountError, set_clearance
from archive.cases import view_case, view_document
from archive.models import AuditEvent, Loan, LoanStatus
from archive.models.types import utcnow
from archive.records.errors import Invalid, NotPermitted, RecordsError
from archive.records.filing import set_record_class
from archive.records.loans import approve_loan, grant_loan, list_loans, revoke_loan
from archive.retention import china_date
from tests import factories


@pytest.fixture
def graded(rt, desk):
    """A restricted case (audit material, grade 3), an internal one (grade 2) and one still at
    the desks (no archive record: grade 1)."""
    clerk, archivist = desk["intake_clerk"], desk["archivist"]
    restricted = factories.make_case(rt, clerk, claimant_name="赵敏")
    document_id = factories.upload(rt, clerk, restricted, factories.invoice_pdf(seed=3),
                                   process=False).document_id
    internal = factories.make_case(rt, clerk, claimant_name="钱进")
    working = factories.make_case(rt, clerk, claimant_name="孙丽")
    with rt.sessions.begin() as session:
        set_record_class(session, restricted, actor=session.merge(archivist),
                         record_class="audit_materials", reason="稽核材料")
        set_record_class(session, internal, actor=session.merge(archivist),
                         record_class="benefit_approval", reason="待遇审核材料")
    return {"restricted": restricted, "internal": internal, "working": working,
            "document_id": document_id}


def visible(rt, user) -> set[str]:
    with rt.sessions() as session:
        return {case.case_no for case in session.scalars(visible_cases(session.merge(user)))}


def test_clearance_decides_which_cases_exist(rt, desk, graded):
    assert [clearance_of(desk[r]) for r in ("hospital_clerk", "reviewer", "auditor")] == [1, 2, 3]
    everything = {graded["restricted"], graded["internal"], graded["working"]}
    assert visible(rt, desk["auditor"]) == everything and sees_every_case(desk["auditor"])
    assert visible(rt, desk["reviewer"]) == everything - {graded["restricted"]}
    assert not sees_every_case(desk["reviewer"])
    # A case still at the desks counts as grade 1: the people working on it see it.
    assert visible(rt, desk["hospital_clerk"]) == {graded["working"]}
    with rt.sessions() as session, pytest.raises(NotFound):
        get_case(session, session.merge(desk["reviewer"]), graded["restricted"])
    with rt.sessions() as session, pytest.raises(NotFound):
        get_document(session, session.merge(desk["reviewer"]), graded["document_id"])


def test_an_administrator_sets_a_persons_clearance(rt, desk, graded):
    reviewer, admin = desk["reviewer"], desk["admin"]
    with rt.sessions.begin() as session:
        set_clearance(session, session.merge(reviewer), 3, actor=session.merge(admin))
    with rt.sessions() as session:
        person = session.merge(reviewer)
        assert clearance_of(person) == 3 and graded["restricted"] in visible(rt, person)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.clearance")).one()
        assert {k: event.details[k] for k in ("from", "to", "role_default")} == {
            "from": None, "to": 3, "role_default": 2}
        assert event.actor_name == admin.username
    with rt.sessions.begin() as session, pytest.raises(AccountError):
        set_clearance(session, session.merge(reviewer), 7, actor=session.merge(admin))
    with rt.sessions.begin() as session, pytest.raises(AccountError):
        set_clearance(session, session.merge(admin), 1, actor=session.merge(admin))
    with rt.sessions.begin() as session:  # back to the role's default
        set_clearance(session, session.merge(reviewer), None, actor=session.merge(admin))
    assert graded["restricted"] not in visible(rt, reviewer)


def lend(rt, desk, case_no, borrower="reviewer", days=3) -> int:
    with rt.sessions.begin() as session:
        loan = grant_loan(session, case_no, actor=session.merge(desk["archivist"]),
                          borrower=desk[borrower].username,
                          last_day=china_date() + timedelta(days=days), reason="信访核查")
        return loan.id


def test_a_loan_opens_the_case_once_approved_and_until_it_ends(rt, desk, graded):
    reviewer, restricted = desk["reviewer"], graded["restricted"]
    loan_id = lend(rt, desk, restricted)
    assert restricted not in visible(rt, reviewer)  # pending: not yet
    with rt.sessions.begin() as session, pytest.raises(NotPermitted):
        approve_loan(session, loan_id, actor=session.merge(desk["archivist"]))  # who registered it
    with rt.sessions.begin() as session, pytest.raises(Forbidden):
        approve_loan(session, loan_id, actor=session.merge(reviewer))  # not their role
    with rt.sessions.begin() as session:
        approve_loan(session, loan_id, actor=session.merge(desk["director"]))
    assert visible(rt, reviewer) == {restricted, graded["internal"], graded["working"]}
    with rt.sessions.begin() as session:
        view_case(session, session.merge(reviewer), restricted)
        view_document(session, session.merge(reviewer), graded["document_id"], 1)
        view_case(session, session.merge(desk["auditor"]), restricted)  # by clearance: no loan
    with rt.sessions() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("loan.grant", "loan.approve", "case.view", "document.view")))
            .order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor_name, (e.details or {}).get("loan")) for e in events] == [
            ("loan.grant", "u_archivist", loan_id), ("loan.approve", "u_director", loan_id),
            ("case.view", "u_reviewer", loan_id), ("document.view", "u_reviewer", loan_id),
            ("case.view", "u_auditor", None)]
    # The loan ends by itself: nothing runs, the next access finds it over.
    with rt.sessions.begin() as session:
        session.execute(update(Loan).where(Loan.id == loan_id).values(until=utcnow() - timedelta(seconds=1)))
    assert restricted not in visible(rt, reviewer)
    with rt.sessions() as session:
        listed = {loan.id: loan.status for loan in list_loans(session, session.merge(desk["archivist"]))}
        assert listed == {loan_id: LoanStatus.EXPIRED}
        mine = list_loans(session, session.merge(reviewer))
        assert [loan.id for loan in mine] == [loan_id]
        assert list_loans(session, session.merge(desk["auditor"])) == []  # someone else's loan
    with rt.sessions.begin() as session, pytest.raises(RecordsError):
        revoke_loan(session, loan_id, actor=session.merge(desk["archivist"]), reason="已归还")


def test_revoking_ends_a_loan_at_once(rt, desk, graded):
    loan_id = lend(rt, desk, graded["restricted"])
    with rt.sessions.begin() as session:
        approve_loan(session, loan_id, actor=session.merge(desk["audit_chief"]))
    assert graded["restricted"] in visible(rt, desk["reviewer"])
    with rt.sessions.begin() as session, pytest.raises(Invalid):
        revoke_loan(session, loan_id, actor=session.merge(desk["archivist"]), reason=" ")
    with rt.sessions.begin() as session:
        revoke_loan(session, loan_id, actor=session.merge(desk["archivist"]), reason="已提前归还")
    assert graded["restricted"] not in visible(rt, desk["reviewer"])
    with rt.sessions.begin() as session, pytest.raises(RecordsError):
        approve_loan(session, loan_id, actor=session.merge(desk["director"]))


@pytest.mark.parametrize(("change", "refusal"), [
    ({"borrower": "nobody"}, Invalid), ({"borrower": "u_archivist"}, NotPermitted),
    ({"reason": ""}, Invalid), ({"last_day": "2026-02-30"}, Invalid),
    ({"last_day": "past"}, Invalid), ({"last_day": "too_far"}, Invalid),
])
def test_a_loan_that_cannot_be_granted_writes_nothing(rt, desk, graded, change, refusal):
    today = china_date()
    values = {"borrower": desk["reviewer"].username, "reason": "核查", "last_day": today, **change}
    values["last_day"] = {"past": today - timedelta(days=1),
                          "too_far": today + timedelta(days=30)}.get(values["last_day"], values["last_day"])
    with rt.sessions() as session:
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    with rt.sessions.begin() as session, pytest.raises(refusal):
        grant_loan(session, graded["restricted"], actor=session.merge(desk["archivist"]), **values)
    with rt.sessions() as session:
        assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before
        assert session.scalars(select(Loan)).all() == []


def test_nobody_approves_a_loan_to_themselves(rt, desk, graded):
    loan_id = lend(rt, desk, graded["restricted"], borrower="director")
    with rt.sessions.begin() as session, pytest.raises(NotPermitted):
        approve_loan(session, loan_id, actor=session.merge(desk["director"]))


def test_only_archivists_register_loans(rt, desk, graded):
    with rt.sessions.begin() as session, pytest.raises(Forbidden):
        grant_loan(session, graded["restricted"], actor=session.merge(desk["reviewer"]),
                   borrower=desk["cashier"].username, last_day=china_date(), reason="x")
