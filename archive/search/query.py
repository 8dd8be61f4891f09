"""Searching the index as a user: access first, then query, filters, facets and snippets.

The cases the user may see (archive.access.case_condition) become a filter inside Whoosh, so
hits, totals and facet counts are all computed over visible documents only; the hits shown
are checked against the database once more before they are returned. When the user may see
every case no filter is needed at all. Facets are counted from cached columns
(archive.search.reading) over the matching documents, and snippets are made only for the page
shown. Searches by the roles in "search.audited" (auditors) are audit events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import False_, True_
from whoosh import query as q
from whoosh import sorting

from archive.access import case_condition
from archive.auth import can
from archive.auth.permissions import SYSTEM_ROLE
from archive.models import Case, Document, Page
from archive.records import audit
from archive.records.masking import mask, may_see_identifiers
from archive.search.index import SearchIndex
from archive.search.parse import Notice, parse_query
from archive.search.reading import column, count, docnums_of_cases, searcher_for
from archive.search.schema import FACET_FIELDS, fold
from archive.search.snippets import snippet

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
EXACT_FILTERS = ("kind", "status", "hospital", "case_no", "patient_name", "id_number",
                 "insurance_number", "invoice_number", "year", "step")
RANGE_FILTERS = {"date": "document_date", "opened": "case_opened"}
# "date" and "amount" put the newest and largest first; a minus sign turns them round.
SORTS = {"relevance": None, "date": ("document_date", True), "-date": ("document_date", False),
         "amount": ("amount_fen", True), "-amount": ("amount_fen", False),
         "opened": ("case_opened", True)}


@dataclass
class Hit:
    document_id: int
    case_no: str
    kind: str | None
    filename: str
    page: int  # where the first match is; 1 when the match is in a field, not the text
    snippet: Markup  # HTML: escaped text with <mark> around matches, nothing else
    score: float | None
    fields: dict = field(default_factory=dict)  # what reading the document found


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: dict[str, dict[str, int]]
    warnings: list[Notice] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_dict(self) -> dict:
        return {"total": self.total, "page": self.page, "page_size": self.page_size,
                "pages": self.pages,
                "hits": [vars(hit) | {"snippet": str(hit.snippet)} for hit in self.hits],
                "facets": self.facets, "warnings": [vars(notice) for notice in self.warnings]}


def search(session: Session, index: SearchIndex, user, query: str, *, filters: dict | None = None,
           sort: str = "relevance", page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    """Visible documents matching `query` and `filters`, one page of them, with facet counts."""
    whoosh_query, parsed, warnings = _prepare(query, filters)
    page, page_size = max(1, int(page or 1)), min(MAX_PAGE_SIZE, max(1, int(page_size or PAGE_SIZE)))
    if sort not in SORTS:
        warnings.append(Notice("unknown_sort", f"unknown sort {sort!r}; sorted by relevance", sort))
        sort = "relevance"
    if sort == "relevance" and parsed.query is None:
        sort = "date"  # nothing to rank by: newest first
    result = SearchResult([], 0, page, page_size, {name: {} for name in FACET_FIELDS}, warnings)
    searcher = searcher_for(index)
    access = _access_options(session, user, searcher)
    if access is not None:
        options = dict(access)
        if SORTS[sort]:
            name, reverse = SORTS[sort]
            options["sortedby"] = sorting.FieldFacet(name, reverse=reverse)
        results = searcher.search(whoosh_query, limit=None, **options)
        matched = [docnum for _, docnum in results.top_n]
        result.total = len(matched)
        result.facets = {name: _counts(count(column(searcher, name), matched)) for name in FACET_FIELDS}
        shown = results.top_n[(page - 1) * page_size:page * page_size]
        found = [(int(searcher.stored_fields(docnum)["document_id"]),
                  None if SORTS[sort] else round(float(score), 3)) for score, docnum in shown]
        result.hits = _hits(session, user, found, parsed.text_terms)
    if _audited(user):
        audit.record(session, "search.query", actor=user, details={
            "query": (query or "")[:500], "filters": _shown_filters(filters), "sort": sort,
            "page": page, "total": result.total})
    return result


def matching_document_ids(session: Session, index: SearchIndex, user, query: str, *,
                          filters: dict | None = None) -> set[int]:
    """Every visible document id matching, unranked — for exports and "select all"."""
    whoosh_query, _, _ = _prepare(query, filters)
    searcher = searcher_for(index)
    access = _access_options(session, user, searcher)
    if access is None:
        return set()
    results = searcher.search(whoosh_query, limit=None, scored=False, **access)
    return {int(searcher.stored_fields(docnum)["document_id"]) for docnum in results.docs()}


def _prepare(query: str, filters: dict | None):
    parsed = parse_query(query)
    warnings = list(parsed.warnings)
    clauses = [parsed.query or q.Every(), *_filter_clauses(filters or {}, warnings)]
    return (clauses[0] if len(clauses) == 1 else q.And(clauses)), parsed, warnings


def _access_options(session: Session, user, searcher) -> dict | None:
    """Search options limiting results to the cases `user` may see; None if they see none."""
    condition = case_condition(user)
    if isinstance(condition, True_):
        return {}
    if isinstance(condition, False_):
        return None
    allowed = set(session.scalars(select(Case.id).where(condition)))
    return {"filter": docnums_of_cases(searcher, allowed)} if allowed else None


def _audited(user) -> bool:
    return getattr(user, "role", None) != SYSTEM_ROLE and can(user, "search.audited")


def _shown_filters(filters: dict | None) -> dict:
    return {name: value if isinstance(value, str | int | float) else [str(v) for v in value]
            for name, value in (filters or {}).items() if value not in (None, "", [], ())}


def _counts(groups) -> dict[str, int]:
    return {str(key): number for key, number in sorted(groups.items(), key=lambda item: -item[1])
            if key not in (None, "", b"")}


def _hits(session: Session, user, found: list[tuple[int, float | None]], terms: list[str]) -> list[Hit]:
    ids = [document_id for document_id, _ in found]
    visible = select(Case.id).where(case_condition(user))
    documents = {document.id: document for document in session.scalars(
        select(Document).where(Document.id.in_(ids), Document.case_id.in_(visible)))}
    pages: dict[int, list[str]] = {}
    for document_id, text in session.execute(select(Page.document_id, Page.text).where(
            Page.document_id.in_(documents)).order_by(Page.document_id, Page.number)):
        pages.setdefault(document_id, []).append(text or "")
    hits = []
    # Masked before the snippet is cut, so a match inside an ID number cannot split it.
    shown = (lambda value: value) if may_see_identifiers(user) else mask
    for document_id, score in found:
        document = documents.get(document_id)
        if document is None:  # deleted or moved since it was indexed
            continue
        texts = shown(pages.get(document_id, []))
        found_snippet = snippet(texts, terms) if terms else None
        hits.append(Hit(document_id, document.case.case_no, document.kind,
                        shown(document.original_filename), found_snippet.page if found_snippet else 1,
                        found_snippet.html if found_snippet else snippet_start(texts), score,
                        shown(dict(document.fields or {}))))
    return hits


def snippet_start(texts: list[str]) -> Markup:
    first = next((text for text in texts if text.strip()), "")
    return escape(" ".join(first.split())[:60])


def _filter_clauses(filters: dict, warnings: list[Notice]) -> list[q.Query]:
    clauses = []
    for name in EXACT_FILTERS:
        if filters.get(name):
            values = filters[name] if isinstance(filters[name], list | tuple) else [filters[name]]
            clauses.append(q.Or([q.Term(name, fold(str(value))) for value in values]))
    for prefix, name in RANGE_FILTERS.items():
        low, high = (_date(filters.get(f"{prefix}_{end}"), end, warnings) for end in ("from", "to"))
        if low or high:
            clauses.append(q.DateRange(name, low, high))
    low, high = (_fen(filters.get(f"amount_{end}"), end, warnings) for end in ("min", "max"))
    if low is not None or high is not None:
        clauses.append(q.NumericRange("amount_fen", low, high))
    return clauses


def _date(raw, end: str, warnings: list[Notice]) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        warnings.append(Notice("bad_date", f"日期 “{raw}” 无法识别，已忽略 "
                                           f"(date {raw!r} ignored; use YYYY-MM-DD)", str(raw)))
        return None
    return datetime(day.year, day.month, day.day, *((23, 59, 59) if end == "to" else ()))


def _fen(raw, end: str, warnings: list[Notice]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int((Decimal(str(raw).replace(",", "")) * 100).to_integral_value())
    except InvalidOperation:
        warnings.append(Notice("bad_amount", f"金额 “{raw}” 无法识别，已忽略 (amount {raw!r} ignored)",
                               str(raw)))
        return None
