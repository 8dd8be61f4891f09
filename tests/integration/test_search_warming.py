"""Warming the posting-list cache (archive.search.warming): it decodes the grams in the most
documents first, within its budget, once per segment, and what it caches answers queries exactly
as a cold decode does."""

from __future__ import annotations

import random
import threading
import time

import pytest
from whoosh import index as whoosh_index

from archive.search import matching
from archive.search.index import SearchIndex
from archive.search.matching import match
from archive.search.parse import parse_query
from archive.search.reading import leaves
from archive.search.schema import build_schema
from archive.search.warming import start_warming, warm_postings
from tests import factories

WORDS = ["医院", "人民医院", "住院费用", "张伟", "王芳", "合计", "床位费", "县人民医院", "13651610", "2026"]


def _add_segment(index, rng: random.Random, first: int, count: int) -> None:
    writer = index.writer()
    for number in range(first, first + count):
        # Zipf-like: the first words are in most documents, the last in few.
        text = "".join(word for rank, word in enumerate(WORDS, 1) if rng.random() < 1.5 / rank)
        writer.add_document(document_id=str(number), text=text or "无", digits=text or "无",
                            kind="invoice")
    writer.commit(merge=False)


@pytest.fixture()
def index(tmp_path):
    built = whoosh_index.create_in(str(tmp_path), build_schema())
    rng = random.Random(5)
    _add_segment(built, rng, 0, 300)
    _add_segment(built, rng, 300, 200)
    return SearchIndex(tmp_path, built)


def _lists_by_frequency(index) -> dict[tuple[str, str, str], int]:
    """(segment, field, term) → documents, for every gram of the warmed fields."""
    found = {}
    with index.whoosh.searcher() as searcher:
        for reader, _offset in leaves(searcher):
            for fieldname in ("text", "digits"):
                field = reader.schema[fieldname]
                for text, info in reader.iter_field(fieldname):
                    found[(reader.segment().segment_id(), fieldname, field.from_bytes(text))] = \
                        info.doc_frequency()
    return found


def test_warming_decodes_the_most_common_grams_first_within_the_budget(index):
    lists = _lists_by_frequency(index)
    budget_mb = 0.02  # room for a few lists only
    done = warm_postings(index, budget_mb=budget_mb)
    cached = {key: size for key, (_value, size) in matching._cache.entries.items() if key in lists}
    assert done["segments"] == 2 and done["lists"] == len(cached) > 2
    assert sum(cached.values()) <= budget_mb * 2**20 < sum(cached.values()) * 2
    assert {text for _segment, _field, text in cached} >= {"医院"}
    # Taken in order of documents: nothing left out is in more documents than anything taken.
    assert min(lists[key] for key in cached) >= max(
        frequency for key, frequency in lists.items() if key not in cached)


def test_each_segment_is_warmed_once_and_a_new_segment_on_the_next_round(index):
    first = warm_postings(index)
    assert first["segments"] == 2 and first["lists"] > 0
    again = warm_postings(index)
    assert again == {**again, "segments": 0, "lists": 0}
    _add_segment(index.whoosh, random.Random(9), 500, 50)
    later = warm_postings(index)
    assert later["segments"] == 1 and later["lists"] > 0


def test_queries_answer_the_same_from_warmed_lists(index):
    queries = ["人民医院", "医院 张伟", "住院费用", "13651610", "县人民医院 -王芳", "合计"]
    with index.whoosh.searcher() as searcher:
        cold = {raw: match(searcher, parse_query(raw).query).docnums.tolist() for raw in queries}
    matching._cache.entries.clear()
    matching._cache.size = 0
    assert warm_postings(index)["lists"] > 0
    with index.whoosh.searcher() as searcher:
        warm = {raw: match(searcher, parse_query(raw).query).docnums.tolist() for raw in queries}
    assert warm == cold
    assert all(cold[raw] for raw in queries)


def test_a_serving_process_warms_in_the_background_and_picks_up_new_documents(runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="张伟", claim_type="outpatient")
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(3), kind="invoice")
    stop = threading.Event()
    thread = start_warming(runtime, every_seconds=0.05, stop=stop)
    try:
        assert _wait_for(lambda: _segments_cached(runtime.search_index()) == _segments(runtime))
        factories.upload(runtime, clerk, case_no, factories.invoice_pdf(4), kind="invoice")
        assert len(_segments(runtime)) == 2  # the new document's own segment
        assert _wait_for(lambda: _segments_cached(runtime.search_index()) == _segments(runtime))
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _segments(runtime) -> set[str]:
    with runtime.search_index().whoosh.searcher() as searcher:
        return {reader.segment().segment_id() for reader, _offset in leaves(searcher)}


def _segments_cached(index) -> set[str]:
    with index.whoosh.searcher() as searcher:
        live = {reader.segment().segment_id() for reader, _offset in leaves(searcher)}
    return {segment for segment, _field, _text in list(matching._cache.entries)} & live


def _wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
