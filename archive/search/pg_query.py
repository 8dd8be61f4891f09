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

from sqlalchemy import and_, any_, case, false, func, literal, not_, or_, select, true
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
    candidates = _matches(phrase_tsquery(lexemes))
    if len(lexemes) > 1:  # rows whose tsvector lost positions (pg_table): every lexeme, anywhere
        candidates = or_(candidates, and_(T.positions_exact.is_(False),
                                          _matches(phrase_tsquery(lexemes, "&"))))
    condition = and_(candidates, func.strpos(column, run) > 0)
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
        if query.fieldname == "codes":
            return literal(str(query.text).lower()) == any_(T.codes), literal(1.0)
        if query.fieldname == "step":
            return literal(str(query.text)) == any_(T.steps), literal(1.0)
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
    reader = index.read_session(session)
    try:
        on = reader or session
        counted = select(*(T[name] for name in FACET_FIELDS), func.count().label("n"),
                         func.grouping(*(T[name] for name in FACET_FIELDS)).label("g")) \
            .where(condition).group_by(func.grouping_sets(
                *(T[name] for name in FACET_FIELDS), literal_column_empty()))
        total, full = 0, (1 << len(FACET_FIELDS)) - 1
        for row in on.execute(counted):
            if row.g == full:
                total = row.n
                continue
            for bit, name in enumerate(FACET_FIELDS):
                # grouping(): bit set for each column *not* grouped; the last column is bit 0
                if not row.g & (1 << (len(FACET_FIELDS) - 1 - bit)) and row[bit] not in (None, ""):
                    facets[name][str(row[bit])] = row.n
        facets = {name: dict(sorted(counts.items(), key=lambda item: -item[1]))
                  for name, counts in facets.items()}
        if order is None:
            ranked = select(T.document_id, score.label("score")).where(condition).order_by(
                score.desc(), T.document_id)
        else:
            column = _SORT_COLUMNS[order[0]]
            ranked = select(T.document_id, literal(None).label("score")).where(condition).order_by(
                (column.desc() if order[1] else column.asc()).nulls_last(), T.document_id)
        rows = on.execute(ranked.limit(page_size).offset((page - 1) * page_size)).all()
    finally:
        if reader is not None:
            reader.close()
    return total, facets, [(row.document_id, None if row.score is None else round(float(row.score), 3))
                           for row in rows]


def literal_column_empty():
    """The empty grouping set `()`: the total over every matching document."""
    from sqlalchemy import literal_column

    return literal_column("()")


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
