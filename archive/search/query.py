"""Searching the index as a user: access first, then query, filters, facets and snippets.

The cases the user may see (archive.access.case_condition) restrict the matching documents
before anything is counted, so hits, totals and facet counts are all computed over visible
documents only; the hits shown are checked against the database once more before they are
returned. When the user may see every case no restriction is needed at all. Matching, counting
and ranking run over whole posting lists and cached columns with numpy (archive.search.matching,
archive.search.reading), and snippets are made only for the page shown.

The service itself requires "search.use", whichever door the search came in by (web, API, CLI),
and every search is an audit event ("search.query", with the parameters as given).

Someone without "identifiers.view" searches the text as they see it — masked: a phrase counts
only where it covers no masked character (archive.search.hiding), so the visible region code or
last four digits of a number are found but its hidden digits are not, neither in hits nor in
totals, facets or scores. Asking an exact field for an identifier (id_number=…, id:…, or any
field value shaped like an ID or phone number) is refused outright (IdentifierRefused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import numpy as np
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import False_, True_
from whoosh import query as q

from archive import audit
from archive.access import case_condition
from archive.auth import require
from archive.models import Case, Document, Page
from archive.records.masking import IDENTIFIER_FIELDS, mask, mask_text, may_see_identifiers
from archive.search import pg_query
from archive.search.errors import IdentifierRefused
from archive.search.index import SearchIndex, case_line
from archive.search.matching import Matches, match
from archive.search.parse import Notice, parse_query
from archive.search.pg_index import PostgresIndex
from archive.search.reading import column_array, docnums_of_cases, facet_codes, searcher_for
from archive.search.schema import EXACT_FIELDS, FACET_FIELDS, fold
from archive.search.snippets import snippet

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
EXACT_FILTERS = ("kind", "status", "hospital", "case_no", "patient_name", "id_number",
                 "insurance_number", "invoice_number", "year", "step")
# Exact fields that hold an identifier whatever its value looks like: masked on every page.
HIDDEN_FIELDS = frozenset(name for name in (*EXACT_FIELDS, *EXACT_FILTERS) if name in IDENTIFIER_FIELDS)
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
    """Visible documents matching `query` and `filters`, one page of them, with facet counts.
    Forbidden without "search.use"; IdentifierRefused (a BadParameter) for an exact search by
    an identifier the user sees masked. Appends a "search.query" audit event."""
    require(user, "search.use")
    masked = not may_see_identifiers(user)
    whoosh_query, parsed, warnings = _prepare(query, filters, masked)
    page, page_size = max(1, int(page or 1)), min(MAX_PAGE_SIZE, max(1, int(page_size or PAGE_SIZE)))
    if sort not in SORTS:
        warnings.append(Notice("unknown_sort", f"unknown sort {sort!r}; sorted by relevance", sort))
        sort = "relevance"
    if sort == "relevance" and parsed.query is None:
        sort = "date"  # nothing to rank by: newest first
    result = SearchResult([], 0, page, page_size, {name: {} for name in FACET_FIELDS}, warnings)
    if isinstance(index, PostgresIndex):
        result.total, result.facets, found = pg_query.find(
            session, index, user, whoosh_query, masked, SORTS[sort], page, page_size)
        result.hits = _hits(session, user, found, parsed.text_terms)
        _audit(session, user, query, filters, sort, page, page_size, result.total, masked)
        return result
    searcher = searcher_for(index)
    matches = _visible_matches(session, user, searcher, whoosh_query, masked)
    if matches is not None:
        result.total = int(matches.docnums.size)
        result.facets = {name: _facet(searcher, name, matches.docnums) for name in FACET_FIELDS}
        shown = _ranked(searcher, matches, SORTS[sort], page * page_size)[(page - 1) * page_size:]
        found = [(int(searcher.stored_fields(int(matches.docnums[n]))["document_id"]),
                  None if SORTS[sort] else round(float(matches.scores[n]), 3)) for n in shown]
        result.hits = _hits(session, user, found, parsed.text_terms)
    _audit(session, user, query, filters, sort, page, page_size, result.total, masked)
    return result


def _audit(session, user, query, filters, sort, page, page_size, total, masked) -> None:
    # The parameters as given (the trail is for auditors), and whether the text was masked.
    audit.record(session, "search.query", actor=user, details={
        "query": (query or "")[:500], "filters": _shown_filters(filters), "sort": sort,
        "page": page, "page_size": page_size, "total": total,
        "identifiers": "masked" if masked else "full"})


def matching_document_ids(session: Session, index: SearchIndex, user, query: str, *,
                          filters: dict | None = None) -> set[int]:
    """Every visible document id matching, unranked — for exports and "select all" (the
    same permission and masking as `search`; the caller audits what it does with them)."""
    require(user, "search.use")
    masked = not may_see_identifiers(user)
    whoosh_query, _, _ = _prepare(query, filters, masked)
    if isinstance(index, PostgresIndex):
        return pg_query.matching_ids(session, index, user, whoosh_query, masked)
    searcher = searcher_for(index)
    matches = _visible_matches(session, user, searcher, whoosh_query, masked)
    if matches is None:
        return set()
    return {int(searcher.stored_fields(int(docnum))["document_id"]) for docnum in matches.docnums}


def _prepare(query: str, filters: dict | None, masked: bool):
    parsed = parse_query(query)
    if masked:
        _refuse_identifiers([*parsed.fields, *_filter_values(filters or {})])
    warnings = list(parsed.warnings)
    clauses = [parsed.query or q.Every(), *_filter_clauses(filters or {}, warnings)]
    whoosh_query = clauses[0] if len(clauses) == 1 else q.And(clauses)
    return (_without_identifiers(whoosh_query) if masked else whoosh_query), parsed, warnings


def _filter_values(filters: dict) -> list[tuple[str, str]]:
    return [(name, str(value)) for name in EXACT_FILTERS if filters.get(name)
            for value in (filters[name] if isinstance(filters[name], list | tuple) else [filters[name]])]


def _refuse_identifiers(asked: list[tuple[str, str]]) -> None:
    """An exact field asked for an identifier: "no hits" would confirm the number is not there,
    one hit that it is — so it is not answered at all."""
    for name, value in asked:
        if name in HIDDEN_FIELDS or _maskable(value):
            raise IdentifierRefused(name)


_NOT_DIGIT = re.compile(r"\D")


def _maskable(value: str) -> bool:
    """Whether a value, as stored or shown, could have a masked number in it: mask changes it,
    also with everything but its digits taken for separators (a stored value's neighbours may
    differ from the query's after folding)."""
    return any(mask_text(form) != form for form in (value, fold(value), _NOT_DIGIT.sub(" ", value)))


def _without_identifiers(query: q.Query) -> q.Query:
    """`query` with the exact-field parts that could match an identifier made to match nothing
    (e.g. a one-character word tried against every exact field, or a number tried as a case or
    invoice code); the text parts are checked against masked characters by `match`."""
    if isinstance(query, q.Term) and query.fieldname in (*EXACT_FIELDS, "codes") \
            and (query.fieldname in HIDDEN_FIELDS or _maskable(str(query.text))):
        return q.Or([])
    if isinstance(query, q.And | q.Or):
        return type(query)([_without_identifiers(part) for part in query.subqueries])
    if isinstance(query, q.AndNot):
        return q.AndNot(_without_identifiers(query.a), _without_identifiers(query.b))
    return query


def _visible_matches(session: Session, user, searcher, whoosh_query: q.Query,
                     masked: bool) -> Matches | None:
    """The documents matching among those of the cases `user` may see; None if they see none."""
    condition = case_condition(user)
    if isinstance(condition, False_):
        return None
    matches = match(searcher, whoosh_query, masked=masked)
    if isinstance(condition, True_):
        return matches
    allowed = set(session.scalars(select(Case.id).where(condition)))
    if not allowed:
        return None
    keep = np.isin(matches.docnums, docnums_of_cases(searcher, allowed), assume_unique=True)
    return Matches(matches.docnums[keep], matches.scores[keep])


def _ranked(searcher, matches: Matches, order: tuple[str, bool] | None, wanted: int) -> np.ndarray:
    """Indexes into `matches` of its first `wanted` documents: by score (ties by document
    number) or by a column, newest / largest first when reversed; documents without a value last."""
    docnums = matches.docnums
    if order is None:
        scores = matches.scores
        if 0 < wanted < scores.size:  # sort only those that can reach the page
            threshold = np.partition(scores, scores.size - wanted)[scores.size - wanted]
            within = np.flatnonzero(scores >= threshold)
            return within[np.lexsort((docnums[within], -scores[within]))][:wanted]
        return np.lexsort((docnums, -scores))[:wanted]
    name, reverse = order
    values = column_array(searcher, name)[docnums]
    if reverse:
        missing = values == np.uint64(searcher.schema[name].column_type.default_value())
        values = np.where(missing, values, ~values)
    return np.lexsort((docnums, values))[:wanted]


def _facet(searcher, name: str, docnums: np.ndarray) -> dict[str, int]:
    codes, labels = facet_codes(searcher, name)
    counts = np.bincount(codes[docnums], minlength=len(labels))
    return _counts({label: int(number) for label, number in zip(labels, counts, strict=True) if number})


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
        select(Document).where(Document.id.in_(ids), Document.case_id.in_(visible))
        .options(selectinload(Document.case)))}
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
        # A match in the case's own fields (index.case_line) is shown from that line.
        found_snippet = (snippet(texts, terms) or snippet([shown(case_line(document.case))], terms)) \
            if terms else None
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
