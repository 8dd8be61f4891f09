"""Classifying and filing a closed case (归档): record class, archive number (档号), retention.

When is a case closed? When its sign-off is over for good: it has run at least one chain, no
chain is still open (active, returned for correction, or waiting), and either a chain rejected
it or the last chain has no follow-up (`then`) — in practice the case status is "paid" (the
payment chain signed), "rejected", or "approved" by a chain that pays nothing (referral). The
closing day is the day (in China) the last chain finished; retention counts from 1 January of
the following year, and the archive year in the 档号 is the closing year.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require
from archive.files.validate import Limits
from archive.follow_ups import follow_up
from archive.models import ArchiveRecord, Case, RecordState, WorkflowInstance, WorkflowStatus
from archive.models.sequences import next_in_sequence
from archive.models.types import utcnow
from archive.records.errors import CaseFiled, Invalid, RecordCheckFailed, RecordsError, _
from archive.records.four_properties import check_case, filed_package, record_report
from archive.retention import RecordClass, china_date, retention_ends_on, schedule
from archive.signoff import registry
from archive.storage import ObjectStore

CLOSED_STATUSES = ("paid", "rejected", "approved")  # candidates; closed_on() decides


def closed_on(session: Session, case: Case) -> date | None:
    """The day the case closed, or None while its sign-off is not over (see the module doc)."""
    runs = list(session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)
                                .order_by(WorkflowInstance.id)))
    if not runs or any(run.status in WorkflowStatus.OPEN for run in runs):
        return None
    rejected = any(run.status == WorkflowStatus.REJECTED for run in runs)
    if not rejected and registry().get(runs[-1].definition).then is not None:
        return None
    finished = [run.finished_at for run in runs if run.finished_at is not None]
    return china_date(max(finished)) if finished else None


def record_of(session: Session, case: Case) -> ArchiveRecord | None:
    return session.scalar(select(ArchiveRecord).where(ArchiveRecord.case_id == case.id))


def derived_class(case: Case) -> RecordClass:
    """The class the schedule gives a case by its claim type and the kinds of its documents."""
    return schedule().classify(case.claim_type, [document.kind for document in case.documents])


def record_class_of(session: Session, case: Case) -> RecordClass:
    record = record_of(session, case)
    return schedule().get(record.record_class) if record else derived_class(case)


def set_record_class(session: Session, case_no: str, *, actor, record_class: str,
                     reason: str) -> ArchiveRecord:
    """An archivist's choice of class, before the case is filed (filing fixes it in the 档号)."""
    require(actor, "records.classify")
    case = get_case(session, actor, case_no)
    chosen = _known_class(record_class)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the record class is changed."))
    record = record_of(session, case)
    if record is not None and record.state != RecordState.OPEN:
        raise CaseFiled(_("Case %(case_no)s is filed as %(archive_no)s; its class can no longer "
                          "change."), case_no=case.case_no, archive_no=record.archive_no)
    before = record.record_class if record else derived_class(case).code
    if record is None:
        record = ArchiveRecord(case=case, state=RecordState.OPEN)
        session.add(record)
    record.record_class, record.class_overridden = chosen.code, True
    record.access_grade = chosen.access_grade
    session.flush()
    audit.record(session, "records.classified", actor=actor, target=case, details={
        "before": before, "after": chosen.code, "reason": reason})
    return record


def file_case(session: Session, case_no: str, *, actor, store: ObjectStore, limits: Limits,
              tmp_dir: Path, record_class: str | None = None) -> ArchiveRecord:
    """File a closed case: fix its class, give it the next archive number, start its retention.
    Its four-property check (四性检测) must pass first; the report goes into the trail."""
    require(actor, "records.file")
    case = get_case(session, actor, case_no)
    record = record_of(session, case)
    if record is not None and record.state != RecordState.OPEN:
        raise CaseFiled(_("Case %(case_no)s is already filed as %(archive_no)s."),
                        case_no=case.case_no, archive_no=record.archive_no)
    closed = closed_on(session, case)
    if closed is None:
        raise RecordsError(_("Case %(case_no)s is not closed yet (its sign-off is not over); only "
                             "closed cases are filed."), case_no=case.case_no)
    if record_class:
        chosen = _known_class(record_class)
    else:
        chosen = schedule().get(record.record_class) if record else derived_class(case)
    check = check_case(session, store, case, limits=limits, tmp_dir=tmp_dir)
    if not check.passed:
        raise RecordCheckFailed(_("Case %(case_no)s is not filed: its four-property check failed "
                                  "(%(failures)s)."), case_no=case.case_no, failures="; ".join(
            f"{f.property} {f.check}{f' #{f.document_id}' if f.document_id else ''}: {f.detail}"
            for f in check.failures))
    record_report(session, case, check, actor=actor)
    plan = schedule()
    code = plan.retention_code(chosen.retention_years)
    item = next_in_sequence(session, f"archive:{plan.fonds_code}:{closed.year}:{code}")
    if record is None:
        record = ArchiveRecord(case=case)
        session.add(record)
    record.record_class, record.access_grade = chosen.code, chosen.access_grade
    record.class_overridden = record.class_overridden or bool(record_class)
    record.state, record.closed_on = RecordState.ARCHIVED, closed
    record.fonds_code, record.archive_year, record.retention_code = plan.fonds_code, closed.year, code
    record.department_code, record.item_number = chosen.department_code, item
    record.archive_no = plan.separator.join([plan.fonds_code, str(closed.year), code,
                                             chosen.department_code, f"{item:0{plan.item_digits}d}"])
    record.retention_years = chosen.retention_years
    record.retention_ends_on = retention_ends_on(closed, chosen.retention_years)
    record.archived_at, record.archived_by_id = utcnow(), actor.id
    session.flush()
    audit.record(session, "records.filed", actor=actor, target=case, details={
        "archive_no": record.archive_no, "record_class": chosen.code, "closed_on": closed.isoformat(),
        "retention": code, "retention_ends_on": _iso(record.retention_ends_on),
        "package": filed_package(case.documents)})
    follow_up(session, "protect_case", case.id)  # the store protects what the archive keeps
    return record


def closed_unfiled(session: Session, user, *, limit: int = 200) -> list[tuple[Case, date, RecordClass]]:
    """Closed cases not yet filed, oldest first, with the class each would get."""
    require(user, "records.view")
    filed = select(ArchiveRecord.case_id).where(ArchiveRecord.state != RecordState.OPEN)
    candidates = session.scalars(
        visible_cases(user).where(Case.status.in_(CLOSED_STATUSES), Case.id.not_in(filed))
        .order_by(Case.id).limit(limit))
    result = []
    for case in candidates:
        closed = closed_on(session, case)
        if closed is not None:
            result.append((case, closed, record_class_of(session, case)))
    return result


def _known_class(code: str) -> RecordClass:
    try:
        return schedule().get(code)
    except KeyError:
        raise Invalid(_("There is no record class %(code)s; see storage_config/retention.toml."),
                      code=code) from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
