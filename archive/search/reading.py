"""Reading the index fast: one searcher per thread kept open while it is current, and the sortable
columns (case, kind, year, status, hospital, dates, amounts) cached per segment — as numpy arrays
of their raw sortable values, and for facets as numpy arrays of label codes.

Opening a searcher reads the table of contents and every segment, so it is done only when
the index changed. Whoosh's own facet counting calls several Python methods per matching
document and field; one `numpy.bincount` over the matching documents' label codes does it in C.
Segments never change once written (deletions only hide documents), so a segment's columns are
read once and dropped with the segment.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from archive.search.schema import FACET_FIELDS

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
    _warm(searcher)
    _local.held = (identity, index.whoosh, searcher)
    return searcher


def _warm(searcher) -> None:
    """Read the columns every search uses (facets, access, sorting, ranges) for segments not
    read yet, so their cost (~0.1 s per column per 100,000 documents) falls on opening the
    searcher — after a commit only the new segment's — not on whichever query needs them."""
    schema = searcher.schema
    for name in FACET_FIELDS:
        if name in schema:
            facet_codes(searcher, name)
    for name in ("case_id", "document_date", "case_opened", "amount_fen"):
        if name in schema:
            column_array(searcher, name)


def column_array(searcher, name: str) -> np.ndarray:
    """The raw sortable values (uint64) of numeric or date field `name` by document number; a
    document without a value has the field's default (the largest value)."""
    parts = _per_segment(searcher, name, "raw", _read_raw)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def facet_codes(searcher, name: str) -> tuple[np.ndarray, list]:
    """(code per document number, labels): field `name`'s value of document n is
    labels[codes[n]], so a facet is one `numpy.bincount` over the matching documents' codes."""
    labels: list = []
    code_of: dict = {}
    parts = []
    for segment_codes, segment_labels in _per_segment(searcher, name, "codes", _read_codes):
        relabel = np.array([code_of.setdefault(label, len(code_of)) for label in segment_labels],
                           dtype=np.int32)
        parts.append(relabel[segment_codes] if relabel.size else segment_codes)
    labels = list(code_of)
    return (np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)), labels


def docnums_of_cases(searcher, case_ids: set[int]) -> np.ndarray:
    """Document numbers (live or not, ascending) of documents in these cases."""
    case_column = column_array(searcher, "case_id")
    field = searcher.schema["case_id"]
    wanted = np.fromiter((field.to_column_value(case_id) for case_id in case_ids), dtype=np.uint64,
                         count=len(case_ids))
    return np.flatnonzero(np.isin(case_column, wanted)).astype(np.int64)


def leaves(searcher) -> list:
    """(segment reader, first document number) of each segment with documents."""
    reader = searcher.reader()
    found = reader.leaf_readers() if reader.is_atomic() is False else [(reader, 0)]
    # An index with no documents yet has a reader without segments.
    return [(leaf, offset) for leaf, offset in found if leaf.segment() is not None]


def _per_segment(searcher, name: str, kind: str, read) -> list:
    parts, live = [], set()
    for segment_reader, _offset in leaves(searcher):
        key = (segment_reader.segment().segment_id(), name, kind)
        live.add(key)
        cached = _columns.get(key)
        if cached is None:
            cached = read(segment_reader, name)
            with _columns_lock:
                _columns[key] = cached
        parts.append(cached)
    _forget_merged(live, name)
    return parts


def _read_values(segment_reader, name: str) -> list:
    return list(segment_reader.column_reader(name)) if segment_reader.has_column(name) \
        else [None] * segment_reader.doc_count_all()


def _read_raw(segment_reader, name: str) -> np.ndarray:
    values = segment_reader.column_reader(name, translate=False)  # the default where absent
    return np.fromiter(values, dtype=np.uint64, count=segment_reader.doc_count_all())


def _read_codes(segment_reader, name: str) -> tuple[np.ndarray, list]:
    code_of: dict = {}
    codes = np.fromiter((code_of.setdefault(value, len(code_of))
                         for value in _read_values(segment_reader, name)),
                        dtype=np.int32, count=segment_reader.doc_count_all())
    return codes, list(code_of)


def _forget_merged(live: set, name: str) -> None:
    """Drop cached columns of segments merged away (other indexes' too: they are re-read)."""
    kinds = {key[2] for key in live}
    if len(_columns) <= 256:
        return
    stale = [key for key in _columns if key[1] == name and key[2] in kinds and key not in live]
    with _columns_lock:
        for key in stale:
            _columns.pop(key, None)
