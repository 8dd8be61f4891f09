"""The search index schema (索引结构) and the character-bigram analysis behind exact recall.

Chinese has no spaces, so the full text is indexed as overlapping character pairs: "张伟于"
becomes "张伟", "伟于" at positions 0, 1. A query term is folded the same way and searched as a
phrase of its pairs at consecutive positions, so every substring of two or more characters of
a document's text finds it — digit runs like "0023" included, matched as written.
Whitespace separates segments; pairs never span it. Identifiers also get exact fields.

Digit pairs are few (100) and every document has many (dates, amounts), so a number's pairs
all occur in most documents and the phrase check runs on nearly all of them. Runs of four or
more ASCII digits are therefore also indexed as overlapping four-digit grams (field `digits`):
a number of four digits or more is a phrase of its grams there, which few documents share.

Positions are stored packed (`PackedPositions`: little-endian uint32s, one bytes string per
posting) rather than as Whoosh's pickled deltas, so a whole posting list decodes with a few
numpy calls and phrases are checked in bulk (archive.search.matching).
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections import defaultdict

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions, tokens

# Bump when fields or analysis change; an index built with another version is rebuilt.
SCHEMA_VERSION = 6  # 6: the case's own fields are indexed with its documents

EXACT_FIELDS = ("case_no", "kind", "status", "hospital", "patient_name", "id_number",
                "insurance_number", "invoice_number", "year")
FACET_FIELDS = ("kind", "year", "status", "hospital")


class _FoldTable(dict):
    """str.translate table of code point -> folded character, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char).casefold()
        self[code] = folded = folded if len(folded) == 1 else char
        return folded


_FOLD_TABLE = _FoldTable()
_RUN = re.compile(r"\S+")  # \s is str.isspace() for str patterns


def fold(text: str) -> str:
    """Full-width to half-width, upper to lower case — one character for one, so offsets in the
    folded text are offsets in the original."""
    return text.translate(_FOLD_TABLE)


def segments(text: str) -> list[tuple[int, str]]:
    """(start offset, run) for each whitespace-free run of the folded text."""
    return [(run.start(), run.group()) for run in _RUN.finditer(text)]


def bigrams(text: str) -> list[tuple[int, int, str]]:
    """(position, start char, pair) of the folded text; a gap in positions between segments
    keeps a phrase from running across whitespace."""
    pairs: list[tuple[int, int, str]] = []
    position = 0
    for start, run in segments(fold(text)):
        count = len(run) - 1
        if count > 0:
            pairs += zip(range(position, position + count), range(start, start + count),
                         map(str.__add__, run, run[1:]), strict=True)
            position += count
        position += 2
    return pairs


DIGIT_GRAM = 4
DIGIT_RUN = re.compile(rf"[0-9]{{{DIGIT_GRAM},}}")


def digit_grams(text: str) -> list[tuple[int, int, str]]:
    """(position, start char, gram) of the four-digit grams of each run of 4+ ASCII digits of
    the folded text; positions jump between runs so a phrase cannot join two runs."""
    grams, position = [], 0
    for run in DIGIT_RUN.finditer(fold(text)):
        digits = run.group()
        for offset in range(len(digits) - DIGIT_GRAM + 1):
            grams.append((position, run.start() + offset, digits[offset:offset + DIGIT_GRAM]))
            position += 1
        position += DIGIT_GRAM
    return grams


class BigramTokenizer(Tokenizer):
    """Whoosh tokenizer yielding the character pairs of `bigrams`."""

    grams = staticmethod(bigrams)

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, start, pair in self.grams(value):
            token.text = pair
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = pair
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + start + len(pair)
            yield token


class DigitGramTokenizer(BigramTokenizer):
    """Whoosh tokenizer yielding the four-digit grams of `digit_grams`."""

    grams = staticmethod(digit_grams)


class HiddenTokenizer(BigramTokenizer):
    """Whoosh tokenizer yielding the hidden characters of archive.search.hiding."""

    @staticmethod
    def grams(value):
        from archive.search.hiding import hidden_marks  # it reads this module's analysis

        return hidden_marks(value)


class PackedPositions(Positions):
    """Whoosh's Positions format with each posting's positions as little-endian uint32s
    (absolute, ascending) instead of a pickled list of deltas: decoding a block of postings is
    one join and one `numpy.frombuffer`, and encoding is one `struct.pack`."""

    def word_values(self, value, analyzer, **kwargs):
        positions = defaultdict(list)
        if isinstance(analyzer, BigramTokenizer) and isinstance(value, str):
            # The grams straight from the generator: no Token object per gram.
            for position, _, gram in analyzer.grams(value):
                positions[gram].append(position)
        else:
            kwargs["positions"] = True
            for token in tokens(value, analyzer, kwargs):
                positions[token.text].append(token.pos)
        boost = self.field_boost
        for word, listed in positions.items():
            yield word, len(listed), len(listed) * boost, struct.pack(f"<{len(listed)}I", *listed)

    def encode(self, poslist) -> bytes:
        return struct.pack(f"<{len(poslist)}I", *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(struct.unpack(f"<{len(valuestring) // 4}I", valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


def _positional(analyzer: Tokenizer) -> TEXT:
    text = TEXT(analyzer=analyzer, phrase=True)
    text.format = PackedPositions(field_boost=text.format.field_boost)
    # archive.search.matching scores without document lengths, so none are written (writing
    # them costs a column lookup per posting).
    text.scorable = False
    return text


def _column_only(field):
    """A sortable number or date kept as a column (and stored) but not indexed: ranges and
    sorting read the column (archive.search.matching), and Whoosh's trie terms for it were
    a quarter of all postings written."""
    field.indexed = False
    return field


def build_schema() -> Schema:
    # Values are folded (see `fold`) before they reach these fields; the faceted ones are
    # sortable so facet counts read a column instead of un-inverting terms.
    exact = {name: ID(stored=True, sortable=name in FACET_FIELDS) for name in EXACT_FIELDS}
    return Schema(
        document_id=ID(stored=True, unique=True),
        case_id=_column_only(NUMERIC(int, bits=64, stored=True, sortable=True)),
        text=_positional(BigramTokenizer()),
        digits=_positional(DigitGramTokenizer()),  # the same text, see above
        # Where masking hides characters, for searches without "identifiers.view"
        # (archive.search.hiding).
        hidden=_positional(HiddenTokenizer()),
        # Other identifiers read from the document (invoice code, inpatient number, credit code…).
        codes=KEYWORD(lowercase=True, commas=False, scorable=False),
        # The steps of the sign-off chains the case waits at (usually one).
        step=KEYWORD(lowercase=False, commas=False, scorable=False, stored=True),
        document_date=_column_only(DATETIME(stored=True, sortable=True)),
        case_opened=_column_only(DATETIME(stored=True, sortable=True)),
        amount_fen=_column_only(NUMERIC(int, bits=64, stored=True, sortable=True)),
        page_count=STORED(),
        **exact,
    )
