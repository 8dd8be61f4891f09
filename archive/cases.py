"""Reading cases and their documents, always through the visibility rules in archive.access."""

from __future__ import annotations

import hashlib
import tempfile
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, get_document, loan_details
from archive.auth import can, require
from archive.models import AuditEvent, Case, Document, StoredObject, User
from archive.records.errors import CaseDestroyed, OriginalDamaged, _
from archive.records.fixity import judge
from archive.storage import ObjectMissing, ObjectStore


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


# Reading a case or a page leaves these events; the case page's history hides them unless asked.
VIEW_ACTIONS = ("case.view", "document.view")


def case_history(session: Session, user, case: Case, *, with_views: bool = True) -> list[AuditEvent]:
    """Every event on the case and its documents, oldest first, for users who may see it;
    without the views (who opened it) when `with_views` is False."""
    if not can(user, "audit.view"):
        return []
    document_ids = [str(d.id) for d in case.documents]
    query = select(AuditEvent).where(or_(
        (AuditEvent.target_type == "case") & (AuditEvent.target_id == case.case_no),
        (AuditEvent.target_type == "document") & AuditEvent.target_id.in_(document_ids),
    ))
    if not with_views:
        query = query.where(AuditEvent.action.not_in(VIEW_ACTIONS))
    return list(session.scalars(query.order_by(AuditEvent.id)))


def actor_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """The display names (姓名) of the people behind `events`, by user id; an event without an
    account (a worker, the CLI) keeps its recorded name."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


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
