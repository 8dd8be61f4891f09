"""Searching the PostgreSQL table: the parsed query (archive.search.parse, the same for both
backends), the filters, the visibility of cases and the facets, all in SQL.

A text part (a phrase of character pairs or four-digit grams) becomes a tsquery phrase for the
GIN index plus an exact `strpos` check of the substring it stands for — on the text as stored,
or, for someone who sees identifiers masked, on the text with every hidden character replaced
(pg_table.HIDDEN_MARK), so a substring counts only where it covers no hidden character: the
same rule as archive.search.hiding applies to Whoosh. Cases the user may not see are excluded
in the same statement (archive.access.case_condition), so totals and facets are exact.

Scores differ from Whoosh's BM25 in one way: no idf (each text part scores its saturated
frequency, an exact field 1), which ranks the same on one-word queries.
"""

from __future__ import annotations

from sqlalchemy import (
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import False_, True_
from whoosh import query as q

from archive.access import case_condition
from archive.models import Case
from archive.search.pg_index import PostgresIndex
from archive.search.pg_table import DIGIT_PREFIX, HIDDEN_MARK, phrase_tsquery, search_documents
from archive.search.schema import EXACT_FIELDS, FACET_FIELDS

K1 = 1.2
T = search_documents.c
_SORT_COLUMNS = {"document_date": T.document_date, "amount_fen": T.amount_fen,
                 "case_opened": T.case_opened}


def _run_of(words: list[str]) -> str:
    """The substring a phrase of overlapping grams stands for."""
    return words[0] + "".join(word[-1] for word in words[1:])


def _text(fieldname: str, words: list[str], masked: bool):
    run = _run_of(words)
    lexemes = [DIGIT_PREFIX + word for word in words] if fieldname == "digits" else words
    if masked and HIDDEN_MARK in run:
        return false(), literal(0.0)
    column = func.coalesce(T.visible, T.body) if masked else T.body
    found = func.strpos(column, run) > 0
    # With every position kept, a phrase of a run's grams at consecutive positions is exactly
    # "the text has the run" (pairs never span whitespace, see schema.bigrams): no check needed,
    # unless characters are hidden from this user. Rows that lost positions (pg_table) are
    # looked up by all the grams, anywhere, and checked.
    exact = _matches(phrase_tsquery(lexemes))
    condition = or_(and_(exact, found) if masked else and_(exact, T.positions_exact),
                    and_(_matches(phrase_tsquery(lexemes, "&")), T.positions_exact.is_(False), found))
    frequency = (func.char_length(column) - func.char_length(func.replace(column, run, ""))) \
        / float(len(run))
    return condition, frequency * (K1 + 1) / (frequency + K1)


def _matches(tsquery: str):
    return T.terms.op("@@")(func.cast(literal(tsquery), TSQUERY))


def translate(query: q.Query, masked: bool):
    """(condition, score) of a Whoosh query tree as built by archive.search.parse/query."""
    if isinstance(query, q.And):
        parts = [translate(part, masked) for part in query.subqueries]
        return and_(*(c for c, _ in parts)), sum((s for _, s in parts), literal(0.0))
    if isinstance(query, q.Or):
        parts = [translate(part, masked) for part in query.subqueries]
        if not parts:
            return false(), literal(0.0)
        return or_(*(c for c, _ in parts)), sum((case((c, s), else_=0.0) for c, s in parts), literal(0.0))
    if isinstance(query, q.AndNot):
        positive, score = translate(query.a, masked)
        negative, _ = translate(query.b, masked)
        return and_(positive, not_(func.coalesce(negative, false()))), score
    if isinstance(query, q.Every):
        return true(), literal(0.0)
    if isinstance(query, q.Phrase) and query.fieldname in ("text", "digits"):
        return _text(query.fieldname, list(query.words), masked)
    if isinstance(query, q.Term):
        if query.fieldname in ("text", "digits"):
            return _text(query.fieldname, [query.text], masked)
        if query.fieldname == "codes":  # array containment: the GIN index on codes
            return T.codes.contains([str(query.text).lower()]), literal(1.0)
        if query.fieldname == "step":
            return T.steps.contains([str(query.text)]), literal(1.0)
        if query.fieldname in EXACT_FIELDS:
            return T[query.fieldname] == str(query.text), literal(1.0)
        return false(), literal(0.0)
    if isinstance(query, q.DateRange):
        column = _SORT_COLUMNS[query.fieldname]
        bounds = [column >= query.startdate] if query.startdate else []
        bounds += [column <= query.enddate] if query.enddate else []
        return and_(column.is_not(None), *bounds), literal(0.0)
    if isinstance(query, q.NumericRange):
        column = _SORT_COLUMNS[query.fieldname]
        bounds = [column >= query.start] if query.start is not None else []
        bounds += [column <= query.end] if query.end is not None else []
        return and_(column.is_not(None), *bounds), literal(0.0)
    raise ValueError(f"no SQL for {query!r}")


def _where(user, query: q.Query, masked: bool):
    visible = case_condition(user)
    if isinstance(visible, False_):
        return None, None
    condition, score = translate(query, masked)
    if not isinstance(visible, True_):
        condition = and_(condition, T.case_id.in_(select(Case.id).where(visible)))
    return condition, score


def find(session: Session, index: PostgresIndex, user, query: q.Query, masked: bool,
         order: tuple[str, bool] | None, page: int, page_size: int):
    """(total, facets, [(document id, score or None)] of the page)."""
    condition, score = _where(user, query, masked)
    facets = {name: {} for name in FACET_FIELDS}
    if condition is None:
        return 0, facets, []
    if order is None:
        key = score.label("score")
        ordering = [literal_column("score").desc(), literal_column("document_id")]
    else:
        key = _SORT_COLUMNS[order[0]].label("key")
        ordering = [(literal_column("key").desc() if order[1] else literal_column("key").asc()).nulls_last(),
                    literal_column("document_id")]
    # One statement: the matching rows once (a materialised CTE), their facet counts and total
    # (grouping sets) and the page, told apart by `part`.
    matched = select(T.document_id, *(T[name] for name in FACET_FIELDS), key).where(condition) \
        .cte("matched").prefix_with("MATERIALIZED")
    names = [matched.c[name] for name in FACET_FIELDS]
    counted = select(literal(0).label("part"), *names, func.count().label("n"),
                     func.grouping(*names).label("g"), null().label("document_id"),
                     null().label("rank")).group_by(func.grouping_sets(*names, literal_column("()")))
    page_rows = select(matched.c.document_id, matched.c[key.name]).order_by(*ordering) \
        .limit(page_size).offset((page - 1) * page_size).subquery()
    shown = select(literal(1), *(null() for _ in FACET_FIELDS), null(), null(),
                   page_rows.c.document_id, page_rows.c[key.name] if order is None else null())
    reader = index.read_session(session)
    try:
        rows = (reader or session).execute(union_all(counted, shown)).all()
    finally:
        if reader is not None:
            reader.close()
    total, full, found = 0, (1 << len(FACET_FIELDS)) - 1, []
    for row in rows:
        if row[0] == 1:
            found.append((row.document_id, None if row.rank is None else round(float(row.rank), 3)))
        elif row.g == full:
            total = row.n
        else:
            for bit, name in enumerate(FACET_FIELDS):
                # grouping(): a bit set for each column not grouped by; the last column is bit 0
                value = row[1 + bit]
                if not row.g & (1 << (len(FACET_FIELDS) - 1 - bit)) and value not in (None, ""):
                    facets[name][str(value)] = row.n
    facets = {name: dict(sorted(counts.items(), key=lambda item: -item[1]))
              for name, counts in facets.items()}
    if order is None:  # ties in score keep document order, as the page query did
        found.sort(key=lambda item: (-(item[1] or 0.0), item[0]))
    return total, facets, found


def matching_ids(session: Session, index: PostgresIndex, user, query: q.Query, masked: bool) -> set[int]:
    condition, _ = _where(user, query, masked)
    if condition is None:
        return set()
    reader = index.read_session(session)
    try:
        return set((reader or session).scalars(select(T.document_id).where(condition)))
    finally:
        if reader is not None:
            reader.close()
