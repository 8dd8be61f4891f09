"""四性检测 in storage: filed records re-checked on a schedule, a slice at a time, and the
records whose latest check failed (for /healthz and the archive desk).

The reports themselves stay in the audit trail (`records.four_properties`, one event per check,
as at filing); a failed one stands as a RecordCheckFailure row until a passing re-check (the
scheduled one, `archive check-record`, or the archivist's button) deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.access import case_condition
from archive.models import (
    ArchiveRecord,
    AuditEvent,
    Case,
    NumberSequence,
    RecordCheckFailure,
    RecordState,
)
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
    {case_no, checked_at, failures: [{property, check, detail, document_id}]}, read from the
    failed report itself."""
    rows = session.execute(select(Case.case_no, AuditEvent.details)
                           .join(RecordCheckFailure, RecordCheckFailure.case_id == Case.id)
                           .join(AuditEvent, AuditEvent.id == RecordCheckFailure.event_id)
                           .where(case_condition(user)).order_by(RecordCheckFailure.event_id.desc()))
    return [{"case_no": case_no, "checked_at": details.get("checked_at"),
             "failures": [f for f in details.get("findings", []) if f.get("ok") is False]}
            for case_no, details in rows]


def failed_count(session: Session) -> int:
    """How many records' latest check failed (/healthz)."""
    return session.scalar(select(func.count()).select_from(RecordCheckFailure)) or 0
