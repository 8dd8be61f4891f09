"""Loans (借阅) of a case file to one person for a limited time.

A person whose clearance is below a case's access grade sees it only during a loan. An archivist
registers the loan (borrower, case, last day, reason); it is in force once approved by a person
with "loans.approve" other than the borrower and — unless retention.toml [loans] says otherwise —
other than the archivist who registered it. A loan ends by itself after its last day (checked at
every access in archive.access, so no job has to run) or earlier when revoked. Every step is an
audit event on the case, and every view or download under a loan names the loan in its event.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import can, require
from archive.auth.permissions import SYSTEM_ROLE
from archive.errors import n_
from archive.models import Loan, LoanStatus, User
from archive.models.types import utcnow
from archive.records.errors import Invalid, NotPermitted, RecordsError, _
from archive.retention import CHINA, china_date, schedule


def loan_end(last_day: date) -> datetime:
    """A loan "until 30 November" may be used all that day in China, and ends at midnight."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=CHINA)


def grant_loan(session: Session, case_no: str, *, actor, borrower: str, last_day: date | str,
               reason: str) -> Loan:
    """Register a loan of `case_no` to the user named `borrower` up to and including `last_day`;
    it waits for approval by another person."""
    require(actor, "loans.grant")
    case = get_case(session, actor, case_no)
    person = session.scalar(select(User).where(User.username == (borrower or "").strip(),
                                               User.role != SYSTEM_ROLE, User.is_active.is_(True)))
    if person is None:
        raise Invalid(_("There is no active account %(username)s."), username=borrower)
    if person.id == actor.id:
        raise NotPermitted(_("You cannot lend a case to yourself."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the case is lent (借阅事由)."))
    day = _day(last_day)
    today, longest = china_date(), schedule().loan_max_days
    if not today <= day <= today + timedelta(days=longest - 1):
        raise Invalid(n_("A loan ends between today and %(days)s day from now.",
                         "A loan ends between today and %(days)s days from now.", "days"), days=longest)
    loan = Loan(case=case, borrower_id=person.id, reason=reason, until=loan_end(day),
                granted_by_id=actor.id, granted_by_name=actor.display_name)
    session.add(loan)
    session.flush()
    audit.record(session, "loan.grant", actor=actor, target=case, details={
        "loan": loan.id, "borrower": person.username, "last_day": day.isoformat(), "reason": reason})
    return loan


def approve_loan(session: Session, loan_id: int, *, actor) -> Loan:
    require(actor, "loans.approve")
    loan = _loan(session, loan_id)
    if loan.status != LoanStatus.PENDING:
        raise RecordsError(_("Loan #%(id)s is %(status)s; only a pending loan can be approved."),
                           id=loan.id, status=loan.status)
    if actor.id == loan.borrower_id:
        raise NotPermitted(_("You cannot approve a loan to yourself."))
    if actor.id == loan.granted_by_id and not schedule().loan_approver_may_be_granter:
        raise NotPermitted(_("Another person must approve the loan you registered."))
    loan.approved_by_id, loan.approved_by_name, loan.approved_at = actor.id, actor.display_name, utcnow()
    session.flush()
    audit.record(session, "loan.approve", actor=actor, target=loan.case,
                 details={"loan": loan.id, "borrower": loan.borrower.username})
    return loan


def revoke_loan(session: Session, loan_id: int, *, actor, reason: str) -> Loan:
    """End a loan before its day (returned early, or granted by mistake)."""
    require(actor, "loans.grant")
    loan = _loan(session, loan_id)
    if loan.status in (LoanStatus.REVOKED, LoanStatus.EXPIRED):
        raise RecordsError(_("Loan #%(id)s is already over."), id=loan.id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the loan ends early."))
    loan.revoked_by_id, loan.revoked_by_name = actor.id, actor.display_name
    loan.revoked_at, loan.revoke_reason = utcnow(), reason
    session.flush()
    audit.record(session, "loan.revoke", actor=actor, target=loan.case,
                 details={"loan": loan.id, "borrower": loan.borrower.username, "reason": reason})
    return loan


def list_loans(session: Session, user, *, limit: int = 200) -> list[Loan]:
    """Newest first: every loan for the archive desk, a person's own loans for anyone else.
    Expired and revoked loans stay on the list with their status."""
    query = select(Loan).order_by(Loan.id.desc()).limit(limit)
    if not (can(user, "loans.grant") or can(user, "loans.approve")):
        query = query.where(Loan.borrower_id == user.id)
    return list(session.scalars(query))


def may_manage(user) -> bool:
    return can(user, "loans.grant") or can(user, "loans.approve")


def _loan(session: Session, loan_id: int) -> Loan:
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise Invalid(_("There is no loan #%(id)s."), id=loan_id)
    return loan


def _day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(_("Give the last day of the loan as YYYY-MM-DD.")) from None


