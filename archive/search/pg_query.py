"""Searching the PostgreSQL table: the parsed query (archive.search.parse, the same for both
backends), the filters, the visibility of cases and the facets, all in SQL.

A text part (a phrase of character pairs or four-digit grams) becomes a tsquery phrase for the
GIN index plus an exact `strpos` check of the substring it stands for — on the text as stored,
or, for someone who sees identifiers masked, on the text with every hidden character replaced
(pg_table.HIDDEN_MARK), so a substring counts only where it covers no hidden character: the
same rule as archive.search.hiding applies to Whoosh. Cases the user may not see are excluded
in the same statement (archive.access.case_condition), so totals and facets are exact.

Scores are Whoosh's BM25 without length normalisation (archive.search.matching): each text part
its saturated frequency times an inverse document frequency estimated from the column's
statistics (`Weights`), an exact field 1.

A search is two statements: the count of every combination of facet values over all matches
(the total and the facets, exact), then the page. For one common gram (医院 in most of the
archive) the counts are read from those kept beside the table (archive.search.pg_counts,
`gram_counts`) instead of counting every match. A word in most of the archive would need its
frequency counted in every matching text (a `replace` each) to rank them; instead the page is
taken from the documents that hold all its grams often enough (the level lexemes, pg_table) and
kept only when it is provably the true first page (`_ranked`); anything else ranks every match.
Where the level's matches all hold the word equally often (one gram, the next level held by
fewer than the page), they tie, and the page takes them in document order (`_tied_page`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    any_,
    bindparam,
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
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, False_, True_
from whoosh import query as q

from archive.access import case_condition, hidden_by_grade
from archive.models import Case
from archive.search.pg_counts import search_gram_counts
from archive.search.pg_index import PostgresIndex, levelled
from archive.search.pg_table import (
    DIGIT_PREFIX,
    HIDDEN_MARK,
    LEVELS,
    level_lexeme,
    phrase_tsquery,
    search_documents,
)
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
class Weights:
    """Inverse document frequencies for relevance, as BM25 weighs a word (archive.search.matching
    uses the exact count): from the statistics ANALYZE keeps of the `terms` column — the share of
    rows holding each of its most common lexemes (pg_stats.most_common_elems, about a thousand)
    and the table's row count — so no query pays for counting. A part's document frequency is
    taken as that of its rarest gram; a gram too rare to be listed counts as the least common one
    listed (an upper bound). Ranking only: what matches and the totals never depend on these."""

    documents: float
    shares: dict[str, float]
    floor: float
    levelled: bool = False  # every row has its frequency levels (pg_index.levelled)
    counted: bool = False  # the gram counts exist (migration 0033; a database not yet upgraded has none)

    @classmethod
    def none(cls) -> Weights:
        return cls(0.0, {}, 0.0)

    @classmethod
    def of(cls, session: Session) -> Weights:
        key = str(session.get_bind().url)
        cached = _weights.get(key)
        if cached is not None and time.monotonic() - cached[0] < WEIGHTS_SECONDS:
            return cached[1]
        row = session.execute(text(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname AND s.attname = 'terms' "
            "WHERE c.relname = 'search_documents' AND c.relkind = 'r'")).first()
        weights = cls.none()
        if row is not None and row[1] and row[0] > 0:
            # The last three frequencies are the least and greatest share and that of NULLs.
            shares = dict(zip(row[1], row[2], strict=False))
            weights = cls(float(row[0]), shares, float(row[2][-3]))
        weights.levelled = row is not None and levelled(session)
        weights.counted = session.scalar(text("SELECT to_regclass('search_gram_counts') IS NOT NULL"))
        _weights[key] = (time.monotonic(), weights)
        return weights

    def rarest(self, lexemes: list[str]) -> list[str]:
        """The few grams of a run the index is asked for: the GIN index reads every posting of
        every gram it is given, and a hospital name's 人民 and 医院 are in most documents while
        its 县人 narrows as much alone; `strpos` checks the run on the candidates either way."""
        distinct = list(dict.fromkeys(lexemes))
        if len(distinct) <= LOOKUP_GRAMS or not self.documents:
            return distinct
        # A gram too rare to be listed is rarer than every listed one.
        return sorted(distinct, key=lambda lexeme: self.shares.get(lexeme, 0.0))[:LOOKUP_GRAMS]

    def idf(self, lexemes: list[str]) -> float:
        if not self.documents:
            return 1.0  # no statistics yet: every part weighs the same
        share = min(self.shares.get(lexeme, self.floor) for lexeme in lexemes)
        frequency = share * self.documents
        return math.log(1 + (self.documents - frequency + 0.5) / (frequency + 0.5))

    def estimate(self, lexemes: list[str]) -> float:
        """Rows holding all of `lexemes`, at most (0 where one is too rare to be listed)."""
        return min(self.shares.get(lexeme, 0.0) for lexeme in lexemes) * self.documents


LOOKUP_GRAMS = 2  # grams of one run looked up in the GIN index (the rarest, see Weights.rarest)
WEIGHTS_SECONDS = 300  # statistics change only as ANALYZE runs
_weights: dict[str, tuple[float, Weights]] = {}


@dataclass
class Part:
    """A query part in SQL. `lookup` finds its candidate rows by the table's indexes alone (GIN,
    B-tree), `verify` is what a candidate must pass besides (`strpos` on the text; true where the
    lookup is exact), `check` the whole answer on a row at hand without the tsvector (cheap to
    evaluate again where an Or scores or an AndNot excludes); `score` its share of relevance.
    The statement's WHERE is `lookup AND verify`: PostgreSQL combines the lookups of an And or an
    Or in one bitmap (BitmapAnd/BitmapOr) and runs the checks on the rows it yields, never
    decoding a tsvector per row."""

    lookup: ColumnElement
    verify: ColumnElement
    check: ColumnElement
    score: ColumnElement
    gated: bool = False  # the score is 0 wherever `check` fails
    # When `lookup` is "the tsvector holds all of `grams`, or `extra`" (a word: its text, or an
    # exact field equal to it), an And asks the GIN index for all its words' grams in one
    # tsquery (see _and); `extra_check` is `extra` on a row at hand.
    grams: tuple[str, ...] = ()
    extra: ColumnElement | None = None
    extra_check: ColumnElement | None = None

    @property
    def where(self) -> ColumnElement:
        return and_(self.lookup, self.verify)


def _none() -> Part:
    return Part(false(), true(), false(), literal(0.0))


def _text(fieldname: str, words: list[str], masked: bool, weights: Weights) -> Part:
    run = _run_of(words)
    lexemes = [DIGIT_PREFIX + word for word in words] if fieldname == "digits" else words
    if masked and HIDDEN_MARK in run:
        return _none()
    column = func.coalesce(T.visible, T.body) if masked else T.body
    found = func.strpos(column, run) > 0
    if PHRASES and len(lexemes) > 1:
        # With every position kept, the grams at consecutive positions are exactly "the text has
        # the run" (pairs never span whitespace, see schema.bigrams); rows that lost positions
        # (pg_table) are looked up by all the grams, anywhere, and checked.
        lookup = or_(and_(_matches(phrase_tsquery(lexemes)), T.positions_exact),
                     and_(_matches(phrase_tsquery(lexemes, "&")), T.positions_exact.is_(False)))
    else:
        grams = tuple(weights.rarest(lexemes))
        lookup = _matches(phrase_tsquery(list(grams), "&"))
    # One gram is in the text iff it is in the tsvector; a longer run, or a masked reader (whose
    # gram may be hidden), needs the text itself.
    verify = true() if len(lexemes) == 1 and not masked else found
    # Bytes, not characters: octet_length is stored, char_length counts (a scan per row).
    frequency = (func.octet_length(column) - func.octet_length(func.replace(column, run, ""))) \
        / float(len(run.encode()))
    # BM25's f·(k1+1)/(f+k1) written with f once (PostgreSQL would compute it twice), and 0
    # where the run is absent, so an Or adds it without checking the run first.
    weight = weights.idf(lexemes) * (K1 + 1)
    return Part(lookup, verify, found, literal(weight) - literal(weight * K1) / (frequency + K1),
                gated=True, grams=() if PHRASES and len(lexemes) > 1 else grams, extra=false(),
                extra_check=false())


def _and(parts: list[Part]) -> Part:
    """Every part. The words' grams are asked of the GIN index in one tsquery: as separate
    lookups PostgreSQL may read one word's candidates from the index and test the other's
    tsvector on each of them (decoding it, 2 kB a row: measured at 100,000 documents,
    统筹基金 住院 took 1.7 s so, 0.6 s with one tsquery). A row is then a candidate if it holds
    every word's grams or some word's exact field; one found by an exact field is checked whole."""
    score = sum((p.score for p in parts), literal(0.0))
    check = and_(*(p.check for p in parts))
    words = [p for p in parts if p.grams]
    if len(words) < 2:
        return Part(_all([p.lookup for p in parts]), _all([p.verify for p in parts]), check, score)
    others = [p for p in parts if not p.grams]
    grams = tuple(dict.fromkeys(gram for p in words for gram in p.grams))
    extras = [p.extra for p in words if not isinstance(p.extra, False_)]
    lookup = or_(_matches(phrase_tsquery(list(grams), "&")), *extras) if extras else \
        _matches(phrase_tsquery(list(grams), "&"))
    verify = _all([p.verify for p in words])
    if extras:
        verify = case((or_(*(p.extra_check for p in words)), check), else_=verify)
    # Words that are one run (an ID number: its digits and its pairs) are one word to an Or.
    merged = {"grams": grams, "extra": false(), "extra_check": false()} if not (extras or others) else {}
    return Part(_all([lookup, *(p.lookup for p in others)]),
                _all([verify, *(p.verify for p in others)]), check, score, **merged)


def _matches(tsquery: str):
    return T.terms.bool_op("@@")(func.cast(literal(tsquery), TSQUERY))


def _same(condition, score=None) -> Part:
    return Part(condition, true(), condition, literal(1.0) if score is None else score)


def _all(conditions: list[ColumnElement]) -> ColumnElement:
    conditions = [condition for condition in conditions if not isinstance(condition, True_)]
    return and_(*conditions) if conditions else true()


def translate(query: q.Query, masked: bool, weights: Weights | None = None) -> Part:
    """A Whoosh query tree as built by archive.search.parse/query, in SQL."""
    weights = weights or Weights.none()
    if isinstance(query, q.And):
        return _and([translate(part, masked, weights) for part in query.subqueries])
    if isinstance(query, q.Or):
        parts = [translate(part, masked, weights) for part in query.subqueries]
        if not parts:
            return _none()
        score = sum((p.score if p.gated else case((p.check, p.score), else_=0.0) for p in parts),
                    literal(0.0))
        if len(parts) == 1:
            return Part(parts[0].lookup, parts[0].verify, parts[0].check, score)
        check = or_(*(p.check for p in parts))
        # A row one part's lookup found may be another's: it is kept if any part holds for it.
        verify = true() if all(isinstance(p.verify, True_) for p in parts) else check
        texts = [p for p in parts if p.grams]
        others = [p for p in parts if not p.grams]
        merged = {}
        if len(texts) == 1 and all(p.extra is None and not p.gated for p in others):
            # A word: its text or an exact field equal to it (B-tree lookups, exact themselves).
            merged = {"grams": texts[0].grams,
                      "extra": or_(texts[0].extra, *(p.lookup for p in others)),
                      "extra_check": or_(texts[0].extra_check, *(p.check for p in others))}
        return Part(or_(*(p.lookup for p in parts)), verify, check, score, **merged)
    if isinstance(query, q.AndNot):
        positive, negative = translate(query.a, masked, weights), translate(query.b, masked, weights)
        keep = not_(func.coalesce(negative.check, false()))
        return Part(positive.lookup, and_(positive.verify, keep), and_(positive.check, keep),
                    positive.score)
    if isinstance(query, q.Every):
        return Part(true(), true(), true(), literal(0.0))
    if isinstance(query, q.Phrase) and query.fieldname in ("text", "digits"):
        return _text(query.fieldname, list(query.words), masked, weights)
    if isinstance(query, q.Term):
        if query.fieldname in ("text", "digits"):
            return _text(query.fieldname, [query.text], masked, weights)
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


def _where(user, query: q.Query, masked: bool, weights: Weights | None = None):
    visible = case_condition(user)
    if isinstance(visible, False_):
        return None, None
    translated = translate(query, masked, weights)
    return _seen(translated.where, visible), translated.score


def _seen(condition, visible) -> ColumnElement:
    """`condition` on the cases the user may see (archive.access.case_condition)."""
    if isinstance(visible, True_):
        return condition
    return and_(condition, T.case_id.in_(select(Case.id).where(visible)))


def find(session: Session, index: PostgresIndex, user, query: q.Query, masked: bool,
         order: tuple[str, bool] | None, page: int, page_size: int):
    """(total, facets, [(document id, score or None)] of the page)."""
    reader = index.read_session(session)
    try:
        return _find(reader or session, user, query, masked, order, page, page_size)
    finally:
        if reader is not None:
            reader.close()


def _find(session: Session, user, query: q.Query, masked: bool, order: tuple[str, bool] | None,
          page: int, page_size: int):
    # The statistics also choose which grams the index is asked for, whatever the order.
    weights = Weights.of(session)
    condition, score = _where(user, query, masked, weights)
    facets = {name: {} for name in FACET_FIELDS}
    if condition is None:
        return 0, facets, []
    offset = (page - 1) * page_size
    names = [T[name] for name in FACET_FIELDS]
    session.execute(_PLANNING)  # the levels' probes too (test_search_pg_planning)
    try:
        levelled = _levelled(user, query, masked, weights, page * page_size, False, session) \
            if order is None else None
        kept = gram_counts(session, user, query, masked) if weights.counted else None
        tied = _tied_page(session, levelled[3], score, levelled[1], page * page_size) \
            if levelled is not None and levelled[3] is not None else None
        if levelled is None:
            statement = _one_pass(condition, score, order, page_size, offset, counts=kept is None)
        elif tied is not None:
            statement = None if kept is not None else \
                select(*names, func.count().label("n")).where(condition).group_by(*names)
        else:
            # Relevance needs each row's frequency (a `replace` on its text), counted here only for
            # the page's candidates (_levelled); the facets are counted apart, without it.
            statement = _candidates(levelled, score, page * page_size, len(names))
            if kept is None:
                statement = union_all(select(*names, func.count().label("n"), null().label("document_id"),
                                             null().label("score"), null().label("bound"))
                                      .where(condition).group_by(*names), statement)
        rows = (session.execute(statement).all() if statement is not None else []) + (kept or [])
        found = [(row.document_id, row.score, row.bound) for row in rows if row.n is None]
        if tied is not None:
            found = tied[offset:]
        elif levelled is not None:
            found = _from_levels(session, found, levelled, lambda: _levelled(
                user, query, masked, weights, page * page_size, lowest=True), condition, score,
                page * page_size, len(names))
            found = found[offset:] if found is not None else \
                [(row.document_id, row.score, None) for row in
                 session.execute(_one_pass(condition, score, None, page_size, offset, counts=False))]
    finally:
        session.execute(_PLANNING_RESET)
    total = 0
    for row in rows:
        if row.n is None:
            continue
        total += row.n
        for name in FACET_FIELDS:
            value = row._mapping[name]
            if value not in (None, ""):
                facets[name][str(value)] = facets[name].get(str(value), 0) + row.n
    facets = {name: dict(sorted(counts.items(), key=lambda item: -item[1]))
              for name, counts in facets.items()}
    if order is None:
        # Ties in score keep document order, as the page query did; rounded only once sorted:
        # a gram in nearly every document weighs ~1e-5, and rounded first every score tied.
        found.sort(key=lambda item: (-item[1], item[0]))
    return total, facets, [(item[0], None if item[1] is None else round(float(item[1]), 3)) for item in found]


def _candidates(levelled, score, wanted: int, facets: int):
    """The first `wanted` of the candidates by score, with the bound, in _one_pass's columns."""
    candidates, bound = levelled[:2]
    shown = select(T.document_id, score.label("score"), bound.label("bound")).where(candidates) \
        .order_by(literal_column("score").desc(), T.document_id).limit(wanted).subquery()
    return select(*(null() for _ in range(facets)), null().label("n"), shown.c.document_id,
                  shown.c.score, shown.c.bound)


