"""Where the masked characters are, so a search without "identifiers.view" cannot reach them.

Someone without the right sees ID and phone numbers masked (archive.records.masking: 110101
********1234, 138****5678). Were the full text searchable as stored, they could confirm a
number, or rebuild one a digit at a time (`q=<known digits><guess>`: a hit or not). So the
index also records, for each document, the position of every character that masking hides —
field `hidden`, term "text" in the positions of field `text` (one per character, see
`char_positions`) and term "digits" in those of field `digits`, and a term per hidden character
("c1", "c-"…) — and such a user's phrases only count where they cover none of them
(archive.search.matching); a phrase none of whose characters is ever hidden (a name, a hospital)
is not checked at all. Only the visible part of a number (the region code, the last four
digits) can be found, and hits, totals, facet counts, scores and snippets all agree with the
masked text.

Which characters are hidden is read from `mask` itself, by lining up the text with its masked
form, so a change to the masking rules changes what is hidden: the index records a fingerprint
of the masking module and is rebuilt when it changes (archive.search.index).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from archive.records import masking
from archive.search.schema import DIGIT_GRAM, DIGIT_RUN, fold, segments

# Pages are joined with this for field `hidden`: whitespace like the "\n" that joins them for
# `text` (so positions agree), yet it tells the pages apart, which are masked one by one as
# they are shown.
PAGE_BREAK = "\x1e"
# Gram lengths of the positional fields whose matches must avoid hidden characters.
GRAM_LENGTH = {"text": 2, "digits": DIGIT_GRAM}
_SYNC = 24  # characters that must agree after a masked stretch for the texts to be in step
_REACH = 48  # longest masked stretch (characters of either text) looked for
_NEAR = 4  # characters that agree up to the next masked stretch
MASK_CHARACTER = "*"  # what archive.records.masking writes for a hidden digit
CHARACTER_TERM = "c"  # + a character: some document hides it ("text" and "digits": positions)


def masking_fingerprint() -> str:
    """Changes whenever the masking rules may have: what is hidden must be worked out again."""
    return hashlib.sha256(Path(masking.__file__).read_bytes()).hexdigest()[:16]


def hidden_offsets(text: str) -> list[int]:
    """Offsets of the characters of `text` that `mask` hides (changes or drops), ascending."""
    masked = masking.mask_text(text)
    if masked == text:
        return []
    hidden: list[int] = []
    i = j = 0
    while True:
        same = _common_prefix(text, i, masked, j)
        i, j = i + same, j + same
        if i >= len(text) and j >= len(masked):
            return hidden
        step = _back_in_step(text, i, masked, j)
        if step is None:  # cannot line them up: hide every digit from here (never too little)
            return hidden + [n for n in range(i, len(text)) if text[n].isdigit()]
        hidden.extend(range(i, i + step[0]))
        i, j = i + step[0], j + step[1]


def _common_prefix(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:], compared in C, long stretches at once."""
    limit, length, step = min(len(a) - i, len(b) - j), 0, 1024
    while step:
        while length + step <= limit and a[i + length:i + length + step] == b[j + length:j + length + step]:
            length += step
        step //= 2
    return length


def _back_in_step(a: str, i: int, b: str, j: int) -> tuple[int, int] | None:
    """The shortest (skip in a, skip in b) after which the text `a` and its masked form `b`
    agree again: for _SYNC characters, or to both their ends, or (the next number being close)
    for at least _NEAR characters up to the next mask character in `b`."""
    for total in range(1, 2 * _REACH + 1):
        for skip_a in range(min(total, _REACH), max(0, total - _REACH) - 1, -1):
            at_a, at_b = i + skip_a, j + total - skip_a
            if at_a > len(a) or at_b > len(b):
                continue
            if a[at_a:at_a + _SYNC] == b[at_b:at_b + _SYNC]:
                return skip_a, total - skip_a
            if at_a < len(a) and at_b < len(b) and a[at_a] == b[at_b]:
                agree = _common_prefix(a, at_a, b, at_b)
                if agree >= _NEAR and at_b + agree < len(b) and b[at_b + agree] == MASK_CHARACTER:
                    return skip_a, total - skip_a
    return None


def hidden_marks(value: str) -> list[tuple[int, int, str]]:
    """(position, start char, "text" | "digits") of each hidden character of a document whose
    pages are joined with PAGE_BREAK, in the position spaces of fields `text` and `digits`."""
    offsets, base = [], 0
    for page in value.split(PAGE_BREAK):
        offsets += [base + offset for offset in hidden_offsets(page)]
        base += len(page) + 1
    if not offsets:
        return []
    folded = fold(value)
    # Which characters are hidden at all (term "c" + the character, once): a phrase with none
    # of them cannot cover a hidden character, so it is not checked (most words are not).
    marks: list[tuple[int, int, str]] = [(0, 0, CHARACTER_TERM + character)
                                         for character in sorted({folded[n] for n in offsets})]
    # Field `text`: a run of n characters takes bigram positions p … p+n-2 and the next run
    # starts at p+n+1, so its characters can be numbered p … p+n-1 without meeting the next.
    position, k = 0, 0
    for start, run in segments(folded):
        k = _mark(marks, offsets, k, start, start + len(run), position, "text")
        position += max(len(run) - 1, 0) + 2
    # Field `digits`: a run of n ≥ 4 digits takes gram positions p … p+n-4, the next p+n+1.
    position, k = 0, 0
    for run in DIGIT_RUN.finditer(folded):
        k = _mark(marks, offsets, k, run.start(), run.end(), position, "digits")
        position += len(run.group()) - DIGIT_GRAM + 1 + DIGIT_GRAM
    return marks


def _mark(marks: list, offsets: list[int], k: int, start: int, end: int, position: int,
          term: str) -> int:
    while k < len(offsets) and offsets[k] < end:
        if offsets[k] >= start:
            marks.append((position + offsets[k] - start, offsets[k], term))
        k += 1
    return k


def character_terms(grams: list[str]) -> list[str]:
    """The terms of field `hidden` for the characters of these grams."""
    return [CHARACTER_TERM + character for character in sorted(set("".join(grams)))]


def char_positions(fieldname: str, grams: int) -> int:
    """How many characters a phrase of `grams` grams of `fieldname` covers, from its start."""
    return grams + GRAM_LENGTH[fieldname] - 1


def of_documents(docnums: np.ndarray, positions: np.ndarray, counts: np.ndarray,
                 wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The postings (document numbers, positions, positions per document) of the `wanted`
    documents only: a cached posting list covers the whole segment."""
    where = np.minimum(np.searchsorted(docnums, wanted), max(docnums.size - 1, 0))
    rows = where[docnums[where] == wanted] if docnums.size else where[:0]
    lengths = counts[rows]
    begins = np.cumsum(counts)[rows] - lengths
    flat = np.repeat(begins - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return docnums[rows], positions[flat], lengths
