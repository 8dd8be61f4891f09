"""Accepting one file into a case: one unit of work, all or nothing.

Steps: spool the stream to disk while hashing → inspect type, size and pages → store the
original under its sha256 (unless those bytes are already stored) → add the database rows and
the audit event in one transaction. If the transaction fails, an object this upload stored is
removed again; `reconcile` reports anything a crash left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.access import get_case
from archive.auth import require
from archive.intake.filenames import safe_filename
from archive.intake.spool import SpooledFile, spool
from archive.intake.validate import Limits, Rejected, inspect_file
from archive.models import Case, Document, StoredObject
from archive.models.cases import DOCUMENT_KINDS
from archive.records import audit
from archive.storage import ObjectStore, key_for_sha256
from archive.workflows import content_changed


@dataclass(frozen=True)
class IntakeResult:
    document_id: int
    case_no: str
    status: str
    # None, "same_case" (already in this case: nothing added) or "other_case" (linked)
    duplicate: str | None

    @property
    def needs_processing(self) -> bool:
        return self.duplicate != "same_case"


def ingest(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
           tmp_dir: Path, case_no: str, stream: BinaryIO, filename: str | None,
           kind: str | None, actor) -> IntakeResult:
    """Accept one upload into case `case_no`; raises Rejected, NotFound or Forbidden."""
    from archive.records.holds import ensure_changeable  # records builds on intake's Rejected

    require(actor, "document.upload")
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise Rejected(f"unknown document kind {kind!r}; one of {', '.join(DOCUMENT_KINDS)}",
                       code="invalid_kind", status=400)
    with sessions() as session:
        case = get_case(session, actor, case_no)  # refuse an unknown case before reading
        ensure_changeable(session, case, lock=False)  # … or a frozen one; checked again below
        case_id = case.id
    spooled = spool(stream, max_bytes=limits.max_bytes, tmp_dir=tmp_dir)
    try:
        content_type, pages = inspect_file(spooled.path, spooled.size, limits)
        for attempt in (1, 2):
            try:
                return _record(sessions, store, spooled, content_type=content_type, pages=pages,
                               case_id=case_id, filename=filename, kind=kind, actor=actor)
            except IntegrityError:
                # The same bytes were committed by a concurrent upload; the retry links to them.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    finally:
        spooled.discard()


def _record(sessions, store: ObjectStore, spooled: SpooledFile, *, content_type: str, pages: int,
            case_id: int, filename: str | None, kind: str | None, actor) -> IntakeResult:
    from archive.records.holds import ensure_changeable

    key = key_for_sha256(spooled.sha256)
    stored_here = False
    try:
        with sessions.begin() as session:
            case = session.get_one(Case, case_id)
            # Checked again under the case's lock (held to the commit): a hold placed since the
            # first check is seen, and none can be placed before this upload commits.
            ensure_changeable(session, case)
            stored = session.scalar(select(StoredObject).where(StoredObject.sha256 == spooled.sha256))
            holders = []
            if stored is None:
                # Content-addressed: rewriting a key that a crash left behind stores the same bytes.
                store.put_file(key, spooled.path, content_type=content_type, size=spooled.size)
                stored_here = True
                stored = StoredObject(sha256=spooled.sha256, size=spooled.size, store_key=key,
                                      content_type=content_type)
                session.add(stored)
            else:
                if stored.destroyed_at is not None or not store.exists(stored.store_key):
                    # The original was lost from the store; the same bytes heal it.
                    store.put_file(stored.store_key, spooled.path, content_type=content_type,
                                   size=spooled.size)
                    # Bytes destroyed with another case are kept again for this one.
                    stored.destroyed_at = None
                    audit.record(session, "object.restored", actor=actor, target=stored,
                                 details={"sha256": stored.sha256})
                holders = list(session.scalars(
                    select(Document).where(Document.object_id == stored.id).order_by(Document.id)))
            same_case = next((d for d in holders if d.case_id == case.id), None)
            if same_case is not None:
                audit.record(session, "document.upload_duplicate", actor=actor, target=same_case,
                             details={"case_no": case.case_no, "filename": filename})
                return IntakeResult(same_case.id, case.case_no, same_case.status, "same_case")
            earlier = holders[0] if holders else None
            document = Document(
                case=case, stored_object=stored, kind=kind,
                original_filename=filename or "", filename=safe_filename(filename),
                content_type=content_type, page_count=pages,
                duplicate_of_id=earlier.id if earlier else None, uploaded_by_id=actor.id,
            )
            session.add(document)
            session.flush()
            # A document added after sign-off sends the chain back (before this audit event:
            # the audit chain lock stays the last lock the transaction takes).
            content_changed(session, case, actor=actor,
                            reason=f"document added: {document.filename}")
            audit.record(session, "document.upload", actor=actor, target=document, details={
                "case_no": case.case_no, "filename": document.filename, "sha256": spooled.sha256,
                "size": spooled.size, "content_type": content_type, "pages": pages, "kind": kind,
                "duplicate_of": document.duplicate_of_id,
            })
            return IntakeResult(document.id, case.case_no, document.status,
                                "other_case" if earlier else None)
    except BaseException:
        if stored_here:
            _remove_if_unreferenced(sessions, store, spooled.sha256, key)
        raise


def _remove_if_unreferenced(sessions, store: ObjectStore, sha256: str, key: str) -> None:
    with sessions() as session:
        if session.scalar(select(StoredObject.id).where(StoredObject.sha256 == sha256)) is None:
            store.delete(key)
