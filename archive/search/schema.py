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
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

# Bump when fields or analysis change; an index built with another version is rebuilt.
SCHEMA_VERSION = 3

EXACT_FIELDS = ("case_no", "kind", "status", "hospital", "patient_name", "id_number",
                "insurance_number", "invoice_number", "year")
FACET_FIELDS = ("kind", "year", "status", "hospital")


@cache
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).casefold()
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """Full-width to half-width, upper to lower case — one character for one, so offsets in the
    folded text are offsets in the original."""
    return "".join(_fold_char(char) for char in text)


def segments(text: str) -> list[tuple[int, str]]:
    """(start offset, run) for each whitespace-free run of the folded text."""
    runs, start = [], None
    for index, char in enumerate(text):
        if char.isspace():
            if start is not None:
                runs.append((start, text[start:index]))
                start = None
        elif start is None:
            start = index
    if start is not None:
        runs.append((start, text[start:]))
    return runs


def bigrams(text: str) -> list[tuple[int, int, str]]:
    """(position, start char, pair) of the folded text; a gap in positions between segments
    keeps a phrase from running across whitespace."""
    pairs, position = [], 0
    for start, run in segments(fold(text)):
        for offset in range(len(run) - 1):
            pairs.append((position, start + offset, run[offset:offset + 2]))
            position += 1
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


def build_schema() -> Schema:
    # Values are folded (see `fold`) before they reach these fields; the faceted ones are
    # sortable so facet counts read a column instead of un-inverting terms.
    exact = {name: ID(stored=True, sortable=name in FACET_FIELDS) for name in EXACT_FIELDS}
    return Schema(
        document_id=ID(stored=True, unique=True),
        case_id=NUMERIC(int, bits=64, stored=True, sortable=True),
        text=TEXT(analyzer=BigramTokenizer(), phrase=True),
        digits=TEXT(analyzer=DigitGramTokenizer(), phrase=True),  # the same text, see above
        # Other identifiers read from the document (invoice code, inpatient number, credit code…).
        codes=KEYWORD(lowercase=True, commas=False, scorable=False),
        # The steps of the sign-off chains the case waits at (usually one).
        step=KEYWORD(lowercase=False, commas=False, scorable=False, stored=True),
        document_date=DATETIME(stored=True, sortable=True),
        case_opened=DATETIME(stored=True, sortable=True),
        amount_fen=NUMERIC(int, bits=64, stored=True, sortable=True),
        page_count=STORED(),
        **exact,
    )