def _from_levels(session: Session, found: list, levelled, lowest, condition, score, wanted: int,
                 facets: int):
    """The first `wanted` matches by relevance, (id, score, bound) each, from the candidates
    `found` (_levelled), or None where the levels do not settle them. If the candidates do not
    prove their page (too few of them above the bound: say no match holds both words twice),
    the page may still go on in document order past the candidates above the bound, where the
    first matches in that order all score the bound (_ties: at the lowest levels every match
    that is not a candidate holds each word once and scores it); else once more with every
    word at the lowest level (`lowest()`)."""
    while True:
        found.sort(key=lambda row: (-row[1], row[0]))  # a UNION keeps no order of its own
        if _proven(found, wanted):
            return found
        page = _ties(session, found, condition, score, levelled[1], wanted)
        if page is not None or levelled[2]:
            return page
        levelled = lowest()
        found = [(row.document_id, row.score, row.bound)
                 for row in session.execute(_candidates(levelled, score, wanted, facets))]


def _ties(session: Session, found: list, condition, score, bound, wanted: int):
    """The candidates above the bound, then the first matches in document order among the rest,
    or None if one of those does not score the bound. Every match but those above scores at most
    the bound, so where the first of them in document order score it exactly, they are the
    first of the matches tied at the bound, which come next on the true page."""
    above = [row for row in found if row[1] > _over(row[2])]
    rest = session.execute(select(T.document_id, score.label("score"), bound.label("bound")).where(
        condition, T.document_id.not_in([row[0] for row in above]) if above else true())
        .order_by(T.document_id).limit(wanted - len(above))).all()
    if any(abs(row.score - row.bound) > _over(row.bound) - row.bound for row in rest):
        return None  # (above it: none can be, every candidate above it is in `above`)
    return above + [(row.document_id, row.score, row.bound) for row in rest]


