"""Bulk matching (archive.search.matching) against the truth and against Whoosh's own matchers,
on an index written straight from generated texts: several segments, deleted and replaced
documents, phrases with repeated grams, negation, ranges with missing values.
"""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as q

from archive.search import matching
from archive.search.matching import match
from archive.search.parse import parse_query
from archive.search.reading import column_array, docnums_of_cases, facet_codes, searcher_for
from archive.search.schema import build_schema, fold

ALPHABET = "张伟王芳医院人民县哈费用合计床位0123456789"
DOCUMENTS = 400


def _text(rng: random.Random) -> str:
    # A small alphabet so that grams recur in many documents and most phrase candidates fail.
    words = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 9))) for _ in range(12)]
    return " ".join(words) + rng.choice(["", "\n哈哈哈哈", "县人民医院"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    rng = random.Random(11)
    directory = tmp_path_factory.mktemp("matching")
    index = whoosh_index.create_in(str(directory), build_schema())
    truth: dict[str, dict] = {}
    for batch in range(4):  # one segment per commit, not merged
        writer = index.writer()
        for number in range(DOCUMENTS // 4 if batch < 3 else 0):
            document_id = str(batch * 1000 + number)
            record = {"text": _text(rng), "kind": rng.choice(["invoice", "referral"]),
                      "case_id": number % 37,
                      "document_date": rng.choice([None, datetime(2026, rng.randint(1, 12), 1)])}
            truth[document_id] = record
            writer.add_document(document_id=document_id, digits=record["text"], **{
                name: value for name, value in record.items() if value is not None})
        if batch == 3:  # replace some documents and delete others: deleted docnums in every segment
            for document_id in rng.sample(sorted(truth), 40):
                if rng.random() < 0.5:
                    writer.delete_by_term("document_id", document_id)
                    del truth[document_id]
                else:
                    truth[document_id]["text"] = _text(rng)
                    writer.update_document(document_id=document_id, text=truth[document_id]["text"],
                                           digits=truth[document_id]["text"],
                                           kind=truth[document_id]["kind"],
                                           case_id=truth[document_id]["case_id"])
                    truth[document_id]["document_date"] = None
        writer.commit(merge=False)
    return index, truth


def _ids(searcher, docnums) -> set[str]:
    return {searcher.stored_fields(int(docnum))["document_id"] for docnum in docnums}


def _whoosh(searcher, query) -> set[str]:
    return _ids(searcher, searcher.search(query, limit=None, scored=False).docs())


def _substrings(truth: dict, rng: random.Random, count: int) -> list[str]:
    texts = [record["text"] for record in truth.values()]
    found = []
    while len(found) < count:
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        part = text[start:start + rng.randint(2, 10)].split()[0] if text[start:].strip() else ""
        if len(part) >= 2:
            found.append(part)
    return found + ["哈哈哈", "哈哈哈哈", "县人民医院", "0000", "不存在的词"]


def test_the_index_has_segments_and_deletions(built):
    index, _ = built
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) == 4
    assert searcher.doc_count() < searcher.doc_count_all()


@pytest.fixture(params=["whole lists", "candidates looked up"])
def postings_read(request, monkeypatch):
    """Both ways of reading postings: whole decoded lists only, or by candidate (skipping)."""
    monkeypatch.setattr(matching, "SKIP_BELOW", 0 if request.param == "whole lists" else 10**9)
    monkeypatch.setattr(matching, "_cache", matching._PostingsCache(matching.CACHE_BYTES))
    return request.param


def test_every_substring_matches_exactly_the_documents_containing_it(built, postings_read):
    index, truth = built
    searcher = index.searcher()
    for part in _substrings(truth, random.Random(5), 150):
        query = parse_query(f'"{part}"').query
        expected = {document_id for document_id, record in truth.items()
                    if fold(part) in fold(record["text"])}
        found = match(searcher, query)
        assert _ids(searcher, found.docnums) == expected, part
        assert _whoosh(searcher, query) == expected, part  # and Whoosh agrees
        assert list(found.docnums) == sorted(set(found.docnums))
        assert (found.scores[: len(expected)] > 0).all()


def test_and_or_not_and_term_filters_agree_with_whoosh(built, postings_read):
    index, _ = built
    searcher = index.searcher()
    queries = [
        parse_query("哈哈 -医院").query, parse_query("张伟 王芳").query, parse_query("-费用").query,
        q.And([parse_query("合计").query, q.Term("kind", "invoice")]),
        q.Or([q.Term("kind", "referral"), parse_query("床位").query]),
        q.Term("document_id", "5"), q.Prefix("kind", "inv"),
    ]
    for query in queries:
        assert _ids(searcher, match(searcher, query).docnums) == _whoosh(searcher, query), query


def test_ranges_read_the_columns_and_skip_documents_without_a_value(built):
    # Numbers and dates are columns only (schema._column_only): Whoosh itself cannot answer these.
    index, truth = built
    searcher = index.searcher()
    march, june = datetime(2026, 3, 1), datetime(2026, 6, 1)
    cases = [
        (q.DateRange("document_date", march, june), lambda r: r["document_date"] is not None
         and march <= r["document_date"] <= june),
        (q.DateRange("document_date", None, datetime(2026, 2, 1)), lambda r: r["document_date"] is not None
         and r["document_date"] <= datetime(2026, 2, 1)),
        (q.DateRange("document_date", datetime(2026, 11, 1), None), lambda r: r["document_date"] is not None
         and r["document_date"] >= datetime(2026, 11, 1)),
        (q.And([parse_query("医院").query, q.NumericRange("case_id", 5, 9)]),
         lambda r: "医院" in r["text"] and 5 <= r["case_id"] <= 9),
    ]
    for query, wanted in cases:
        expected = {document_id for document_id, record in truth.items() if wanted(record)}
        assert expected and _ids(searcher, match(searcher, query).docnums) == expected, query


def test_a_phrase_scores_by_how_often_it_occurs(built):
    index, truth = built
    searcher = index.searcher()
    found = match(searcher, parse_query("哈哈").query)
    by_id = dict(zip([searcher.stored_fields(int(d))["document_id"] for d in found.docnums],
                     found.scores, strict=True))
    occurrences = {d: sum(fold(r["text"]).count("哈哈", i, i + 2) for i in range(len(r["text"])))
                   for d, r in truth.items() if d in by_id}
    most, fewest = max(occurrences, key=occurrences.get), min(occurrences, key=occurrences.get)
    assert occurrences[most] > occurrences[fewest] and by_id[most] > by_id[fewest]


def test_columns_facets_and_cases_by_document_number(built):
    index, truth = built
    searcher = index.searcher()
    live = np.array(sorted(set(range(searcher.doc_count_all())) - set(
        n for n in range(searcher.doc_count_all()) if searcher.reader().is_deleted(n))))
    codes, labels = facet_codes(searcher, "kind")
    counted = np.bincount(codes[live], minlength=len(labels))
    expected = {kind: sum(1 for r in truth.values() if r["kind"] == kind) for kind in ("invoice", "referral")}
    assert {label: int(n) for label, n in zip(labels, counted, strict=True) if n} == expected
    in_cases = docnums_of_cases(searcher, {3, 4})
    assert {searcher.stored_fields(int(d))["case_id"] for d in in_cases} <= {3, 4}
    assert _ids(searcher, np.intersect1d(in_cases, live)) == {
        d for d, r in truth.items() if r["case_id"] in (3, 4)}
    dates = column_array(searcher, "document_date")
    assert dates.size == searcher.doc_count_all() and dates.dtype == np.uint64


def test_search_sorts_documents_without_a_date_last_both_ways(tmp_path):
    from types import SimpleNamespace

    from archive.search.query import _ranked

    index = whoosh_index.create_in(str(tmp_path), build_schema())
    with index.writer() as writer:
        for number, month in enumerate([5, None, 1, 9]):
            fields = {"document_date": datetime(2026, month, 1)} if month else {}
            writer.add_document(document_id=str(number), text="医院", **fields)
    searcher = searcher_for(SimpleNamespace(path=tmp_path, whoosh=index))
    found = match(searcher, parse_query("医院").query)
    newest = [int(found.docnums[n]) for n in _ranked(searcher, found, ("document_date", True), 4)]
    oldest = [int(found.docnums[n]) for n in _ranked(searcher, found, ("document_date", False), 4)]
    assert newest == [3, 0, 2, 1] and oldest == [2, 0, 3, 1]
    assert [int(found.docnums[n]) for n in _ranked(searcher, found, None, 2)] == [0, 1]  # ties: by number
