"""A case's retention and hold record, as plain data: for the case page and the case-file export."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Appraisal, Case, DestructionEntry
from archive.records.filing import closed_on, record_class_of, record_of
from archive.records.holds import holds_of
from archive.retention import schedule


def retention_record(session: Session, case: Case) -> dict:
    """Class, archive number, retention, holds (lifted ones too), appraisals and destruction."""
    record = record_of(session, case)
    record_class = record_class_of(session, case)
    closed = record.closed_on if record is not None and record.closed_on else closed_on(session, case)
    holds = holds_of(session, case)
    appraisals = list(session.scalars(select(Appraisal).where(Appraisal.record_id == record.id)
                                      .order_by(Appraisal.id))) if record is not None else []
    entry = session.scalar(select(DestructionEntry).where(DestructionEntry.case_no == case.case_no))
    return {
        "state": record.state if record is not None else "not_filed",
        "record_class": {"code": record_class.code, "zh": record_class.zh, "en": record_class.en,
                         "overridden": bool(record and record.class_overridden)},
        "access_grade": record.access_grade if record is not None else record_class.access_grade,
        "closed_on": _iso(closed),
        "archive_no": record.archive_no if record is not None else None,
        "retention_code": (record.retention_code if record is not None and record.retention_code
                           else schedule().retention_code(record_class.retention_years)),
        "retention_years": (record.retention_years if record is not None and record.archive_no
                            else record_class.retention_years),
        "permanent": (record.retention_ends_on is None if record is not None and record.archive_no
                      else record_class.retention_years is None),
        "retention_ends_on": _iso(record.retention_ends_on) if record is not None else None,
        "archived_at": _iso(record.archived_at) if record is not None else None,
        "frozen": any(hold.active for hold in holds),
        "holds": [{"id": h.id, "reason": h.reason, "placed_by": h.placed_by_name,
                   "placed_at": _iso(h.placed_at), "lifted_by": h.lifted_by_name,
                   "lifted_at": _iso(h.lifted_at), "lift_reason": h.lift_reason} for h in holds],
        "appraisals": [{"id": a.id, "decision": a.decision, "years": a.extend_years,
                        "opinion": a.opinion, "status": a.status, "decided_by": a.decided_by_name,
                        "decided_at": _iso(a.decided_at),
                        "retention_ended_on": _iso(a.retention_ended_on),
                        "approvals": [{"by": p.approver_name, "role": p.approver_role,
                                       "at": _iso(p.approved_at), "opinion": p.opinion}
                                      for p in a.approvals]} for a in appraisals],
        "destruction": None if entry is None else {
            "register_entry": entry.id, "destroyed_by": entry.destroyed_by,
            "destroyed_at": _iso(entry.destroyed_at), "approved_by": entry.approved_by,
            "objects": entry.objects},
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
