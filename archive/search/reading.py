"""Reading the index fast: one searcher per thread kept open while it is current, and the sortable
columns (case, kind, year, status, hospital) cached per segment as plain lists.

Opening a searcher reads the table of contents and every segment, so it is done only when
the index changed. Whoosh's own facet counting calls several Python methods per
matching document and field; counting cached column values with `collections.Counter` does
the same work in C. Segments never change once written (deletions only hide documents), so a
segment's columns are read once and dropped with the segment.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable

_local = threading.local()
_columns: dict[tuple[str, str], list] = {}
_columns_lock = threading.Lock()


def searcher_for(index):
    """This thread's searcher on `index`, brought up to date. Do not close it."""
    held = getattr(_local, "held", None)
    identity = (str(index.path), os.stat(index.path).st_ino)  # a rebuild swaps the directory in
    if held is not None and held[0] == identity and held[1] is index.whoosh \
            and held[2].up_to_date():
        return held[2]
    if held is not None:
        held[2].close()
    # Not Searcher.refresh(): whoosh3 3.54 reuses a segment's reader by segment, so documents
    # deleted since stay visible in the refreshed searcher.
    searcher = index.whoosh.searcher()
    _local.held = (identity, index.whoosh, searcher)
    return searcher


def column(searcher, name: str) -> list:
    """The value of sortable field `name` for every document number of the searcher's reader."""
    values: list = []
    live = set()
    for segment_reader, _offset in _leaves(searcher.reader()):
        segment = segment_reader.segment()
        if segment is None:  # an index with no documents yet has a reader without segments
            continue
        key = (segment.segment_id(), name)
        live.add(key)
        cached = _columns.get(key)
        if cached is None:
            cached = list(segment_reader.column_reader(name)) if segment_reader.has_column(name) \
                else [None] * segment_reader.doc_count_all()
            with _columns_lock:
                _columns[key] = cached
        values += cached
    _forget_merged(live, name)
    return values


def count(values: list, docnums: Iterable[int]) -> Counter:
    return Counter(map(values.__getitem__, docnums))


def docnums_of_cases(searcher, case_ids: set[int]) -> set[int]:
    """Document numbers (live or not) of documents in these cases."""
    case_column = column(searcher, "case_id")
    return {docnum for docnum, case_id in enumerate(case_column) if case_id in case_ids}


def _leaves(reader):
    return reader.leaf_readers() if reader.is_atomic() is False else [(reader, 0)]


def _forget_merged(live: set, name: str) -> None:
    """Drop cached columns of segments merged away (other indexes' too: they are re-read)."""
    if len(_columns) <= 256:
        return
    stale = [key for key in _columns if key[1] == name and key not in live]
    with _columns_lock:
        for key in stale:
            _columns.pop(key, None)
