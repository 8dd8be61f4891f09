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

from dataclasses import dataclass

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
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, False_, True_
from whoosh import query as q

from archive.access import case_condition
from archive.models import Case
from archive.search.pg_index import PostgresIndex
from archive.search.pg_table import DIGIT_PREFIX, HIDDEN_MARK, phrase_tsquery, search_documents
from archive.search.schema import EXACT_FIELDS, FACET_FIELDS

K1 = 1.2
# Candidates by `<->` phrase (True) or by all grams anywhere (False), checked exactly either way.
# The phrase needs PostgreSQL to read and decode each candidate's tsvector with its positions
# (1.8 kB a document, four times its text): measured at 10,000 documents, 3,779 hits of 县人民医院
# took 47–53 ms by phrase and 11 ms by all grams plus `strpos` on the text, so the grams win.
PHRASES = False
T = search_documents.c
_SORT_COLUMNS = {"document_date": T.document_date, "amount_fen": T.amount_fen,
                 "case_opened": T.case_opened}


def _run_of(words: list[str]) -> str:
    """The substring a phrase of overlapping grams stands for."""
    return words[0] + "".join(word[-1] for word in words[1:])


@dataclass
class Part:
    """A query part in SQL: `index`, the condition to find its rows by (indexes first), and
    `check`, the same answer on a row at hand without the tsvector (cheap to evaluate again
    where an Or scores or an AndNot excludes); `score` its contribution to relevance."""

    index: ColumnElement
    check: ColumnElement
    score: ColumnElement


def _none() -> Part:
    return Part(false(), false(), literal(0.0))


def _text(fieldname: str, words: list[str], masked: bool) -> Part:
    run = _run_of(words)
    lexemes = [DIGIT_PREFIX + word for word in words] if fieldname == "digits" else words
    if masked and HIDDEN_MARK in run:
        return _none()
    column = func.coalesce(T.visible, T.body) if masked else T.body
    found = func.strpos(column, run) > 0
    if len(lexemes) == 1 and not masked:
        condition = _matches(phrase_tsquery(lexemes))  # one gram: in the text iff in the tsvector
    elif PHRASES:
        # With every position kept, the grams at consecutive positions are exactly "the text has
        # the run" (pairs never span whitespace, see schema.bigrams); rows that lost positions
        # (pg_table) are looked up by all the grams, anywhere, and checked.
        exact = _matches(phrase_tsquery(lexemes))
        condition = or_(and_(exact, found) if masked else and_(exact, T.positions_exact),
                        and_(_matches(phrase_tsquery(lexemes, "&")), T.positions_exact.is_(False),
                             found))
    else:
        condition = and_(_matches(phrase_tsquery(lexemes, "&")), found)
    # Bytes, not characters: octet_length is stored, char_length counts (a scan per row).
    frequency = (func.octet_length(column) - func.octet_length(func.replace(column, run, ""))) \
        / float(len(run.encode()))
    return Part(condition, found, frequency * (K1 + 1) / (frequency + K1))


def _matches(tsquery: str):
    return T.terms.op("@@")(func.cast(literal(tsquery), TSQUERY))


def _same(condition, score=None) -> Part:
    return Part(condition, condition, literal(1.0) if score is None else score)


def translate(query: q.Query, masked: bool) -> Part:
    """A Whoosh query tree as built by archive.search.parse/query, in SQL."""
    if isinstance(query, q.And):
        parts = [translate(part, masked) for part in query.subqueries]
        return Part(and_(*(p.index for p in parts)), and_(*(p.check for p in parts)),
                    sum((p.score for p in parts), literal(0.0)))
    if isinstance(query, q.Or):
        parts = [translate(part, masked) for part in query.subqueries]
        if not parts:
            return _none()
        score = sum((case((p.check, p.score), else_=0.0) for p in parts), literal(0.0))
        if len(parts) == 1:
            return Part(parts[0].index, parts[0].check, score)
        # The rows of each part found by its own indexes, then united: an OR in one WHERE
        # would have PostgreSQL test every part on every candidate, the tsvector included.
        found = union(*(select(T.document_id).where(p.index).correlate(None) for p in parts))
        return Part(T.document_id.in_(found), or_(*(p.check for p in parts)), score)
    if isinstance(query, q.AndNot):
        positive, negative = translate(query.a, masked), translate(query.b, masked)
        keep = not_(func.coalesce(negative.check, false()))
        return Part(and_(positive.index, keep), and_(positive.check, keep), positive.score)
    if isinstance(query, q.Every):
        return Part(true(), true(), literal(0.0))
    if isinstance(query, q.Phrase) and query.fieldname in ("text", "digits"):
        return _text(query.fieldname, list(query.words), masked)
    if isinstance(query, q.Term):
        if query.fieldname in ("text", "digits"):
            return _text(query.fieldname, [query.text], masked)
        if query.fieldname == "codes":  # array containment: the GIN index on codes
            return _same(T.codes.contains([str(query.text).lower()]))
        if query.fieldname == "step":
            return _same(T.steps.contains([str(query.text)]))
        if query.fieldname in EXACT_FIELDS:
            return _same(T[query.fieldname] == str(query.text))
        return _none()
    if isinstance(query, q.DateRange | q.NumericRange):
        column = _SORT_COLUMNS[query.fieldname]
        low, high = (query.startdate, query.enddate) if isinstance(query, q.DateRange) else \
            (query.start, query.end)
        bounds = [column >= low] if low is not None else []
        bounds += [column <= high] if high is not None else []
        return _same(and_(column.is_not(None), *bounds), literal(0.0))
    raise ValueError(f"no SQL for {query!r}")


def _where(user, query: q.Query, masked: bool):
    visible = case_condition(user)
    if isinstance(visible, False_):
        return None, None
    translated = translate(query, masked)
    condition, score = translated.index, translated.score
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
        rows = _run(reader or session, union_all(counted, shown)).all()
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


def _run(session: Session, statement):
    """Execute with the table's indexes preferred: the planner does not count the decoding of a
    tsvector per row, so when most rows match it scans the table and decodes every one (measured
    at 10,000 documents, 8,379 hits of 医院: 72 ms) where the GIN index answers in 3.5 ms."""
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        return session.execute(statement)
    finally:
        session.execute(text("RESET enable_seqscan"))


def matching_ids(session: Session, index: PostgresIndex, user, query: q.Query, masked: bool) -> set[int]:
    condition, _ = _where(user, query, masked)
    if condition is None:
        return set()
    reader = index.read_session(session)
    try:
        return set(_run(reader or session, select(T.document_id).where(condition)).scalars())
    finally:
        if reader is not None:
            reader.close()
