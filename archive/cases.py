"""Reading cases and their documents, always through the visibility rules in archive.access."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.access import get_case, get_document, loan_details, visible_cases
from archive.auth import can, require
from archive.models import AuditEvent, Case, Document, StoredObject
from archive.records import audit
from archive.records.errors import CaseDestroyed, OriginalDamaged, _
from archive.records.fixity import judge
from archive.storage import ObjectMissing, ObjectStore


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    document_counts: dict[int, int]
    page: int
    pages: int
    total: int


def list_cases(session: Session, user, *, page: int = 1, per_page: int = 25) -> CasePage:
    query = visible_cases(user)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(session.scalars(
        query.order_by(Case.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ))
    counts = dict(session.execute(
        select(Document.case_id, func.count()).where(Document.case_id.in_([c.id for c in rows]))
        .group_by(Document.case_id)
    ).all())
    return CasePage(rows, counts, page, pages, total)


def document_states(session: Session, user, case_no: str) -> list[dict]:
    """What the case page polls to show each document's progress."""
    case = get_case(session, user, case_no)
    return [
        {"id": d.id, "status": d.status, "pages": d.page_count, "failure_reason": d.failure_reason,
         "filename": d.filename, "kind": d.kind, "duplicate_of": d.duplicate_of_id}
        for d in case.documents
    ]


def view_case(session: Session, user, case_no: str) -> Case:
    """A case opened for reading; who looked at it is part of its history."""
    case = get_case(session, user, case_no)
    audit.record(session, "case.view", actor=user, target=case,
                 details=loan_details(session, user, case) or None)
    return case


def view_document(session: Session, user, document_id: int, page: int) -> Document:
    """A document opened at one page in the viewer; recorded like a case view."""
    document = get_document(session, user, document_id)
    audit.record(session, "document.view", actor=user, target=document,
                 details={"case_no": document.case.case_no, "page": page,
                          **loan_details(session, user, document.case)})
    return document


def case_history(session: Session, user, case: Case) -> list[AuditEvent]:
    """Every event on the case and its documents, oldest first, for users who may see it."""
    if not can(user, "audit.view"):
        return []
    document_ids = [str(d.id) for d in case.documents]
    return list(session.scalars(
        select(AuditEvent).where(or_(
            (AuditEvent.target_type == "case") & (AuditEvent.target_id == case.case_no),
            (AuditEvent.target_type == "document") & AuditEvent.target_id.in_(document_ids),
        )).order_by(AuditEvent.id)
    ))


def open_original(session: Session, store: ObjectStore, user, document_id: int
                  ) -> tuple[Document, BinaryIO]:
    """The original bytes of a document, with the download recorded in the audit trail."""
    require(user, "document.download")
    # A scan cannot be masked: only people who may see identifiers get the original.
    require(user, "identifiers.view")
    document = get_document(session, user, document_id)
    if document.stored_object.destroyed_at is not None:
        raise CaseDestroyed(_("The original of document %(id)s was destroyed after appraisal; only "
                              "its metadata remains."), id=document.id)
    stream = _verified(session, store, document.stored_object, user)
    audit.record(session, "document.download", actor=user, target=document,
                 details={"case_no": document.case.case_no,
                          **loan_details(session, user, document.case)})
    return document, stream


def _verified(session: Session, store: ObjectStore, stored: StoredObject, user) -> BinaryIO:
    """The original's bytes, checked against their sha256 before any is sent: damaged or missing
    bytes are refused (OriginalDamaged) with a fixity event in the trail — the caller commits it
    — never served as if sound. A local file is hashed in place and then opened; other stores'
    bytes are copied once into an unnamed temporary file while they are hashed."""
    digest, size = hashlib.sha256(), 0
    try:
        in_place = store.local_path(stored.store_key) is not None
    except ObjectMissing:
        in_place = True  # nothing to copy: the open below finds it gone too
    # Returned to the caller, who closes it once the bytes are sent.
    spool = None if in_place else tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        with store.open(stored.store_key) as stream:
            while chunk := stream.read(256 * 1024):
                digest.update(chunk)
                size += len(chunk)
                if spool is not None:
                    spool.write(chunk)
        measured = (digest.hexdigest(), size)
    except ObjectMissing:
        measured = None
    if measured != (stored.sha256, stored.size):
        if spool is not None:
            spool.close()
        damage, details = judge(session, stored, measured)
        audit.record(session, "fixity.check", actor=user, target=stored,
                     details={**details, "found_by": "download"})
        raise OriginalDamaged(_("The original of this document is damaged or missing in the store "
                                "(%(outcome)s); it was not sent. The failure is recorded: restore "
                                "the original from a backup."), outcome=details["outcome"])
    if spool is None:
        return store.open(stored.store_key)
    spool.seek(0)
    return spool
