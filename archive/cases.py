"""Reading cases and their documents, always through the visibility rules in archive.access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.access import get_case, get_document, loan_details, visible_cases
from archive.auth import can, require
from archive.models import AuditEvent, Case, Document
from archive.records import audit
from archive.records.errors import CaseDestroyed, _
from archive.storage import ObjectStore


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
    stream = store.open(document.stored_object.store_key)
    audit.record(session, "document.download", actor=user, target=document,
                 details={"case_no": document.case.case_no,
                          **loan_details(session, user, document.case)})
    return document, stream
