"""Keeping the index a view of the database, read from the audit trail.

Every change that matters to search is an audit event written in the same transaction as the
change (a document read, re-classified or deleted, a case corrected, a sign-off that moves its
case on). The index remembers the id of the last event it has caught up with; `catch_up` reads
the events after it and re-indexes the documents and cases they name. Nothing is lost when a
job is: the next catch-up (after the next change, or the sweep) finds the same events. Only the
single index writer (the search queue) runs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.models import AuditEvent, Case, Document
from archive.search.index import SearchIndex, index_documents
from archive.search.marks import current_mark, read_mark, write_mark

log = logging.getLogger(__name__)

DOCUMENT_ACTIONS = ("document.processed", "document.reclassify", "document.delete", "field.correct")
CASE_ACTIONS = ("case.update",)
CASE_ACTION_PREFIXES = ("workflow.",)  # sign-offs move status and step
BATCH = 5000  # events per round
LAG_COUNT_LIMIT = 100_000  # a health probe counts no further


@dataclass
class CatchUp:
    events: int = 0
    documents: int = 0
    mark: int = 0


def index_mark(index) -> int | None:
    """The mark of either backend: a file beside the Whoosh index, a row beside the table."""
    if getattr(index, "name", None) == "postgres":
        from archive.search.pg_index import read_mark as read_row

        return read_row(index)
    return read_mark(index.path)


def set_index_mark(index, mark: int) -> None:
    if getattr(index, "name", None) == "postgres":
        from archive.search.pg_index import write_mark as write_row

        return write_row(index, mark)
    return write_mark(index.path, mark)


def _relevant():
    return or_(AuditEvent.action.in_(DOCUMENT_ACTIONS + CASE_ACTIONS),
               *(AuditEvent.action.startswith(prefix) for prefix in CASE_ACTION_PREFIXES))


def lag(session: Session, index_dir: Path) -> dict:
    """How far the index at `index_dir` is behind the database: the changes to search it has not
    taken in yet (counted up to LAG_COUNT_LIMIT) and when the oldest of them was made."""
    return lag_after(session, read_mark(index_dir) or 0)


def lag_after(session: Session, mark: int) -> dict:
    pending = select(AuditEvent.occurred_at).where(AuditEvent.id > mark, _relevant())
    counted = session.scalar(select(func.count()).select_from(pending.limit(LAG_COUNT_LIMIT).subquery()))
    oldest = session.scalar(pending.order_by(AuditEvent.id).limit(1)) if counted else None
    return {"pending_changes": counted, "oldest_pending": oldest}


def catch_up(index: SearchIndex, session: Session) -> CatchUp:
    """Re-index what changed since the index's mark; returns what was done."""
    report = CatchUp(mark=index_mark(index) or 0)
    if index_mark(index) is None:
        # An index from before marks were kept: trust it from now on (`archive reindex` if not).
        report.mark = current_mark(session)
        set_index_mark(index, report.mark)
        return report
    # Events are appended under a lock held until their transaction commits, so every event up
    # to the newest one seen now is committed: the mark can move to it, past irrelevant events.
    newest = current_mark(session)
    while report.mark < newest:
        events = session.execute(
            select(AuditEvent.id, AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id)
            .where(AuditEvent.id > report.mark, AuditEvent.id <= newest, _relevant())
            .order_by(AuditEvent.id).limit(BATCH)).all()
        if not events:
            report.mark = newest
            set_index_mark(index, newest)
            break
        document_ids, case_nos = set(), set()
        for event in events:
            if event.target_type == "document" and event.target_id and event.target_id.isdigit():
                document_ids.add(int(event.target_id))
            elif event.target_type == "case" and event.target_id:
                case_nos.add(event.target_id)
        if case_nos:
            document_ids |= set(session.scalars(select(Document.id).join(Case).where(
                Case.case_no.in_(case_nos))))
        report.documents += index_documents(index, session, document_ids) if document_ids else 0
        report.events += len(events)
        report.mark = events[-1].id
        set_index_mark(index, report.mark)
        session.expunge_all()
    if report.events:
        log.info("search index caught up: %d events, %d documents", report.events, report.documents)
    return report