def _over(bound: float) -> float:
    """Above this a score is above `bound` whatever the rounding: the bound is summed in another
    order than the scores, and a score equal to it must count as tied (document order)."""
    return bound + 1e-9 * max(1.0, abs(bound))


def _one_pass(condition, score, order, page_size: int, offset: int, counts: bool = True):
    """The matching rows once (a materialised CTE with their facet columns and sort key), the
    count of each combination of facet values (one hashed GROUP BY over a few dozen groups;
    grouping sets hashed each column apart and cost a fifth more), from which _find sums the
    total and the facets, and the page, told apart by `n` being NULL."""
    if order is None:
        key = score.label("score")
        ordering = [literal_column("score").desc(), literal_column("document_id")]
    else:
        key = _SORT_COLUMNS[order[0]].label("key")
        ordering = [(literal_column("key").desc() if order[1] else literal_column("key").asc()).nulls_last(),
                    literal_column("document_id")]
    matched = select(T.document_id, *(T[name] for name in FACET_FIELDS), key).where(condition) \
        .cte("matched").prefix_with("MATERIALIZED")
    names = [matched.c[name] for name in FACET_FIELDS]
    page_rows = select(matched.c.document_id, matched.c[key.name]).order_by(*ordering) \
        .limit(page_size).offset(offset).subquery()
    shown = select(*(null() for _ in FACET_FIELDS), null().label("n"), page_rows.c.document_id,
                   (page_rows.c[key.name] if order is None else null()).label("score"), null().label("bound"))
    if not counts:
        return shown
    counted = select(*names, func.count().label("n"), null().label("document_id"), null().label("score"),
                     null().label("bound")).group_by(*names)
    return union_all(counted, shown)


