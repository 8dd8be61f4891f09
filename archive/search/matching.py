"""Matching in bulk: the exact set of documents a query matches, with relevance scores, computed
over whole posting lists with numpy rather than by Whoosh's matchers one document at a time.

Whoosh checks a phrase, scores and collects each candidate document in Python (0.1–0.4 ms
each), which is seconds for a hospital name or a common word at 100,000 documents. Here a
posting list is read block by block into two arrays (document numbers and, for the text fields,
positions; see schema.PackedPositions), a phrase is the intersection of (document, position −
offset) keys of its grams, and And/Or/AndNot are set operations on sorted arrays. Decoded
posting lists are kept per segment in a small LRU cache (segments never change; deletions are
applied per query), since the common bigrams (医院, 人民, 费用…) are in most queries. Parts of
an And run most selective first, and once few candidates are left (an ID number's digits
narrow it to a handful) the remaining grams are looked up for those documents only, skipping
the blocks in between, instead of decoding lists that cover most of the archive.

Counts stay exact: every document is checked, only in bulk. Scores are BM25 (k1 = 1.2) on the
frequency of each word or phrase, without length normalisation; exact-field matches add 1.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import DATETIME
from whoosh.matching.wrappers import FilterMatcher

from archive.search.hiding import GRAM_LENGTH, char_positions, character_terms, of_documents
from archive.search.reading import column_array, leaves
from archive.search.schema import PackedPositions

CACHE_BYTES = 128 * 2**20  # decoded posting lists kept per process
SKIP_BELOW = 2000  # candidate documents; with fewer, postings are looked up document by document
K1 = 1.2
EXACT_MATCH_SCORE = 1.0
_EMPTY = np.empty(0, dtype=np.int64)
HIDDEN_FIELD = "hidden"  # positions of masked characters (archive.search.hiding)


@dataclass
class Matches:
    docnums: np.ndarray  # sorted, unique, global document numbers (int64) of live documents
    scores: np.ndarray  # float64, one per document number

    @classmethod
    def empty(cls) -> Matches:
        return cls(_EMPTY, np.empty(0))


def match(searcher, query: q.Query, *, masked: bool = False) -> Matches:
    """Every live document `query` matches, with its score. `masked`: for a user who sees
    identifiers masked — text and digit phrases count only where they cover no hidden
    character (archive.search.hiding), so neither hits nor scores depend on those."""
    found = _evaluate(searcher, query, None, masked)
    deleted = _deleted(searcher)
    if deleted.size and found.docnums.size:
        keep = ~_in_sorted(found.docnums, deleted)
        found = Matches(found.docnums[keep], found.scores[keep])
    return found


def _in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Which of `values` are in the sorted array `sorted_values` — a binary search each, where
    numpy's isin/intersect1d would sort both arrays together again."""
    if not sorted_values.size:
        return np.zeros(values.size, dtype=bool)
    where = np.minimum(np.searchsorted(sorted_values, values), sorted_values.size - 1)
    return sorted_values[where] == values


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an already sorted array."""
    if values.size < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _evaluate(searcher, query: q.Query, within: np.ndarray | None, masked: bool) -> Matches:
    """The documents `query` matches; when `within` (sorted document numbers) is given, those
    outside it may be left out — the caller intersects with it anyway."""
    if isinstance(query, q.And):
        # The most selective part first; the others then only look at its documents.
        parts = sorted(query.subqueries, key=lambda part: _estimate(searcher, part))
        found = []
        for part in parts:
            found.append(_evaluate(searcher, part, within, masked))
            within = found[-1].docnums if within is None else \
                within[_in_sorted(within, found[-1].docnums)]
        return _intersection(found)
    if isinstance(query, q.Or):
        return _union([_evaluate(searcher, part, within, masked) for part in query.subqueries])
    if isinstance(query, q.AndNot):
        positive = _evaluate(searcher, query.a, within, masked)
        negative = _evaluate(searcher, query.b, positive.docnums, masked)
        keep = ~_in_sorted(positive.docnums, negative.docnums)
        return Matches(positive.docnums[keep], positive.scores[keep])
    if isinstance(query, q.Every) and not query.fieldname:
        docnums = np.arange(searcher.doc_count_all(), dtype=np.int64) if within is None else within
        return Matches(docnums, np.zeros(docnums.size))
    if masked and getattr(query, "fieldname", None) in GRAM_LENGTH:
        words = [query.text] if isinstance(query, q.Term) else \
            list(query.words) if isinstance(query, q.Phrase) else None
        if words is None or not _positional(searcher, query.fieldname):
            return Matches.empty()  # nothing else may look at the text unmasked
        if _may_cover_hidden(searcher, words):
            # A single gram too is a phrase here: its positions are checked like any phrase's.
            return _phrase(searcher, query.fieldname, words, within, masked=True)
    if isinstance(query, q.Term):
        return _term(searcher, query.fieldname, query.text, within)
    if isinstance(query, q.Phrase) and _positional(searcher, query.fieldname):
        return _phrase(searcher, query.fieldname, list(query.words), within)
    if isinstance(query, q.NumericRange) and _has_column(searcher, query.fieldname):
        return _range(searcher, query)
    return _fallback(searcher, query)


def _estimate(searcher, query: q.Query) -> int:
    """About how many documents `query` matches, from term statistics alone."""
    if isinstance(query, q.Term) and query.fieldname in searcher.schema:
        return searcher.doc_frequency(query.fieldname, query.text)
    if isinstance(query, q.Phrase) and query.fieldname in searcher.schema:
        return min(searcher.doc_frequency(query.fieldname, word) for word in query.words)
    if isinstance(query, q.And):
        return min(_estimate(searcher, part) for part in query.subqueries)
    if isinstance(query, q.Or):
        return sum(_estimate(searcher, part) for part in query.subqueries)
    if isinstance(query, q.AndNot):
        return _estimate(searcher, query.a)
    return searcher.doc_count_all()


def _term(searcher, fieldname: str, text, within: np.ndarray | None) -> Matches:
    """A single term: its posting list. On a text field the score grows with the frequency."""
    if fieldname not in searcher.schema:
        return Matches.empty()
    positional = _positional(searcher, fieldname)
    parts, frequencies = [], []
    for reader, offset in leaves(searcher):
        postings = _postings(reader, fieldname, text, _local(within, reader, offset))
        if postings is None:
            continue
        docnums, positions, counts = postings
        parts.append(docnums.astype(np.int64) + offset)
        if positional:
            frequencies.append(counts)
    if not parts:
        return Matches.empty()
    docnums = np.concatenate(parts)
    if not positional:
        return Matches(docnums, np.full(docnums.size, EXACT_MATCH_SCORE))
    return Matches(docnums, _bm25(np.concatenate(frequencies), docnums.size, searcher))


def _phrase(searcher, fieldname: str, grams: list[str], within: np.ndarray | None, *,
            masked: bool = False) -> Matches:
    """Documents where the grams occur at consecutive positions, and how often; when `masked`,
    only the occurrences that cover no hidden character count."""
    parts, frequencies = [], []
    for reader, offset in leaves(searcher):
        found = _phrase_in_segment(reader, fieldname, grams, _local(within, reader, offset), masked)
        if found is not None and found[0].size:
            parts.append(found[0] + offset)
            frequencies.append(found[1])
    if not parts:
        return Matches.empty()
    docnums = np.concatenate(parts)
    return Matches(docnums, _bm25(np.concatenate(frequencies), docnums.size, searcher))


def _phrase_in_segment(reader, fieldname: str, grams: list[str], candidates: np.ndarray | None,
                       masked: bool = False):
    if any((fieldname, gram) not in reader for gram in grams):
        return None
    # Rarest gram first: the candidate set only shrinks, and later lists are cut to it first.
    order = sorted(range(len(grams)), key=lambda i: reader.doc_frequency(fieldname, grams[i]))
    keys = None
    for i in order:
        docnums, positions, counts = _postings(reader, fieldname, grams[i], candidates)
        document_of_position = np.repeat(docnums.astype(np.int64), counts)
        if candidates is not None:
            inside = _in_sorted(document_of_position, candidates)
            document_of_position, positions = document_of_position[inside], positions[inside]
        # (document, start of the phrase) as one integer, ascending like the postings;
        # `len(grams)` keeps the start ≥ 0.
        gram_keys = (document_of_position << 32) | (positions.astype(np.int64) + (len(grams) - i))
        keys = gram_keys if keys is None else keys[_in_sorted(keys, gram_keys)]
        if not keys.size:
            return None
        candidates = _distinct_sorted(keys >> 32)
    if masked:
        keys = _visible(reader, fieldname, len(grams), keys, candidates)
        if not keys.size:
            return None
        candidates = _distinct_sorted(keys >> 32)
    starts = keys >> 32
    return candidates, np.searchsorted(starts, candidates, side="right") - np.searchsorted(starts, candidates)


def _may_cover_hidden(searcher, grams: list[str]) -> bool:
    """Whether any document hides a character these grams have (archive.search.hiding)."""
    wanted = character_terms(grams)
    return any((HIDDEN_FIELD, term) in reader for reader, _ in leaves(searcher) for term in wanted)


def _visible(reader, fieldname: str, grams: int, keys: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The phrase occurrences `keys` (document << 32 | start + grams) that cover no hidden
    character: those with no hidden position from their start to their last character."""
    hidden = _postings(reader, HIDDEN_FIELD, fieldname, candidates)
    if hidden is None:
        return keys
    docnums, positions, counts = of_documents(*hidden, candidates)
    hidden_keys = (np.repeat(docnums.astype(np.int64), counts) << 32) | positions.astype(np.int64)
    first, last = keys - grams, keys - grams + char_positions(fieldname, grams) - 1
    covered = np.searchsorted(hidden_keys, last, side="right") - np.searchsorted(hidden_keys, first)
    return keys[covered == 0]


