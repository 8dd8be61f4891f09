"""Case lists people work from: filters, sort, status tabs, pages, and saved views (保存的视图).

Every list starts from `archive.access.visible_cases`, so the filters only ever narrow what the
user may see (a hospital clerk filtering on another hospital finds nothing). Filters arrive
typed (dates, whole fen); the desk's form parses what people type (archive/web/case_lists.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from archive.access import visible_cases
from archive.auth import can
from archive.models import ArchiveRecord, Case, Document, RecordState, SavedView, WorkflowInstance
from archive.models.cases import DocumentStatus

CHINA = ZoneInfo("Asia/Shanghai")
# The status tabs, in the order of a case's life; "filed" (归档) is a record state, not a status.
STATUS_TABS = ("intake", "in_review", "returned", "approved", "paid", "rejected", "filed")
SORTS = {
    "newest": (Case.created_at.desc(), Case.id.desc()),
    "oldest": (Case.created_at.asc(), Case.id.asc()),
    "amount_desc": (Case.amount_fen.desc().nulls_last(), Case.id.desc()),
    "amount_asc": (Case.amount_fen.asc().nulls_last(), Case.id.desc()),
    "claimant": (Case.claimant_name.asc(), Case.id.desc()),
    "case_no": (Case.case_no.asc(),),
}
# The parameters a saved view keeps (its URL's query, minus the page).
VIEW_KEYS = ("status", "claim_type", "township", "hospital", "opened_from", "opened_to",
             "amount_min", "amount_max", "sort")
MAX_VIEWS = 20


class ViewRefused(ValueError):
    """A saved view that cannot be kept: no name, or too many views."""


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None  # one of STATUS_TABS; None: every case
    claim_type: str | None = None
    township: str | None = None
    hospital: str | None = None  # part of the hospital's name
    opened_from: date | None = None  # days in China, both ends included
    opened_to: date | None = None
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    sort: str = "newest"


@dataclass(frozen=True)
class CaseList:
    cases: list[Case]
    document_counts: dict[int, int]
    page: int
    pages: int
    total: int
    tabs: dict[str, int]  # cases per status tab under the other filters; "all" too
    archive_numbers: dict[int, str]  # 档号 of the filed cases on the page


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CHINA)


def _filed():
    return exists().where(ArchiveRecord.case_id == Case.id,
                          ArchiveRecord.state == RecordState.ARCHIVED)


def _narrowed(user, filters: CaseFilters):
    """The visible cases meeting every filter but the status."""
    query = visible_cases(user)
    if filters.claim_type:
        query = query.where(Case.claim_type == filters.claim_type)
    if filters.township:
        query = query.where(Case.township == filters.township)
    if filters.hospital:
        query = query.where(Case.hospital.ilike(f"%{_escape_like(filters.hospital)}%", escape="\\"))
    if filters.opened_from:
        query = query.where(Case.created_at >= _china_midnight(filters.opened_from))
    if filters.opened_to:
        query = query.where(Case.created_at < _china_midnight(filters.opened_to + timedelta(days=1)))
    if filters.amount_min_fen is not None:
        query = query.where(Case.amount_fen >= filters.amount_min_fen)
    if filters.amount_max_fen is not None:
        query = query.where(Case.amount_fen <= filters.amount_max_fen)
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _with_status(query, status: str | None):
    if status == "filed":
        return query.where(_filed())
    if status:
        return query.where(Case.status == status)
    return query


def list_cases(session: Session, user, filters: CaseFilters | None = None, *, page: int = 1,
               per_page: int = 25) -> CaseList:
    """One page of the cases `user` may see that meet `filters`, in their sort order, with the
    count of each status tab under the same filters."""
    filters = filters or CaseFilters()
    narrowed = _narrowed(user, filters)
    tabs = _tab_counts(session, narrowed)
    query = _with_status(narrowed, filters.status)
    total = tabs.get(filters.status or "all", 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(session.scalars(query.order_by(*SORTS.get(filters.sort, SORTS["newest"]))
                                .limit(per_page).offset((page - 1) * per_page)))
    ids = [c.id for c in rows]
    counts = dict(session.execute(
        select(Document.case_id, func.count()).where(Document.case_id.in_(ids))
        .group_by(Document.case_id)).all()) if ids else {}
    numbers = dict(session.execute(
        select(ArchiveRecord.case_id, ArchiveRecord.archive_no).where(
            ArchiveRecord.case_id.in_(ids), ArchiveRecord.state == RecordState.ARCHIVED)).all()
    ) if ids else {}
    return CaseList(rows, counts, page, pages, total, tabs, numbers)


def _tab_counts(session: Session, narrowed) -> dict[str, int]:
    ids = narrowed.with_only_columns(Case.id, Case.status).subquery()
    by_status = dict(session.execute(select(ids.c.status, func.count()).group_by(ids.c.status)).all())
    filed = session.scalar(select(func.count()).select_from(ArchiveRecord).where(
        ArchiveRecord.case_id.in_(select(ids.c.id)), ArchiveRecord.state == RecordState.ARCHIVED)) or 0
    tabs = {"all": sum(by_status.values()), "filed": filed}
    tabs.update({status: by_status.get(status, 0) for status in STATUS_TABS if status != "filed"})
    return tabs


def filed_records(session: Session, user, *, page: int = 1, per_page: int = 25) -> CaseList:
    """The archive desk's list of filed records (已归档), the most recently filed first."""
    query = (visible_cases(user).add_columns(ArchiveRecord.archive_no)
             .join(ArchiveRecord, ArchiveRecord.case_id == Case.id)
             .where(ArchiveRecord.state == RecordState.ARCHIVED))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(session.execute(
        query.order_by(ArchiveRecord.archived_at.desc().nulls_last(), Case.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return CaseList([row[0] for row in rows], {}, page, pages, total, {"filed": total},
                    {row[0].id: row[1] for row in rows})


# -- saved views -------------------------------------------------------------------------------

def view_query(params) -> dict[str, str]:
    """What a saved view keeps of a list's parameters: the known keys with a value."""
    return {key: str(params.get(key)).strip() for key in VIEW_KEYS
            if params.get(key) not in (None, "") and str(params.get(key)).strip()}


def save_view(session: Session, user, name: str, params) -> SavedView:
    """Keep the list's parameters under `name` for `user`; the same name is replaced."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ViewRefused("name")
    query = view_query(params)
    view = session.scalar(select(SavedView).where(SavedView.user_id == user.id,
                                                  SavedView.name == name))
    if view is None:
        count = session.scalar(select(func.count()).select_from(SavedView)
                               .where(SavedView.user_id == user.id)) or 0
        if count >= MAX_VIEWS:
            raise ViewRefused("too_many")
        view = SavedView(user_id=user.id, name=name, query=query)
        session.add(view)
    else:
        view.query = query
    session.flush()
    return view


def saved_views(session: Session, user) -> list[SavedView]:
    return list(session.scalars(select(SavedView).where(SavedView.user_id == user.id)
                                .order_by(SavedView.name)))


def delete_view(session: Session, user, view_id: int) -> bool:
    """Remove one of `user`'s own views; another user's view is not found."""
    view = session.scalar(select(SavedView).where(SavedView.id == view_id,
                                                  SavedView.user_id == user.id))
    if view is None:
        return False
    session.delete(view)
    session.flush()
    return True


def still_at_intake(session: Session, user, *, limit: int = 100) -> tuple[list[Case], int]:
    """Cases not yet sent for sign-off (受理中), oldest first, for the people who send them on
    (workflow.submit): part of their 待办 as much as a case returned for correction."""
    if not can(user, "workflow.submit"):
        return [], 0
    query = visible_cases(user).where(Case.status == "intake", ~exists().where(
        WorkflowInstance.case_id == Case.id))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Case.created_at, Case.id).limit(limit)))
    return rows, total


@dataclass(frozen=True)
class DocumentProgress:
    """How far the reading of one case's documents has got, for a desk's row."""
    reading: int = 0  # received or being read
    read: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.reading + self.read + self.failed


def document_progress(session: Session, cases: list[Case]) -> dict[int, DocumentProgress]:
    """Each listed case's documents counted by how far their reading got (one query), by case id;
    a case without documents is absent."""
    counts: dict[int, dict[str, int]] = {}
    if cases:
        rows = session.execute(select(Document.case_id, Document.status, func.count())
                               .where(Document.case_id.in_([c.id for c in cases]))
                               .group_by(Document.case_id, Document.status))
        for case_id, status, count in rows:
            kept = counts.setdefault(case_id, {})
            key = ("read" if status == DocumentStatus.PROCESSED else "failed"
                   if status == DocumentStatus.FAILED else "reading")
            kept[key] = kept.get(key, 0) + count
    return {case_id: DocumentProgress(**kept) for case_id, kept in counts.items()}