def _proven(found: list, wanted: int) -> bool:
    """Whether the candidates' first `wanted` are the true first page: as many, and the lowest
    of them scoring above every match that is not a candidate (`bound`, the same on each row)."""
    return len(found) == wanted and min(score for _, score, _ in found) > _over(found[0][2])


def _levelled(user, query, masked, weights, wanted, lowest: bool = False, session: Session | None = None):
    """(candidates, bound) to take the first `wanted` matches by relevance from the documents
    that hold the query's grams often, or None where the levels cannot be used.

    For a query of one or more words (each a text part with the exact fields it may also equal)
    and filters that score the same on every match: a run occurs no more often than any of its
    grams, so a match without the level-t lexeme of one of its grams (pg_table.LEVELS) has
    frequency below t. Each word i gets a level t_i; the candidates are the matches holding
    every gram of *some* word i at its level t_i, or equal to some word's exact field. A match
    that is not a candidate then has every word below its level and no exact field: its score
    is at most `bound`, the sum of each word's score at t_i - 1 plus the filters'. (Asking for
    all the words at their levels at once would leave out a match with one word very often and
    another once, which may well rank first.) If the `wanted`-th best candidate scores above
    the bound, no other match can enter the page (_find checks, and ranks every match
    otherwise). t_i is the highest level ANALYZE says enough documents reach, or the lowest
    level for a word no level of which is that common (its documents add few candidates);
    with `lowest`, every word at the lowest level. Returns (candidates, bound, whether every
    word is at the lowest level, and for one word whose level's matches all tie, the conditions
    of the matches above the level and of those at it, for _tied_page, else None)."""
    shape = _shape(query)
    if shape is None or not weights.levelled:
        return None
    words, filters = shape
    lexemes, levels = [], []
    for word, _ in words:
        grams = list(word.words) if isinstance(word, q.Phrase) else [word.text]
        if masked and HIDDEN_MARK in _run_of(grams):
            return None
        lexemes.append(list(dict.fromkeys([DIGIT_PREFIX + g for g in grams] if word.fieldname == "digits"
                                          else grams)))
        common = [level for level in reversed(LEVELS)
                  if weights.estimate([level_lexeme(lexeme, level) for lexeme in lexemes[-1]]) >= wanted]
        level = common[0] if common else None
        if len(words) > 1 and level is not None and level != LEVELS[-1] and weights.estimate(
                [level_lexeme(lexeme, level) for lexeme in lexemes[-1]]) > weights.estimate(lexemes[-1]) / 2:
            # Held so often by most of the word's documents (转诊 twice in every referral) the
            # level would make candidates of most matches: the next one up, and the other words'
            # levels or the matches tied at the bound (_ties) make the page.
            level = LEVELS[LEVELS.index(level) + 1]
        levels.append(level)
    if all(level is None for level in levels):
        return None
    levels = [LEVELS[0] if level is None or lowest else level for level in levels]
    spoken = [q.Or([word, *exact]) if exact else word for word, exact in words]
    whole = translate(q.And(spoken) if len(spoken) > 1 else spoken[0], masked, weights)
    exact = [translate(part, masked, weights).check for _, parts in words for part in parts]
    filtered = [translate(part, masked, weights).where for part in filters]

    def reaching(levels: list[int]) -> list[ColumnElement]:
        # Each word's levels with the other words' grams, one tsquery each, so the GIN index
        # answers every alternative alone; no tsquery of a word's own grams (its levels imply them).
        alternatives = []
        for number, level in enumerate(levels):
            others = [gram for n, grams in enumerate(lexemes) if n != number
                      for gram in weights.rarest(grams)]
            own = [level_lexeme(lexeme, level) for lexeme in lexemes[number]]
            alternatives.append(_matches(phrase_tsquery(list(dict.fromkeys(own + others)), "&")))
        return alternatives

    visible = case_condition(user)
    tied = None
    if session is not None and len(levels) == 1 and not lowest:
        levels = [_highest(session, levels[0], lambda level: _seen(
            _all([*reaching([level]), whole.verify, *filtered]), visible), wanted)]
        if levels[0] + 1 in LEVELS and _counted_exactly(words[0][0], lexemes[0], masked):
            # Fewer than `wanted` matches hold the next level: the rest of the level's matches
            # hold the gram exactly levels[0] times, so they all score the same (_tied_page).
            unequal = [not_(func.coalesce(check, false())) for check in exact]
            tied = (_seen(_all([or_(*reaching([levels[0] + 1]), *exact), whole.verify, *filtered]), visible),
                    _seen(_all([*reaching(levels), *unequal, whole.verify, *filtered]), visible))
    kept = _all([or_(*reaching(levels), *exact), whole.verify, *filtered])
    below = 0.0
    for grams, level in zip(lexemes, levels, strict=True):
        idf = weights.idf(grams) * (K1 + 1)
        below += idf - idf * K1 / (level - 1 + K1)  # the word's text score at frequency level - 1
    bound = sum((translate(part, masked, weights).score for part in filters), literal(below))
    return _seen(kept, visible), bound, set(levels) == {LEVELS[0]}, tied


