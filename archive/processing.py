"""Working on a received document: claim it, read its pages, record the outcome.

A document is claimed with a lease (an atomic UPDATE), so two jobs for the same document never
work at once. The running job renews the lease (a heartbeat), so the lease can be short and a job
that died is noticed within a minute, however long a live one may run. Safe to run again: a
processed document is skipped. A file that cannot be read fails with its reason at once; one that
kills its worker (tesseract crashing, memory) is given up after `max_attempts` claims, so no
document is retried forever.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archive import audit
from archive.files.spool import readable_file
from archive.files.validate import Limits, Rejected, inspect_file
from archive.models import Document, Page
from archive.models.cases import DocumentStatus
from archive.models.types import utcnow
from archive.ocr import Reading
from archive.ocr.einvoice import read_document
from archive.ocr.extract import MIN_CONFIDENCE
from archive.storage import ObjectStore, StoreError

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = (StoreError, OperationalError, ConnectionError, TimeoutError)
MAX_ATTEMPTS = 5  # more than the job retries (jobs.retries) that transient errors use


def claim(sessions: sessionmaker[Session], document_id: int, lease_seconds: float, *,
          max_attempts: int = MAX_ATTEMPTS) -> datetime | None:
    """Take the document for processing: the end of the lease, or None if it is not claimable."""
    now = utcnow()
    lease_until = now + timedelta(seconds=lease_seconds)
    claimable = or_(Document.status == DocumentStatus.RECEIVED,
                    (Document.status == DocumentStatus.PROCESSING) & (Document.lease_until < now))
    with sessions.begin() as session:
        result = session.execute(
            update(Document)
            .where(Document.id == document_id, claimable, Document.attempts < max_attempts)
            .values(status=DocumentStatus.PROCESSING, lease_until=lease_until,
                    attempts=Document.attempts + 1)
        )
        if result.rowcount == 1:
            return lease_until
        # Every earlier attempt died without finishing (the job never reported back): give up.
        document = session.execute(
            select(Document).where(Document.id == document_id, claimable,
                                   Document.attempts >= max_attempts).with_for_update()
        ).scalar_one_or_none()
        if document is not None:
            reason = (f"processing stopped without finishing {document.attempts} times "
                      "(the file may crash the reader); not retried")
            document.status, document.lease_until = DocumentStatus.FAILED, None
            document.failure_reason, document.processed_at = reason, now
            audit.record(session, "document.failed", target=document, details={"reason": reason})
        return None


class LeaseKeeper:
    """Renews a claimed document's lease every third of it while the job runs.

    The lease's end doubles as a fencing token: a renewal only moves the end this job set, so a job
    that lost its lease (paused past it, and another job took the document) stops renewing instead
    of extending the other's.
    """

    def __init__(self, sessions: sessionmaker[Session], document_id: int, lease_seconds: float,
                 lease_until: datetime) -> None:
        self.sessions, self.document_id = sessions, document_id
        self.lease_seconds, self.lease_until = lease_seconds, lease_until
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{document_id}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.lease_seconds / 3):
            if not self.renew():
                return

    def renew(self) -> bool:
        """Move the lease's end on; False once the lease is no longer this job's."""
        new_end = utcnow() + timedelta(seconds=self.lease_seconds)
        try:
            with self.sessions.begin() as session:
                renewed = session.execute(
                    update(Document)
                    .where(Document.id == self.document_id,
                           Document.status == DocumentStatus.PROCESSING,
                           Document.lease_until == self.lease_until)
                    .values(lease_until=new_end)
                ).rowcount == 1
        except OperationalError:  # a busy database: the lease still has two thirds to run
            log.warning("could not renew the lease on document %s; trying again", self.document_id)
            return True
        if renewed:
            self.lease_until = new_end
        else:
            log.warning("document %s: the lease was lost to another job", self.document_id)
        return renewed


def process_document(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
                     document_id: int, lease_seconds: float, tmp_dir, delay_seconds: float = 0,
                     min_confidence: float = MIN_CONFIDENCE, max_attempts: int = MAX_ATTEMPTS) -> str:
    """Process one document; returns "processed", "failed" or "skipped"."""
    lease_until = claim(sessions, document_id, lease_seconds, max_attempts=max_attempts)
    if lease_until is None:
        return "skipped"
    with LeaseKeeper(sessions, document_id, lease_seconds, lease_until):
        return _process_claimed(sessions, store, limits, document_id=document_id, tmp_dir=tmp_dir,
                                delay_seconds=delay_seconds, min_confidence=min_confidence)


def _process_claimed(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
                     document_id: int, tmp_dir, delay_seconds: float, min_confidence: float) -> str:
    try:
        with sessions() as session:
            document = session.get_one(Document, document_id)
            key, kind = document.stored_object.store_key, document.kind
            case = {"claimant_name": document.case.claimant_name,
                    "claimant_id_number": document.case.claimant_id_number,
                    "insurance_number": document.case.insurance_number}
        with readable_file(store, key, max_bytes=limits.max_bytes * 4, tmp_dir=tmp_dir) as path:
            if delay_seconds:
                time.sleep(delay_seconds)  # fault-injection setting for crash tests; 0 in use
            content_type, _ = inspect_file(path, path.stat().st_size, limits)
            reading = read_document(path, content_type, kind=kind, min_confidence=min_confidence,
                                    case=case, max_ocr_pages=limits.max_ocr_pages)
    except TRANSIENT_ERRORS:
        _release(sessions, document_id)
        raise
    except (Rejected, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        _finish(sessions, document_id, failed_reason=reason)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - a file no reader copes with fails; it is not retried
        log.exception("document %s could not be read", document_id)
        _finish(sessions, document_id,
                failed_reason=f"the file could not be read ({type(exc).__name__}: {str(exc)[:300]})")
        return "failed"
    except BaseException:  # the worker is stopping (SIGTERM, Ctrl-C): the work is not done
        _release(sessions, document_id)
        raise
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
                 confidence=p.confidence, error=p.error, width=p.width, height=p.height,
                 words=[[w.text, w.left, w.top, w.width, w.height, w.confidence] for w in p.words] or None)
            for p in reading.pages)
        document.page_count = len(reading.pages)
        if document.kind is None and reading.kind:
            document.kind, document.kind_guessed = reading.kind, True
        document.fields, document.checks = reading.fields, reading.checks
        document.field_sources = reading.sources
        document.needs_check = reading.needs_check
        document.status = DocumentStatus.PROCESSED
        document.failure_reason = None
        _amounts_read(session, document)
        audit.record(session, "document.processed", target=document, details={
            "pages": len(reading.pages), "kind": document.kind, "kind_guessed": document.kind_guessed,
            "fields": sorted(reading.fields), "findings": [c["code"] for c in reading.checks]})


def _amounts_read(session: Session, document: Document) -> None:
    """The amounts a signature covers come from the invoices as read (archive.claims): a reading
    that lands after sign-off began sends the chain back to the first signature it changed."""
    from archive.workflows import content_changed

    content_changed(session, document.case, actor=None, reason="票据识别完成，金额重新核算 (document read)")


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
