"""Appraisal and destruction (鉴定销毁) of cases whose retention has ended.

A filed case whose retention has ended is on the appraisal list. An appraiser decides: extend
the retention by N years, keep it permanently (both take effect at once), or destroy it. A
destroy decision needs approvals by `disposition.approvals_required` different people
(storage_config/retention.toml; by default not the appraiser). Destruction marks the case's
originals destroyed, clears the text read from them, keeps the case and document rows as a
metadata stub and writes a line of the destruction register (销毁清册), which is never changed.
The bytes leave the store after the commit (`purge_destroyed`), so a failed transaction never
loses an original. A case under legal hold is never destroyed. Every step is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require
from archive.errors import n_
from archive.follow_ups import follow_up
from archive.models import (
    Appraisal,
    AppraisalStatus,
    ArchiveRecord,
    Case,
    DestructionApproval,
    DestructionEntry,
    Document,
    LegalHold,
    RecordState,
    StoredObject,
)
from archive.models.types import utcnow
from archive.records.case_guard import ensure_changeable
from archive.records.errors import CaseDestroyed, Invalid, NotPermitted, RecordsError, _
from archive.records.filing import record_of
from archive.records.holds import active_holds
from archive.retention import china_date, schedule
from archive.tabular import write_csv

DECISIONS = ("destroy", "extend", "permanent")
OPEN_STATUSES = (AppraisalStatus.PENDING, AppraisalStatus.APPROVED)
MAX_EXTEND_YEARS = 100


@dataclass
class AppraisalItem:
    """One line of the appraisal list: a filed case whose retention has ended."""

    record: ArchiveRecord
    case: Case
    decision: Appraisal | None  # the open destroy decision, if any
    holds: list[LegalHold] = field(default_factory=list)
    approvals_required: int = 2

    @property
    def approvals(self) -> int:
        return len(self.decision.approvals) if self.decision else 0

    @property
    def ready_to_destroy(self) -> bool:
        return self.decision is not None and not self.holds and self.approvals >= self.approvals_required


@dataclass(frozen=True)
class Destruction:
    entry: DestructionEntry
    document_ids: list[int]  # to re-index (their text is gone)
    store_keys: list[str]  # bytes to remove after the commit (purge_destroyed)


def appraisal_list(session: Session, user, *, today: date | None = None,
                   limit: int = 500) -> list[AppraisalItem]:
    """Filed cases whose retention ended on or before `today` (China), earliest first."""
    require(user, "records.view")
    today = today or china_date()
    visible = visible_cases(user).with_only_columns(Case.id)
    records = session.scalars(select(ArchiveRecord).where(
        ArchiveRecord.state == RecordState.ARCHIVED, ArchiveRecord.retention_ends_on.is_not(None),
        ArchiveRecord.retention_ends_on <= today, ArchiveRecord.case_id.in_(visible))
        .order_by(ArchiveRecord.retention_ends_on, ArchiveRecord.id).limit(limit))
    required = schedule().approvals_required
    return [AppraisalItem(record, record.case, _open_decision(session, record),
                          active_holds(session, record.case), required) for record in records]


def appraise(session: Session, case_no: str, *, actor, decision: str, opinion: str,
             years: int | str | None = None, today: date | None = None) -> Appraisal:
    """Record an appraisal decision; extend and permanent take effect now, destroy waits for
    its approvals. A new decision withdraws an open one."""
    require(actor, "records.appraise")
    case = get_case(session, actor, case_no)
    record = _filed(session, case)
    today = today or china_date()
    if record.retention_ends_on is None:
        raise RecordsError(_("Case %(case_no)s is kept permanently; there is nothing to appraise."),
                           case_no=case.case_no)
    if record.retention_ends_on > today:
        raise RecordsError(_("The retention of case %(case_no)s runs until %(until)s; it is appraised "
                             "after that."), case_no=case.case_no,
                           until=_last_day(record.retention_ends_on))
    opinion = (opinion or "").strip()
    if decision not in DECISIONS:
        raise Invalid(_("The appraisal decision must be destroy, extend or permanent."))
    if not opinion:
        raise Invalid(_("Write the appraisal opinion."))
    extend = _years(years) if decision == "extend" else None
    if decision == "destroy":
        ensure_changeable(session, case, action="records.appraise_destroy")
    previous = _open_decision(session, record)
    if previous is not None:
        previous.status = AppraisalStatus.WITHDRAWN
    status = AppraisalStatus.PENDING if decision == "destroy" else AppraisalStatus.APPLIED
    appraisal = Appraisal(record=record, decision=decision, extend_years=extend, opinion=opinion,
                          status=status,
                          decided_by_id=actor.id, decided_by_name=_name(actor), decided_at=utcnow(),
                          retention_ended_on=record.retention_ends_on)
    session.add(appraisal)
    before = record.retention_ends_on
    if decision == "extend":
        # Extended from the end of the period, so the 1 January rhythm is kept.
        record.retention_ends_on = date(before.year + extend, 1, 1)
        record.retention_years = (record.retention_years or 0) + extend
    elif decision == "permanent":
        record.retention_ends_on = record.retention_years = None
    session.flush()
    audit.record(session, "records.appraised", actor=actor, target=case, details={
        "appraisal": appraisal.id, "decision": decision, "years": extend, "opinion": opinion,
        "archive_no": record.archive_no, "retention_ended_on": before.isoformat(),
        "retention_ends_on": _iso(record.retention_ends_on),
        "withdrawn": previous.id if previous is not None else None})
    follow_up(session, "protect_case", case.id)  # the store protects what the archive keeps
    return appraisal


def approve_destruction(session: Session, case_no: str, *, actor,
                        opinion: str | None = None) -> Appraisal:
    """One person's approval of the case's destroy decision."""
    require(actor, "records.approve_destruction")
    case = get_case(session, actor, case_no)
    record = _filed(session, case)
    ensure_changeable(session, case, action="records.approve_destruction")
    appraisal = _open_decision(session, record, lock=True)
    if appraisal is None or appraisal.status != AppraisalStatus.PENDING:
        raise RecordsError(_("Case %(case_no)s has no destroy decision waiting for approval."),
                           case_no=case.case_no)
    plan = schedule()
    if appraisal.decided_by_id == actor.id and not plan.appraiser_may_approve:
        raise NotPermitted(_("You decided to destroy case %(case_no)s; other people must approve it."),
                           case_no=case.case_no)
    if any(given.approver_id == actor.id for given in appraisal.approvals):
        raise NotPermitted(_("You already approved destroying case %(case_no)s; another person must "
                             "approve it."), case_no=case.case_no)
    approval = DestructionApproval(appraisal_id=appraisal.id, approver_id=actor.id,
                                   approver_name=_name(actor), approver_role=actor.role,
                                   opinion=(opinion or "").strip() or None, approved_at=utcnow())
    session.add(approval)
    try:
        session.flush()
    except IntegrityError as exc:  # the same person approving twice at the same moment
        raise NotPermitted(_("You already approved destroying case %(case_no)s; another person must "
                             "approve it."), case_no=case.case_no) from exc
    session.refresh(appraisal, ["approvals"])
    if len(appraisal.approvals) >= plan.approvals_required:
        appraisal.status = AppraisalStatus.APPROVED
    session.flush()
    audit.record(session, "records.destruction_approved", actor=actor, target=case, details={
        "appraisal": appraisal.id, "approvals": len(appraisal.approvals),
        "required": plan.approvals_required, "opinion": approval.opinion})
    return appraisal


def destroy(session: Session, case_no: str, *, actor) -> Destruction:
    """Carry out an approved destroy decision; the caller removes the bytes after the commit."""
    require(actor, "records.destroy")
    case = get_case(session, actor, case_no)
    ensure_changeable(session, case, action="records.destroy")
    record = _filed(session, case)
    appraisal = _open_decision(session, record, lock=True)
    required = schedule().approvals_required
    approvers = {a.approver_id for a in appraisal.approvals} if appraisal else set()
    if appraisal is None or appraisal.decision != "destroy" or len(approvers) < required:
        raise RecordsError(n_("Case %(case_no)s needs a destroy decision approved by %(required)s "
                              "person before it is destroyed (it has %(given)s).",
                              "Case %(case_no)s needs a destroy decision approved by %(required)s "
                              "different people before it is destroyed (it has %(given)s).",
                              "required"),
                           case_no=case.case_no, required=required, given=len(approvers))
    now = utcnow()
    keys, pages = [], 0
    for document in case.documents:
        stored = document.stored_object
        if stored.destroyed_at is None and not _kept_elsewhere(session, stored, case):
            stored.destroyed_at = now
            keys.append(stored.store_key)
        document.fields, document.checks, document.field_sources = {}, [], None
        for correction in document.corrections:  # who corrected what and when stays; the values go
            correction.machine_value = correction.previous_value = correction.value = None
        for page in document.pages:
            page.text = page.words = None
        pages += document.page_count
    record.state, record.destroyed_at = RecordState.DESTROYED, now
    appraisal.status = AppraisalStatus.EXECUTED
    entry = DestructionEntry(
        case_no=case.case_no, archive_no=record.archive_no,
        title=f"{case.claimant_name} · {case.claim_type} · {case.case_no}",
        record_class=record.record_class, archive_year=record.archive_year,
        retention=record.retention_code, retention_ended_on=appraisal.retention_ended_on,
        documents=len(case.documents), pages=pages,
        objects=[{"sha256": d.stored_object.sha256, "size": d.stored_object.size,
                  "removed": d.stored_object.store_key in keys} for d in case.documents],
        appraisal_opinion=appraisal.opinion, appraised_by=appraisal.decided_by_name,
        approved_by="、".join(a.approver_name for a in appraisal.approvals),
        destroyed_by=_name(actor), destroyed_at=now)
    session.add(entry)
    session.flush()
    audit.record(session, "records.destroyed", actor=actor, target=case, details={
        "archive_no": record.archive_no, "appraisal": appraisal.id, "register_entry": entry.id,
        "documents": entry.documents, "objects_removed": len(keys)})
    return Destruction(entry, [d.id for d in case.documents], keys)


def purge_destroyed(sessions, store, keys: list[str] | None = None) -> int:
    """Remove from the store the bytes of destroyed originals (after the destruction committed).

    Idempotent: run with no keys, it removes whatever a crash after a commit left behind. A key
    is re-read first, so bytes kept again by a new upload are left alone.
    """
    with sessions() as session:
        query = select(StoredObject.store_key).where(StoredObject.destroyed_at.is_not(None))
        if keys is not None:
            query = query.where(StoredObject.store_key.in_(keys))
        doomed = list(session.scalars(query))
    for key in doomed:
        store.delete(key)
    return len(doomed)


def after_destruction(runtime, result: Destruction) -> None:
    """The follow-up of a committed destruction: remove the bytes, re-index the documents (their
    text is gone, so search no longer finds it)."""
    purge_destroyed(runtime.sessions, runtime.store, result.store_keys)
    for document_id in result.document_ids:
        runtime.queue.submit("index_document", document_id)


def destruction_register(session: Session, user) -> list[DestructionEntry]:
    require(user, "records.register")
    return list(session.scalars(select(DestructionEntry).order_by(DestructionEntry.id)))


REGISTER_COLUMNS = ("entry", "archive_no", "case_no", "title", "record_class", "archive_year",
                    "retention", "retention_ended_on", "documents", "pages", "appraisal_opinion",
                    "appraised_by", "approved_by", "destroyed_by", "destroyed_at", "sha256")


def write_register_csv(session: Session, user, out: TextIO) -> int:
    """The destruction register as CSV (UTF-8 with BOM, formulas neutralised); the export is an
    audit event. Returns the number of entries."""
    entries = destruction_register(session, user)
    write_csv(out, REGISTER_COLUMNS, (
        [e.id, e.archive_no, e.case_no, e.title, e.record_class, e.archive_year,
         e.retention, e.retention_ended_on.isoformat(), e.documents, e.pages,
         e.appraisal_opinion, e.appraised_by, e.approved_by, e.destroyed_by,
         e.destroyed_at.isoformat(), " ".join(o["sha256"] for o in e.objects)] for e in entries))
    audit.record(session, "records.register_exported", actor=user, details={"entries": len(entries)})
    return len(entries)


def _filed(session: Session, case: Case) -> ArchiveRecord:
    record = record_of(session, case)
    if record is not None and record.state == RecordState.DESTROYED:
        raise CaseDestroyed(_("Case %(case_no)s was destroyed after appraisal; only its metadata "
                              "remains."), case_no=case.case_no)
    if record is None or record.state != RecordState.ARCHIVED:
        raise RecordsError(_("Case %(case_no)s is not filed in the archive."), case_no=case.case_no)
    return record


def _open_decision(session: Session, record: ArchiveRecord, *, lock: bool = False) -> Appraisal | None:
    query = select(Appraisal).where(Appraisal.record_id == record.id,
                                    Appraisal.status.in_(OPEN_STATUSES)).order_by(Appraisal.id.desc())
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # approvals of one decision one after another
    return session.scalars(query).first()


def _kept_elsewhere(session: Session, stored: StoredObject, case: Case) -> bool:
    """The same bytes belong to another case that is not destroyed (a duplicate submission)."""
    return session.scalar(
        select(Document.id).outerjoin(ArchiveRecord, ArchiveRecord.case_id == Document.case_id)
        .where(Document.object_id == stored.id, Document.case_id != case.id,
               or_(ArchiveRecord.id.is_(None), ArchiveRecord.state != RecordState.DESTROYED))
        .limit(1)) is not None


def _years(value) -> int:
    try:
        years = int(str(value).strip())
    except (TypeError, ValueError):
        years = 0
    if not 1 <= years <= MAX_EXTEND_YEARS:
        raise Invalid(_("Extend the retention by a whole number of years from 1 to %(max)s."),
                      max=MAX_EXTEND_YEARS)
    return years


def _last_day(first_day_after: date) -> str:
    return date(first_day_after.year - 1, 12, 31).isoformat()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _name(user) -> str:
    return getattr(user, "display_name", None) or user.username