def _counted_exactly(word: q.Query, lexemes: list[str], masked: bool) -> bool:
    """Whether a document's level lexemes of the word say how often it scores it: the word is
    one gram (a longer run may occur less often than its grams), no overlap of the gram with
    itself (哈哈哈 holds the pair 哈哈 twice, its text once as `replace` counts), and a masked
    reader cannot have any of it hidden (never_hidden)."""
    if len(lexemes) != 1 or isinstance(word, q.Phrase):
        return False
    run = lexemes[0].removeprefix(DIGIT_PREFIX)
    if any(run[:n] == run[-n:] for n in range(1, len(run))):
        return False
    return not masked or never_hidden(run)


def _tied_page(session: Session, tied, score, bound, wanted: int):
    """The first `wanted` matches by relevance, (id, score, None) each, when the level's matches
    tie (_levelled): every match above the level or equal to an exact field, scored, then the
    level's first `wanted` in document order, each scoring the same — without scoring the rest
    of the level (at 1,000,000 documents 住院's level held 83,000). None where they do not make
    the page: too few, or one of them at or below `bound` (a match below the level may rank
    there)."""
    above, level = tied
    top = session.execute(select(T.document_id, score.label("score")).where(above)).all()
    taken = [row.document_id for row in top]
    rest = session.execute(select(T.document_id, score.label("score"), bound.label("bound")).where(
        level, T.document_id.not_in(taken) if taken else true())
        .order_by(T.document_id).limit(wanted)).all()
    if not rest or any(abs(row.score - rest[0].score) > _over(rest[0].score) - rest[0].score for row in rest):
        return None
    page = sorted([(row.document_id, row.score) for row in [*top, *rest]], key=lambda row: (-row[1], row[0]))
    page = page[:wanted]
    if len(page) < wanted or page[-1][1] <= _over(rest[0].bound):
        return None
    return [(document_id, value, None) for document_id, value in page]


