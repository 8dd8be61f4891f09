"""Legal holds (冻结): while any hold on a case is in force, the case is frozen.

Frozen means: no edits to the case or its documents, no uploads, no sign-off, no appraisal to
destroy and no destruction, until every hold is lifted. The refusal itself is made by
`archive.records.case_guard.ensure_changeable`, the one check every service that changes a case calls.
Placing a hold and that check both lock the case row (on PostgreSQL, `lock_case`), so an upload
running while a hold is placed either commits first or is refused.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require
from archive.errors import n_
from archive.follow_ups import follow_up
from archive.models import Case, LegalHold, RecordState
from archive.models.types import utcnow
from archive.records.errors import CaseDestroyed, Invalid, RecordsError, _
from archive.records.filing import record_of


def active_holds(session: Session, case: Case) -> list[LegalHold]:
    return list(session.scalars(select(LegalHold).where(
        LegalHold.case_id == case.id, LegalHold.lifted_at.is_(None)).order_by(LegalHold.id)))


def holds_of(session: Session, case: Case) -> list[LegalHold]:
    """Every hold ever placed on the case, lifted ones included, oldest first."""
    return list(session.scalars(select(LegalHold).where(LegalHold.case_id == case.id)
                                .order_by(LegalHold.id)))


def place_hold(session: Session, case_no: str, *, actor, reason: str) -> LegalHold:
    require(actor, "records.hold")
    case = get_case(session, actor, case_no)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the legal hold."))
    lock_case(session, case)
    record = record_of(session, case)
    if record is not None and record.state == RecordState.DESTROYED:
        raise CaseDestroyed(_("Case %(case_no)s was destroyed after appraisal; only its metadata "
                              "remains."), case_no=case.case_no)
    hold = LegalHold(case=case, reason=reason, placed_by_id=actor.id,
                     placed_by_name=_name(actor), placed_at=utcnow())
    session.add(hold)
    session.flush()
    audit.record(session, "records.hold_placed", actor=actor, target=case, details={
        "hold": hold.id, "reason": reason, "holds_in_force": len(active_holds(session, case))})
    follow_up(session, "protect_case", case.id)  # the store protects what the archive keeps
    return hold


def lift_hold(session: Session, case_no: str, *, actor, reason: str,
              hold_id: int | None = None) -> LegalHold:
    """Lift one hold (the only one in force if `hold_id` is not given); the case stays frozen
    while another is in force."""
    require(actor, "records.hold")
    case = get_case(session, actor, case_no)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for lifting the legal hold."))
    lock_case(session, case)
    holds = active_holds(session, case)
    if hold_id is not None:
        holds = [h for h in holds if h.id == hold_id]
    if not holds:
        raise RecordsError(_("Case %(case_no)s has no legal hold in force with that number."),
                           case_no=case.case_no)
    if len(holds) > 1:
        raise Invalid(n_("Case %(case_no)s has %(count)s hold in force; say which one to lift "
                         "(%(ids)s).",
                         "Case %(case_no)s has %(count)s holds in force; say which one to lift "
                         "(%(ids)s)."), case_no=case.case_no, count=len(holds),
                      ids=", ".join(f"#{h.id}" for h in holds))
    hold = holds[0]
    hold.lifted_at, hold.lifted_by_id, hold.lifted_by_name = utcnow(), actor.id, _name(actor)
    hold.lift_reason = reason
    session.flush()
    audit.record(session, "records.hold_lifted", actor=actor, target=case, details={
        "hold": hold.id, "reason": reason, "holds_in_force": len(active_holds(session, case))})
    follow_up(session, "protect_case", case.id)  # the store protects what the archive keeps
    return hold


def holds_in_force(session: Session, user, *, limit: int = 500) -> list[LegalHold]:
    """Every hold in force on a case the user may see, oldest first (the archive desk)."""
    require(user, "records.view")
    visible = visible_cases(user).with_only_columns(Case.id)
    return list(session.scalars(select(LegalHold).where(
        LegalHold.lifted_at.is_(None), LegalHold.case_id.in_(visible)).order_by(LegalHold.id).limit(limit)))


def lock_case(session: Session, case: Case) -> None:
    """Serialise holds with changes to the same case (PostgreSQL; SQLite has one writer).

    Exclusive, not shared: a change usually updates the case row too, and two shared locks
    upgraded at once would deadlock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())


def _name(user) -> str:
    return getattr(user, "display_name", None) or user.username