def _local(within: np.ndarray | None, reader, offset: int) -> np.ndarray | None:
    if within is None:
        return None
    low, high = np.searchsorted(within, [offset, offset + reader.doc_count_all()])
    return within[low:high] - offset


def _postings(reader, fieldname: str, text, candidates: np.ndarray | None = None):
    """(document numbers, positions, positions per document) of a term in one segment;
    positions are empty for fields without them. None if the segment lacks the term.

    A whole list is decoded block by block and cached. With only a few `candidates` (segment
    document numbers) and the list not cached, only their postings are read, skipping blocks."""
    key = (reader.segment().segment_id(), fieldname, text)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    if (fieldname, text) not in reader:
        return None
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # deletions are applied once, by `match`
        matcher = matcher.child
    field = reader.schema[fieldname]
    if candidates is not None and candidates.size <= SKIP_BELOW:
        return _arrays(field, *_postings_of(matcher, candidates))
    ids, values = [], []
    for block_ids, block_values in _blocks(matcher):
        ids.append(np.asarray(block_ids, dtype=np.int64))
        if block_values is not None:
            values.extend(block_values)
    found = _arrays(field, np.concatenate(ids) if ids else _EMPTY, values)
    _cache.put(key, found, sum(array.nbytes for array in found))
    return found