def _highest(session: Session, level: int, reached, wanted: int) -> int:
    """The highest level from `level` up at which `wanted` matches reach it (`reached(level)`
    their condition). ANALYZE lists only the commonest level lexemes, so the estimate stops
    below levels many documents still reach: at 1,000,000 documents 医院 went by ^6 (55,000
    candidates, each counted with a `replace`) where 20 hold it at higher levels. Each probe
    stops at `wanted` rows; a rare level lexeme's postings are short."""
    for higher in LEVELS[LEVELS.index(level) + 1:]:
        found = session.scalar(select(func.count()).select_from(
            select(T.document_id).where(reached(higher)).limit(wanted).subquery()))
        if found < wanted:
            break
        level = higher
    return level


def _shape(query: q.Query):
    """([(text Term or Phrase, the exact-field Terms ORed with it)], the filters ANDed with
    them) when `query` is words and filters, else None."""
    parts, words, filters = _flat(query), [], []
    for part in parts:
        word = _word(part)
        if word is not None:
            words.append(word)
        elif _filter(part):
            filters.append(part)
        else:
            return None
    return (words, filters) if words else None


def _flat(query: q.Query) -> list[q.Query]:
    if isinstance(query, q.And):
        return [inner for part in query.subqueries for inner in _flat(part)]
    return [query]


