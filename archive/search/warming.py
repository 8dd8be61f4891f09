"""Warming the posting-list cache before the first query needs it.

The first query in a process to touch a common bigram (医院 is in most documents) pays for
decoding its whole posting list from Whoosh's pickled blocks: 60–130 ms for the largest lists at
100,000 documents, so the first hospital-name or phrase search after a start took 300+ ms while
the same search again took 50. A serving process therefore decodes the lists with the most
documents — which are both the costliest and the ones most queries contain — when it starts, and
again for segments a commit or merge adds, up to a share of the cache (archive.search.matching).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time

from archive.search.matching import CACHE_BYTES, preload
from archive.search.reading import leaves

log = logging.getLogger(__name__)

WARM_FIELDS = ("text", "digits")  # the positional gram fields every free-text query reads
_TERMS_PER_FIELD = 4000  # most frequent terms considered per segment and field

_warmed_segments: set[str] = set()
_warm_lock = threading.Lock()


DEFAULT_BUDGET_MB = CACHE_BYTES * 0.75 / 2**20


def warm_postings(index, budget_mb: float = DEFAULT_BUDGET_MB) -> dict:
    """Decode the most common grams' posting lists of segments not warmed yet, most documents
    first, until about `budget_mb` is cached. Returns what it did, for logs and benchmarks."""
    started = time.perf_counter()
    budget = int(budget_mb * 2**20)
    loaded = spent = 0
    with _warm_lock, index.whoosh.searcher() as searcher:
        readers = [reader for reader, _offset in leaves(searcher)]
        live = {reader.segment().segment_id() for reader in readers}
        fresh = [reader for reader in readers if reader.segment().segment_id() not in _warmed_segments]
        for _documents, size, reader, fieldname, text in _largest_lists(fresh):
            if spent + size > budget:
                break
            spent += preload(reader, fieldname, text)
            loaded += 1
        _warmed_segments.intersection_update(live)  # segments merged away are forgotten
        _warmed_segments.update(live)
    return {"segments": len(fresh), "lists": loaded, "mb": round(spent / 2**20, 1),
            "seconds": round(time.perf_counter() - started, 2)}


def _largest_lists(readers: list) -> list[tuple]:
    """(documents, estimated decoded bytes, reader, field, term) of every segment's most
    frequent grams, most documents first."""
    found = []
    for reader in readers:
        for fieldname in WARM_FIELDS:
            if fieldname not in reader.schema:
                continue
            field = reader.schema[fieldname]
            terms = heapq.nlargest(_TERMS_PER_FIELD, reader.iter_field(fieldname),
                                   key=lambda item: item[1].doc_frequency())
            for text, info in terms:
                # document numbers and counts (int32 each) plus one int32 per position
                size = 8 * info.doc_frequency() + 4 * int(info.weight())
                found.append((info.doc_frequency(), size, reader, fieldname, field.from_bytes(text)))
    found.sort(key=lambda item: item[0], reverse=True)
    return found


def start_warming(runtime, every_seconds: float, stop: threading.Event, *,
                  budget_mb: float = DEFAULT_BUDGET_MB) -> threading.Thread:
    """Warm in the background now and then every `every_seconds`, for segments added since."""

    def run() -> None:
        while True:
            try:
                done = warm_postings(runtime.search_index(), budget_mb)
                if done["segments"]:
                    log.info("search cache warmed: %s", done)
            except Exception:  # a missing or damaged index is handled where queries open it
                log.exception("warming the search cache failed")
            if stop.wait(every_seconds):
                return

    thread = threading.Thread(target=run, name="search-warming", daemon=True)
    thread.start()
    return thread