def preload(reader, fieldname: str, text) -> int:
    """Decode and cache a term's posting list in one segment; the bytes it takes."""
    found = _postings(reader, fieldname, text)
    return 0 if found is None else sum(array.nbytes for array in found)


def _postings_of(matcher, candidates: np.ndarray) -> tuple[list, list]:
    ids, values = [], []
    for docnum in candidates.tolist():
        if not matcher.is_active():
            break
        matcher.skip_to(docnum)
        if not matcher.is_active():
            break
        if matcher.id() == docnum:
            ids.append(docnum)
            values.append(matcher.value())
    return ids, values


def _arrays(field, ids, values: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # 32 bits each, to keep twice as many lists in the cache; widened where keys are built.
    docnums = np.asarray(ids, dtype=np.int32)
    if not isinstance(field.format, PackedPositions):
        return docnums, _EMPTY, np.ones(docnums.size, dtype=np.int32)
    counts = np.fromiter(map(len, values), dtype=np.int32, count=len(values)) // 4
    positions = np.frombuffer(b"".join(values), dtype="<u4").astype(np.int32)
    return docnums, positions, counts


def _blocks(matcher):
    """(ids, values) of each postings block; a short list stored inline in the term info has
    no blocks and is read posting by posting."""
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_values()
            yield matcher._ids, matcher._values
            matcher._next_block()
        return
    ids, values = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        values.append(matcher.value())
        matcher.next()
    yield ids, values


def _range(searcher, query: q.NumericRange) -> Matches:
    field = searcher.schema[query.fieldname]
    values = column_array(searcher, query.fieldname)
    keep = values != np.uint64(field.column_type.default_value())  # no value: outside every range
    if query.start is not None:
        low = _column_value(field, query.start)
        keep &= (values > low) if query.startexcl else (values >= low)
    if query.end is not None:
        high = _column_value(field, query.end)
        keep &= (values < high) if query.endexcl else (values <= high)
    docnums = np.flatnonzero(keep).astype(np.int64)
    return Matches(docnums, np.zeros(docnums.size))


def _column_value(field, bound) -> np.uint64:
    # DateRange has already turned its datetimes into the longs a DATETIME column holds.
    if isinstance(field, DATETIME) and isinstance(bound, int):
        return np.uint64(bound)
    return np.uint64(field.to_column_value(bound))


def _fallback(searcher, query: q.Query) -> Matches:
    """Anything else (a prefix, a field without packed positions): Whoosh's own matcher."""
    docnums = np.fromiter(searcher.search(query, limit=None, scored=False).docs(), dtype=np.int64)
    docnums.sort()
    return Matches(docnums, np.zeros(docnums.size))


def _intersection(parts: list[Matches]) -> Matches:
    if not parts:
        return Matches.empty()
    docnums, scores = parts[0].docnums, parts[0].scores
    for part in parts[1:]:
        mine = _in_sorted(docnums, part.docnums)
        docnums, scores = docnums[mine], scores[mine] + part.scores[np.searchsorted(part.docnums,
                                                                                   docnums[mine])]
    return Matches(docnums, scores)


def _union(parts: list[Matches]) -> Matches:
    parts = [part for part in parts if part.docnums.size]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    docnums, where = np.unique(np.concatenate([part.docnums for part in parts]), return_inverse=True)
    scores = np.zeros(docnums.size)
    np.add.at(scores, where, np.concatenate([part.scores for part in parts]))
    return Matches(docnums, scores)


def _bm25(frequencies: np.ndarray, document_frequency: int, searcher) -> np.ndarray:
    documents = max(1, searcher.doc_count())
    idf = math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))
    return idf * frequencies * (K1 + 1) / (frequencies + K1)


def _positional(searcher, fieldname: str) -> bool:
    return fieldname in searcher.schema and isinstance(searcher.schema[fieldname].format, PackedPositions)


def _has_column(searcher, fieldname: str) -> bool:
    return fieldname in searcher.schema and bool(searcher.schema[fieldname].column_type)


def _deleted(searcher) -> np.ndarray:
    parts = [np.fromiter(reader.deleted_docs_set, dtype=np.int64) + offset
             for reader, offset in leaves(searcher) if reader.has_deletions()]
    return np.sort(np.concatenate(parts)) if parts else _EMPTY


class _PostingsCache:
    """Least recently used decoded posting lists, up to CACHE_BYTES."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return None if found is None else found[0]

    def put(self, key, value, size: int) -> None:
        if size > self.limit:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = (value, size)
            self.size += size
            while self.size > self.limit:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= dropped


_cache = _PostingsCache(CACHE_BYTES)