def _filter(query: q.Query) -> bool:
    """Whether `query` holds on rows by columns alone and scores the same on each of them: a
    range, one exact term, or terms of one single-valued field (a row equals at most one)."""
    if isinstance(query, q.DateRange | q.NumericRange):
        return True
    if isinstance(query, q.Term):
        return query.fieldname not in ("text", "digits")
    if isinstance(query, q.Or) and query.subqueries and all(isinstance(p, q.Term) for p in query.subqueries):
        fields = {part.fieldname for part in query.subqueries}
        return len(query.subqueries) == 1 and _filter(query.subqueries[0]) or \
            len(fields) == 1 and fields <= set(EXACT_FIELDS)
    return False


def _word(query: q.Query):
    if _is_text(query):
        return query, []
    if not isinstance(query, q.Or):
        return None
    # An exact field a masked reader may not search by is an empty Or (query._without_identifiers).
    parts = [part for part in query.subqueries if not (isinstance(part, q.Or) and not part.subqueries)]
    texts = [part for part in parts if _is_text(part)]
    exact = [part for part in parts if not _is_text(part)]
    if len(texts) != 1 or not all(isinstance(part, q.Term) for part in exact):
        return None
    return texts[0], exact


def _is_text(query: q.Query) -> bool:
    return isinstance(query, q.Term | q.Phrase) and query.fieldname in ("text", "digits")


def _run(session: Session, statement):
    """Execute with the table's indexes preferred: the planner does not count the decoding of a
    tsvector per row, so when most rows match it scans the table and decodes every one (measured
    at 10,000 documents, 8,379 hits of 医院: 72 ms) where the GIN index answers in 3.5 ms. And
    without JIT: a statement over most of the archive is costed above jit_above_cost, and
    compiling it took longer than running it."""
    session.execute(_PLANNING)
    try:
        return session.execute(statement)
    finally:
        session.execute(_PLANNING_RESET)


# work_mem: a bitmap of every match stays exact (at 1,000,000 documents, 833,000 hits of 医院 went
# lossy with the default 4 MB, and each row of a lossy page had its tsvector read and tested).
# enable_nestloop: off for every statement run under it, not the joins of _seen alone: the
# matches and facets, the levels' probes and candidates, _tied_page's (NOT IN the rows already
# scored) and gram_counts' (the cases kept from a graded user by IN/NOT IN subqueries, their
# count in _hidden_ids, their rows by the case_id index). What made it needed: the planner
# underestimates the rows of several grams ANDed and joined them in a nested loop over a
# restricted user's 30,000 visible cases of 100,000 documents (统筹基金 住院: 10 s, 142 ms by
# merge join); the others are planned under the same setting, without nested loops.
_PLANNING = text("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
                 "set_config('work_mem', '64MB', true), set_config('enable_nestloop', 'off', true)")
# What RESET would give, for the rest of the transaction (the page's snippets, the audit).
_PLANNING_RESET = text("SELECT set_config(name, reset_val, true) FROM pg_settings "
                       "WHERE name IN ('enable_seqscan', 'jit', 'work_mem', 'enable_nestloop')")


def matching_ids(session: Session, index: PostgresIndex, user, query: q.Query, masked: bool) -> set[int]:
    reader = index.read_session(session)
    try:
        condition, _ = _where(user, query, masked, Weights.of(reader or session))
        if condition is None:
            return set()
        return set(_run(reader or session, select(T.document_id).where(condition)).scalars())
    finally:
        if reader is not None:
            reader.close()


