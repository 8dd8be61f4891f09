"""Legal holds (冻结): while any hold on a case is in force, the case is frozen.

Frozen means: no edits to the case or its documents, no uploads, no appraisal to destroy and no
destruction, until every hold is lifted. `ensure_changeable` is the one check every path that
changes a case calls (case edits, uploads, field corrections); it also refuses changes to a
case filed in the archive or destroyed. Placing a hold and the check both lock the case row
(on PostgreSQL), so an upload running while a hold is placed either commits first or is refused.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import get_case
from archive.auth import require
from archive.models import Case, LegalHold, RecordState
from archive.models.types import utcnow
from archive.records import audit
from archive.records.errors import CaseDestroyed, CaseFiled, CaseFrozen, Invalid, RecordsError, _
from archive.records.filing import record_of


def active_holds(session: Session, case: Case) -> list[LegalHold]:
    return list(session.scalars(select(LegalHold).where(
        LegalHold.case_id == case.id, LegalHold.lifted_at.is_(None)).order_by(LegalHold.id)))


def holds_of(session: Session, case: Case) -> list[LegalHold]:
    """Every hold ever placed on the case, lifted ones included, oldest first."""
    return list(session.scalars(select(LegalHold).where(LegalHold.case_id == case.id)
                                .order_by(LegalHold.id)))


def ensure_not_held(session: Session, case: Case, *, lock: bool = True) -> None:
    """Raise CaseFrozen (423) with the holds' reasons while any hold is in force.

    With `lock`, the case row stays locked until the transaction ends, so no hold can be placed
    between this check and the commit of the change (take it just before the change's writes).
    """
    if lock:
        _lock(session, case)
    holds = active_holds(session, case)
    if holds:
        raise CaseFrozen(_("Case %(case_no)s is under legal hold (%(reasons)s); nothing may change "
                           "until every hold is lifted."), case_no=case.case_no,
                         reasons="; ".join(f"#{h.id} {h.reason}" for h in holds))


def ensure_changeable(session: Session, case: Case, *, lock: bool = True) -> None:
    """The check before any change to a case or its documents: not held, filed or destroyed."""
    ensure_not_held(session, case, lock=lock)
    record = record_of(session, case)
    if record is None or record.state == RecordState.OPEN:
        return
    if record.state == RecordState.DESTROYED:
        raise CaseDestroyed(_("Case %(case_no)s was destroyed after appraisal; only its metadata "
                              "remains."), case_no=case.case_no)
    raise CaseFiled(_("Case %(case_no)s is filed in the archive as %(archive_no)s and can no "
                      "longer change."), case_no=case.case_no, archive_no=record.archive_no)


def place_hold(session: Session, case_no: str, *, actor, reason: str) -> LegalHold:
    require(actor, "records.hold")
    case = get_case(session, actor, case_no)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for the legal hold."))
    _lock(session, case)
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
    _lock(session, case)
    holds = active_holds(session, case)
    if hold_id is not None:
        holds = [h for h in holds if h.id == hold_id]
    if not holds:
        raise RecordsError(_("Case %(case_no)s has no legal hold in force with that number."),
                           case_no=case.case_no)
    if len(holds) > 1:
        raise Invalid(_("Case %(case_no)s has %(count)s holds in force; say which one to lift "
                        "(%(ids)s)."), case_no=case.case_no, count=len(holds),
                      ids=", ".join(f"#{h.id}" for h in holds))
    hold = holds[0]
    hold.lifted_at, hold.lifted_by_id, hold.lifted_by_name = utcnow(), actor.id, _name(actor)
    hold.lift_reason = reason
    session.flush()
    audit.record(session, "records.hold_lifted", actor=actor, target=case, details={
        "hold": hold.id, "reason": reason, "holds_in_force": len(active_holds(session, case))})
    return hold


def holds_in_force(session: Session, user, *, limit: int = 500) -> list[LegalHold]:
    """Every hold in force on a case the user may see, oldest first (the archive desk)."""
    from archive.access import visible_cases

    require(user, "records.view")
    visible = visible_cases(user).with_only_columns(Case.id)
    return list(session.scalars(select(LegalHold).where(
        LegalHold.lifted_at.is_(None), LegalHold.case_id.in_(visible)).order_by(LegalHold.id).limit(limit)))


def _lock(session: Session, case: Case) -> None:
    """Serialise holds with changes to the same case (PostgreSQL; SQLite has one writer).

    Exclusive, not shared: a change usually updates the case row too, and two shared locks
    upgraded at once would deadlock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())


def _name(user) -> str:
    return getattr(user, "display_name", None) or user.username
