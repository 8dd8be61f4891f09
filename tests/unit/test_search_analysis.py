"""Character-bigram analysis, query parsing and snippets of archive.search — no index needed."""

from __future__ import annotations

from whoosh import query as q

from archive.search.parse import parse_query, text_query
from archive.search.schema import BigramTokenizer, bigrams, digit_grams, fold
from archive.search.snippets import snippet


def pairs(text: str) -> list[str]:
    return [pair for _, _, pair in bigrams(text)]


def test_chinese_text_becomes_overlapping_pairs():
    assert pairs("张伟于县人民医院") == ["张伟", "伟于", "于县", "县人", "人民", "民医", "医院"]


def test_digits_and_latin_are_paired_as_written_and_folded():
    assert pairs("0023") == ["00", "02", "23"]
    assert pairs("ＣＴ平扫") == ["ct", "t平", "平扫"]
    assert pairs("XY-2026") == ["xy", "y-", "-2", "20", "02", "26"]


def test_pairs_never_span_whitespace_and_positions_leave_a_gap():
    found = bigrams("张伟  13651610")
    assert [pair for _, _, pair in found][:2] == ["张伟", "13"]
    assert found[1][0] - found[0][0] > 1  # a phrase cannot run from one run into the next
    assert found[1][1] == 4  # character offset in the original text


def test_fold_keeps_one_character_for_one():
    text = "票据号码：ＡＢ１２"
    assert len(fold(text)) == len(text)
    assert fold(text) == "票据号码:ab12"


def test_tokenizer_reports_positions_and_characters():
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in BigramTokenizer()("医保 号码", positions=True, chars=True)]
    assert tokens == [("医保", 0, 0, 2), ("号码", 3, 3, 5)]


def test_a_term_is_a_phrase_of_its_pairs():
    assert text_query("张伟于") == q.Phrase("text", ["张伟", "伟于"])
    assert text_query("张伟") == q.Term("text", "张伟")
    assert text_query("365") == q.Phrase("text", ["36", "65"])


def test_numbers_of_four_digits_or_more_are_phrases_of_digit_grams():
    assert text_query("13651610") == q.Phrase("digits", ["1365", "3651", "6516", "5161", "1610"])
    assert text_query("2026") == q.Term("digits", "2026")
    assert text_query("ID1101051949") == q.And([
        q.Phrase("digits", ["1101", "1010", "0105", "1051", "0519", "5194", "1949"]),
        q.Phrase("text", ["id", "d1", "11", "10", "01", "10", "05", "51", "19", "94", "49"])])
    assert digit_grams("号码：0023，日期 2026-03-05 12345") == [
        (0, 3, "0023"), (5, 11, "2026"), (10, 22, "1234"), (11, 23, "2345")]


def test_single_character_searches_exact_fields_and_warns():
    parsed = parse_query("张")
    assert [notice.code for notice in parsed.warnings] == ["single_character"]
    assert "text" not in {term[0] for term in parsed.query.iter_all_terms()}


def test_malformed_queries_warn_and_fall_back_to_plain_text():
    for raw, code in [('"张伟', "unbalanced_quote"), ("foo:张伟", "unknown_field"),
                      ("name:", "empty_value")]:
        parsed = parse_query(raw)
        assert code in [notice.code for notice in parsed.warnings], raw
    assert parse_query("foo:张伟").query is not None


def test_fields_and_negation():
    parsed = parse_query("name:张伟 -县中医院")
    assert isinstance(parsed.query, q.AndNot)
    assert parsed.text_terms == []


def test_snippet_marks_matches_escapes_the_rest_and_stops_at_sentence_ends():
    pages = ["无关。", "诊断：<b>股骨颈骨折</b>。转诊原因：本院不具备手术条件！其他"]
    found = snippet(pages, ["骨折"])
    assert found.page == 2
    assert str(found.html) == "诊断：&lt;b&gt;股骨颈<mark>骨折</mark>&lt;/b&gt;。"
