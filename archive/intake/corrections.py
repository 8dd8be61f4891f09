"""Correcting what intake filed: a document's kind (材料类别) and a document filed by mistake.

Both are audit events; the search index follows them (archive.search.sync reads the trail).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_document
from archive.auth import require
from archive.errors import _
from archive.files.validate import Rejected
from archive.follow_ups import follow_up
from archive.models import Document
from archive.models.cases import DOCUMENT_KINDS, DocumentStatus
from archive.records.case_guard import ensure_changeable
from archive.workflows import content_changed


def reclassify_document(session: Session, document_id: int, *, actor, kind: str, reason: str) -> Document:
    """Set the kind of a document that was filed or recognised as the wrong kind, and have it
    read again as that kind: its status goes back to received, and it goes to the job system
    after the commit (archive.follow_ups; the sweep finds it otherwise). Corrections made under the old
    kind stay in its history; the fields are read afresh."""
    require(actor, "document.classify")
    document = get_document(session, actor, document_id)
    ensure_changeable(session, document.case, action="document.reclassify")
    if kind not in DOCUMENT_KINDS:
        raise Rejected(_("unknown document kind %(kind)s; one of %(known)s"), code="invalid_kind",
                       status=400, kind=repr(kind), known=", ".join(DOCUMENT_KINDS),
                       concerns="kind")
    reason = _reason(reason)
    before = document.kind
    document.kind, document.kind_guessed = kind, False
    if document.status in (DocumentStatus.PROCESSED, DocumentStatus.FAILED) and before != kind:
        document.status, document.attempts, document.failure_reason = DocumentStatus.RECEIVED, 0, None
    session.flush()
    audit.record(session, "document.reclassify", actor=actor, target=document, details={
        "case_no": document.case.case_no, "before": before, "after": kind, "reason": reason})
    follow_up(session, "sync_index")
    if document.status == DocumentStatus.RECEIVED:
        follow_up(session, "process_document", document.id)  # read again as the new kind
    return document


def delete_document(session: Session, document_id: int, *, actor, reason: str) -> str:
    """Remove a document filed by mistake from its case (not while it is held, filed or closed). The
    original stays in the store while any record refers to it (see `archive reconcile`).
    A chain whose signatures covered the document goes back to the first step affected.
    Returns the case number."""
    require(actor, "document.delete")
    document = get_document(session, actor, document_id)
    case = document.case
    ensure_changeable(session, case, action="document.delete")
    reason = _reason(reason)
    details = {"case_no": case.case_no, "filename": document.original_filename,
               "kind": document.kind, "sha256": document.stored_object.sha256, "reason": reason}
    session.execute(update(Document).where(Document.duplicate_of_id == document.id)
                    .values(duplicate_of_id=None))
    session.delete(document)
    session.flush()
    session.refresh(case)
    content_changed(session, case, actor=actor, reason=reason)
    audit.record(session, "document.delete", actor=actor, target=_Gone(document_id), details=details)
    follow_up(session, "sync_index")
    return case.case_no


class _Gone:
    """Stands for a deleted document in its audit event (target type "document", its id)."""

    def __init__(self, document_id: int):
        self.id = document_id


_Gone.__name__ = "Document"


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Rejected(_("say why the document is changed"), code="invalid_document", status=400)
    return reason[:500]
