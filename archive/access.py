"""The one place that decides which records a user may see.

Lists, downloads, the API and (later) search all go through these functions. A record the
user may not see is reported as not found, so its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from archive.auth import can
from archive.models import Case, Document


class NotFound(Exception):
    """No such record, or none the user may see."""


def case_condition(user) -> ColumnElement[bool]:
    """The condition a case `user` may see meets. Access grades will narrow this per record;
    `true()` means every case, which lets search skip filtering altogether."""
    return true() if can(user, "case.view") else false()


def sees_every_case(user) -> bool:
    return isinstance(case_condition(user), True_)


def visible_cases(user) -> Select[tuple[Case]]:
    """A query of the cases `user` may see."""
    return select(Case).where(case_condition(user))


def get_case(session: Session, user, case_no: str) -> Case:
    case = session.scalar(visible_cases(user).where(Case.case_no == case_no))
    if case is None:
        raise NotFound(f"no case {case_no}")
    return case


def get_document(session: Session, user, document_id: int) -> Document:
    document = session.scalar(
        select(Document)
        .join(Document.case)
        .where(Document.id == document_id, Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
    )
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document
