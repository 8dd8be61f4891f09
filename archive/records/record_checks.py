"""四性检测 in storage: filed records re-checked on a schedule, a slice at a time, and the
records whose latest check failed (for /healthz and the archive desk).

The reports themselves stay in the audit trail (`records.four_properties`, one event per check,
as at filing): the latest event of a case is its current state, so a passing re-check (the
scheduled one, `archive check-record`, or the archivist's button) clears a failure without
anything else to update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from archive.access import case_condition
from archive.models import ArchiveRecord, AuditEvent, Case, NumberSequence, RecordState
from archive.records.four_properties import check_case, record_report

CURSOR = "four-properties-cursor"  # last ArchiveRecord.id checked by the schedule
LAST_RUN = "four-properties-last-run"  # epoch seconds of the last scheduled run
ACTION = "records.four_properties"


@dataclass
class ScheduledCheck:
    checked: int = 0
    failed: list[str] = field(default_factory=list)  # case numbers


def run_scheduled_checks(runtime, *, limit: int, actor_of) -> ScheduledCheck:
    """Check the next `limit` filed records after the saved cursor (wrapping round), one
    transaction per record: its report kept in the trail and the cursor moved past it, so an
    interrupted run loses at most the record it was checking."""
    outcome = ScheduledCheck()
    with runtime.sessions() as session:
        start_after = _cursor(session)
        ids = list(session.scalars(_filed_after(start_after, limit)))
        if len(ids) < limit:  # wrap round to the first filed record
            ids += [i for i in session.scalars(_filed_after(0, limit - len(ids))) if i not in ids]
    for record_id in ids:
        with runtime.sessions.begin() as session:
            record = session.get(ArchiveRecord, record_id)
            if record is None or record.state != RecordState.ARCHIVED:
                continue  # destroyed meanwhile: its register entry stands for it
            case = session.get(Case, record.case_id)
            report = check_case(session, runtime.store, case, limits=runtime.limits,
                                tmp_dir=runtime.tmp_dir)
            record_report(session, case, report, actor=actor_of(session))
            session.execute(update(NumberSequence).where(NumberSequence.name == CURSOR)
                            .values(last_value=record_id))
            outcome.checked += 1
            if not report.passed:
                outcome.failed.append(case.case_no)
    return outcome


def _filed_after(record_id: int, limit: int):
    return (select(ArchiveRecord.id)
            .where(ArchiveRecord.id > record_id, ArchiveRecord.state == RecordState.ARCHIVED)
            .order_by(ArchiveRecord.id).limit(limit))


def _cursor(session: Session) -> int:
    row = session.get(NumberSequence, CURSOR)
    return row.last_value if row else 0


def failed_checks(session: Session, user) -> list[dict]:
    """The cases `user` may see whose latest four-property check failed, newest first:
    {case_no, checked_at, failures: [{property, check, detail, document_id}]}. The latest event
    per case is the one no later event of the case follows (the trail is append-only and ordered)."""
    rows = session.execute(select(AuditEvent.target_id, AuditEvent.details)
                           .join(Case, Case.case_no == AuditEvent.target_id)
                           .where(AuditEvent.action == ACTION, AuditEvent.target_type == "case",
                                  _failed(), ~_superseded(), case_condition(user))
                           .order_by(AuditEvent.id.desc()))
    return [{"case_no": case_no, "checked_at": details.get("checked_at"),
             "failures": [f for f in details.get("findings", []) if f.get("ok") is False]}
            for case_no, details in rows]


def failed_count(session: Session) -> int:
    """How many records' latest check failed (/healthz), counted in the database: failed reports
    with no later report of the same case (failures are few; the later one is found through the
    trail's target index)."""
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == ACTION, AuditEvent.target_type == "case", _failed(), ~_superseded())) or 0


def _failed():
    return AuditEvent.details["passed"].as_boolean().is_(False)


def _superseded():
    """A later report of the same case exists (its outcome, passed or not, is the current one)."""
    later = aliased(AuditEvent)
    return (select(later.id).where(later.target_type == "case", later.target_id == AuditEvent.target_id,
                                   later.action == ACTION, later.id > AuditEvent.id).exists())
