"""May this case change now? The one answer every service that changes a case or its documents
asks for, before it writes anything.

A case stops changing when
- a legal hold (冻结) is in force: refused with 423 and the holds' reasons, until every hold is
  lifted (archive.records.holds);
- it was destroyed after appraisal: 410, only its metadata remains;
- it is filed in the archive (归档) with an archive number: 409;
- it is closed — its sign-off is over for good: rejected, paid, or approved by a chain with
  nothing to follow (archive.records.filing.closed_on, the definition filing uses): 409.

Which of these stop which change is data (`STOPPED_BY`), keyed by the change's name. Reading,
exporting, lending, holds themselves and re-check findings do not change the case and are not
listed. Every refusal is a `CaseUnchangeable` (archive.records.errors) whose message names the
reason and is translated where it is shown.

It lives with records because every answer comes from them (holds, filing, the errors):
intake, claims and records' own services import it at module level; only the workflow engine
defers it (filing asks the workflow definitions; see tests/unit/test_import_layers.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archive.models import Case, RecordState
from archive.records.errors import CaseClosed, CaseDestroyed, CaseFiled, CaseFrozen, CaseUnchangeable, _
from archive.records.filing import closed_on, record_of
from archive.records.holds import active_holds, lock_case

HOLD, DESTROYED, FILED, CLOSED = "hold", "destroyed", "filed", "closed"
_EVERYTHING = (HOLD, DESTROYED, FILED, CLOSED)

# What stops each change. Appraisal and destruction only happen to filed (hence closed) cases —
# that is where filing leads — so of the four only a hold stops them.
STOPPED_BY: dict[str, tuple[str, ...]] = {
    "case.update": _EVERYTHING,
    "document.upload": _EVERYTHING,
    "document.reclassify": _EVERYTHING,
    "document.delete": _EVERYTHING,
    "field.correct": _EVERYTHING,
    "workflow.submit": _EVERYTHING,
    "workflow.decide": _EVERYTHING,
    "claim.adjust": _EVERYTHING,
    "records.appraise_destroy": (HOLD,),
    "records.approve_destruction": (HOLD,),
    "records.destroy": (HOLD,),
}


def ensure_changeable(session: Session, case: Case, *, action: str, lock: bool = True) -> None:
    """Raise the `CaseUnchangeable` that stops `action` (a key of STOPPED_BY) on this case.

    With `lock`, the case row stays locked until the transaction ends (PostgreSQL), so no hold
    can be placed between this check and the commit of the change: call it before the change's
    first write. Without it the answer is advisory (a pre-check before slow work, repeated
    under the lock later).
    """
    if lock:
        lock_case(session, case)
    refusal = why_unchangeable(session, case, action=action)
    if refusal is not None:
        raise refusal


def why_unchangeable(session: Session, case: Case, *, action: str) -> CaseUnchangeable | None:
    """The refusal `ensure_changeable` would raise, or None when the change may go ahead."""
    stopped_by = STOPPED_BY[action]  # an unknown action is a programming error, not a "yes"
    if HOLD in stopped_by:
        holds = active_holds(session, case)
        if holds:
            return _named(CaseFrozen(
                _("Case %(case_no)s is under legal hold (%(reasons)s); nothing may change until "
                  "every hold is lifted."), case_no=case.case_no,
                reasons="; ".join(f"#{hold.id} {hold.reason}" for hold in holds)), action)
    record = record_of(session, case) if {DESTROYED, FILED} & set(stopped_by) else None
    if record is not None and record.state == RecordState.DESTROYED and DESTROYED in stopped_by:
        return _named(CaseDestroyed(_("Case %(case_no)s was destroyed after appraisal; only its "
                                      "metadata remains."), case_no=case.case_no), action)
    if record is not None and record.state != RecordState.OPEN and FILED in stopped_by:
        return _named(CaseFiled(_("Case %(case_no)s is filed in the archive as %(archive_no)s and "
                                  "can no longer change."), case_no=case.case_no,
                                archive_no=record.archive_no), action)
    if CLOSED in stopped_by and closed_on(session, case) is not None:
        return _named(CaseClosed(_("Case %(case_no)s is closed (its sign-off is over); it and its "
                                   "documents can no longer be changed."), case_no=case.case_no),
                      action)
    return None


def _named(refusal: CaseUnchangeable, action: str) -> CaseUnchangeable:
    refusal.action = action  # for logs and callers; the message names the reason, not the action
    return refusal
