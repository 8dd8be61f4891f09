"""The PostgreSQL backend asks its GIN index for the rarest few grams of a long run only (the
rest is checked by `strpos`), chosen by the lexeme shares ANALYZE keeps."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql
from whoosh import query as q

from archive.search.pg_query import LOOKUP_GRAMS, Weights, translate

# 人民 and 医院 are in most documents, 民医 in many, 县人 in few; 第三 is too rare to be listed.
WEIGHTS = Weights(100_000.0, {"人民": 0.8, "医院": 0.9, "民医": 0.3, "县人": 0.01}, 0.01)


def _sql(part) -> str:
    return str(part.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_a_long_run_is_looked_up_by_its_rarest_grams_and_checked_whole():
    assert LOOKUP_GRAMS == 2
    assert WEIGHTS.rarest(["县人", "人民", "民医", "医院"]) == ["县人", "民医"]
    assert WEIGHTS.rarest(["第三", "三人", "人民", "民医", "医院"]) == ["第三", "三人"]  # unlisted: rarest
    part = translate(q.Phrase("text", ["县人", "人民", "民医", "医院"]), masked=False, weights=WEIGHTS)
    assert "'''县人'' & ''民医'''" in _sql(part.lookup) and "医院" not in _sql(part.lookup)
    assert "strpos(search_documents.body, '县人民医院')" in _sql(part.verify)


def test_without_statistics_every_gram_is_looked_up():
    grams = ["县人", "人民", "民医", "医院"]
    assert Weights.none().rarest(grams) == grams
    assert WEIGHTS.rarest(["人民", "医院"]) == ["人民", "医院"]


def test_the_words_of_a_query_are_one_tsquery_and_an_exact_field_match_is_checked_whole():
    from archive.search.parse import parse_query

    part = translate(parse_query("县人民医院 住院").query, masked=False, weights=WEIGHTS)
    lookup = _sql(part.lookup)
    # One GIN condition for both words (never one word's tsvector tested row by row) ...
    assert lookup.count("@@") == 1 and "'''县人'' & ''民医'' & ''住院'''" in lookup
    # ... or either word equal to a case number or a code, where the text is then checked.
    assert "search_documents.case_no = '住院'" in lookup
    assert "search_documents.case_no = '县人民医院'" in lookup
    verify = _sql(part.verify)
    assert verify.startswith("CASE WHEN") and "strpos(search_documents.body, '县人民医院')" in verify


def test_a_document_holds_a_level_lexeme_for_each_gram_it_repeats():
    from archive.search.pg_table import tsvector_literal

    literal = tsvector_literal("住院 住院 住院 病房 2026年 2026年")
    # 住院 three times: levels 2 and 3, not 4; 病房 once: none; the digit gram twice.
    assert "'住院^2'" in literal and "'住院^3'" in literal and "'住院^4'" not in literal
    assert "病房^" not in literal and "'#2026^2'" in literal
    assert "'住院':1,4,7" in literal  # the positions are as before


def test_words_with_filters_are_ranked_from_the_levels():
    from archive.search.parse import parse_query
    from archive.search.pg_query import _shape

    word = parse_query("医院").query
    assert [text for text, _ in _shape(word)[0]] == [q.Term("text", "医院")]
    kind = q.Or([q.Term("kind", "invoice")])  # as query._filter_clauses writes a filter
    assert _shape(q.And([word, kind]))[1] == [kind]
    words, filters = _shape(q.And([parse_query("医院 住院").query, kind]))  # nested, as search() builds
    assert [text for text, _ in words] == [q.Term("text", "医院"), q.Term("text", "住院")]
    assert filters == [kind]
    # several values of one single-valued field score alike on every match; of codes they need not
    assert _shape(q.And([word, q.Or([q.Term("kind", "invoice"), q.Term("kind", "referral")])]))
    assert _shape(q.And([word, q.Or([q.Term("codes", "a"), q.Term("codes", "b")])])) is None
    for raw in ("医院 -住院", "AJ2026-000023", "张"):
        assert _shape(parse_query(raw).query) is None, raw
