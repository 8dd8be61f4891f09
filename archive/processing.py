"""Working on a received document: claim it, read its pages, record the outcome.

A document is claimed with a lease (an atomic UPDATE), so two jobs for the same document never
work at once and a job that died is noticed when its lease runs out. Safe to run again: a
processed document is skipped.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archive.intake.spool import spool
from archive.intake.validate import Limits, Rejected, inspect_file
from archive.models import Document, Page
from archive.models.cases import DocumentStatus
from archive.models.types import utcnow
from archive.ocr import Reading, analyse, read_pages
from archive.ocr.extract import MIN_CONFIDENCE
from archive.records import audit
from archive.storage import ObjectStore, StoreError

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = (StoreError, OperationalError, ConnectionError, TimeoutError)


def claim(sessions: sessionmaker[Session], document_id: int, lease_seconds: int) -> bool:
    now = utcnow()
    with sessions.begin() as session:
        result = session.execute(
            update(Document)
            .where(
                Document.id == document_id,
                or_(
                    Document.status == DocumentStatus.RECEIVED,
                    (Document.status == DocumentStatus.PROCESSING) & (Document.lease_until < now),
                ),
            )
            .values(status=DocumentStatus.PROCESSING, lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=Document.attempts + 1)
        )
        return result.rowcount == 1


def process_document(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
                     document_id: int, lease_seconds: int, tmp_dir, delay_seconds: float = 0,
                     min_confidence: float = MIN_CONFIDENCE) -> str:
    """Process one document; returns "processed", "failed" or "skipped"."""
    if not claim(sessions, document_id, lease_seconds):
        return "skipped"
    try:
        with sessions() as session:
            document = session.get_one(Document, document_id)
            key, kind = document.stored_object.store_key, document.kind
        with store.open(key) as stream:
            spooled = spool(stream, max_bytes=limits.max_bytes * 4, tmp_dir=tmp_dir)
        try:
            if delay_seconds:
                time.sleep(delay_seconds)  # fault-injection setting for crash tests; 0 in use
            content_type, _ = inspect_file(spooled.path, spooled.size, limits)
            reading = analyse(list(read_pages(spooled.path, content_type)), kind=kind,
                              min_confidence=min_confidence)
        finally:
            spooled.discard()
    except TRANSIENT_ERRORS:
        _release(sessions, document_id)
        raise
    except (Rejected, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        _finish(sessions, document_id, failed_reason=reason)
        return "failed"
    _finish(sessions, document_id, reading=reading)
    return "processed"


def _finish(sessions, document_id: int, *, reading: Reading | None = None,
            failed_reason: str | None = None) -> None:
    with sessions.begin() as session:
        document = session.get_one(Document, document_id)
        if document.status != DocumentStatus.PROCESSING:
            return  # a job that outlived its lease; another one already finished the work
        document.lease_until = None
        document.processed_at = utcnow()
        if failed_reason:
            document.status = DocumentStatus.FAILED
            document.failure_reason = failed_reason[:1000]
            audit.record(session, "document.failed", target=document, details={"reason": failed_reason})
            return
        session.execute(delete(Page).where(Page.document_id == document_id))
        session.add_all(
            Page(document_id=document_id, number=p.number, source=p.source, text=p.text,
                 confidence=p.confidence, error=p.error,
                 words=[[w.text, w.left, w.top, w.width, w.height, w.confidence] for w in p.words] or None)
            for p in reading.pages)
        document.page_count = len(reading.pages)
        if document.kind is None and reading.kind:
            document.kind, document.kind_guessed = reading.kind, True
        document.fields, document.checks = reading.fields, reading.checks
        document.needs_check = reading.needs_check
        document.status = DocumentStatus.PROCESSED
        document.failure_reason = None
        audit.record(session, "document.processed", target=document, details={
            "pages": len(reading.pages), "kind": document.kind, "kind_guessed": document.kind_guessed,
            "fields": sorted(reading.fields), "findings": [c["code"] for c in reading.checks]})


def _release(sessions, document_id: int) -> None:
    """Give the document back for a retry after a passing failure (best effort)."""
    try:
        with sessions.begin() as session:
            session.execute(
                update(Document)
                .where(Document.id == document_id, Document.status == DocumentStatus.PROCESSING)
                .values(status=DocumentStatus.RECEIVED, lease_until=None)
            )
    except OperationalError:
        log.warning("could not release document %s; its lease will expire", document_id)