def gram_counts(session: Session, user, query: q.Query, masked: bool) -> list | None:
    """The count of matches by each combination of facet values, from the kept counts of a
    common gram (archive.search.pg_counts), or None where they are not the answer. They are
    for a query of one gram (with the exact fields it may equal) and filters on facet columns;
    a user whose visibility is grades and loans (access.hidden_by_grade) gets them less the
    rows of the cases kept from them (counted from the table) while those are fewer than the
    cases they see, else their rows are counted (`_hidden_ids`); a
    masked reader gets them for a gram masking cannot touch (`never_hidden`). A scoped user
    sees a small part of the archive: their rows are counted."""
    shape = _shape(query)
    if shape is None or len(shape[0]) != 1:
        return None
    [(word, exact)], filters = shape
    grams = list(word.words) if isinstance(word, q.Phrase) else [word.text]
    if len(grams) != 1 or not all(_facet_values(part) for part in filters) or \
            masked and not never_hidden(grams[0]):
        return None
    visible = case_condition(user)
    hidden = None if isinstance(visible, True_) else hidden_by_grade(user)
    if hidden is None and not isinstance(visible, True_):
        return None
    lexeme = DIGIT_PREFIX + grams[0] if word.fieldname == "digits" else grams[0]
    C = search_gram_counts.c
    if session.scalar(select(C.lexeme).where(C.lexeme == lexeme).limit(1)) is None:
        return None  # not common when the table was rebuilt: counted from the rows
    hidden_ids = None if hidden is None else _hidden_ids(session, hidden)
    if hidden is not None and hidden_ids is None:
        return None
    kept = [C[name].in_(values) for name, values in map(_facet_values, filters)]
    filtered = [translate(part, masked).where for part in filters]
    shown = [T[name] for name in FACET_FIELDS]
    parts = [select(*(C[name] for name in FACET_FIELDS), C.n).where(C.lexeme == lexeme, *kept)]
    if hidden is not None:
        # The gram's rows in the cases kept from the user, taken off: as many rows as those
        # cases hold, not as the gram's. Their ids as one array (read once, _hidden_ids), so
        # PostgreSQL reads them by the case_id index (as `IN` it joined the gram's 83,000 rows
        # at 100,000 documents with them, 10 s), and the gram by `strpos` on the text (the same
        # rows as the lexeme: a pair never spans whitespace) rather than decoding each row's
        # tsvector (2-3x slower).
        held = func.strpos(T.body, grams[0]) > 0 if len(grams[0]) > 1 else _matches(phrase_tsquery([lexeme]))
        parts.append(select(*shown, (-func.count()).label("n")).where(
            held, T.case_id == any_(bindparam("hidden_ids", hidden_ids, type_=ARRAY(Integer))), *filtered)
            .group_by(*shown))
    if exact:
        # Rows equal to the word in an exact field but without the gram (a case number 医院).
        others = or_(*(translate(part, masked).check for part in exact))
        rest = _all([others, not_(_matches(phrase_tsquery([lexeme]))), *filtered])
        parts.append(select(*shown, func.count().label("n")).where(_seen(rest, visible)).group_by(*shown))
    every = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    names = [every.c[name] for name in FACET_FIELDS]
    counted = select(*names, func.sum(every.c.n).cast(BigInteger).label("n")).group_by(*names) \
        .having(func.sum(every.c.n) != 0)  # a combination its rows all left keeps a row of 0
    return session.execute(counted).all()


def _hidden_ids(session: Session, hidden) -> list[int] | None:
    """The ids of the cases kept from the user, or None where they outnumber the cases the user
    sees (a low clearance): taking their rows off the kept counts would then read more rows than
    counting the visible ones does. Read once, with the count of every case, and passed back as
    one array."""
    cases = select(func.count()).select_from(Case).scalar_subquery()
    ids = hidden.subquery()
    every, kept = session.execute(select(cases, select(func.array_agg(ids.c[0])).scalar_subquery())).one()
    kept = kept or []
    return None if 2 * len(kept) > every else kept


def never_hidden(gram: str) -> bool:
    """Whether masking can never hide a character of `gram`, so a masked reader's matches of it
    are everyone's: masking hides digits of ID and phone numbers and the separators inside them
    (archive.records.masking), never a CJK ideograph."""
    return all("\u4e00" <= char <= "\u9fff" for char in gram)


def _facet_values(query: q.Query) -> tuple[str, list[str]] | None:
    """(facet column, the values it may hold) for a filter on one facet field, else None."""
    terms = query.subqueries if isinstance(query, q.Or) else [query]
    fields = {part.fieldname for part in terms if isinstance(part, q.Term)}
    if len(fields) != 1 or len(terms) != sum(isinstance(part, q.Term) for part in terms) or \
            not fields <= set(FACET_FIELDS):
        return None
    return fields.pop(), [str(part.text) for part in terms]
