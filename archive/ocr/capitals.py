"""Capital amounts (大写金额) on scans: read again, as one line, with a second model.

The Debian `chi_sim` model has no 叁, 柒, 捌 or 仟 in its character set (measured), so it never
reads a capital amount from a scan: 柒 comes out as 染, 仟 as 什. `chi_tra` has 柒, 捌 and 仟 and
the traditional forms 參, 陸 and 貳, but not the simplified 贰, 叁 or 陆. So a run of words that
looks like a capital amount is read again from its box alone, as one line, by `chi_sim` (without
the page around it, it often reads a 贰 the page's reading missed) and by `chi_tra`, each from the
page as OCR read it (black and white) and from the grey page before binarisation, which keeps the
strokes of dense numerals apart (of the two tuning seeds' 40 invoices each, 13 and 8 capital
amounts were not taken from the black and white page alone, 4 and 3 with the grey page too). The
readings are merged character by character (`merge_readings`): a capital numeral the readings
that have one agree on is taken; where two give different numerals the character stays unread,
so that the amount is absent rather than wrong. A character keeps the confidence of the reading
it came from (the highest where readings agree), so a doubtful amount is still not taken unless
the figures confirm it (see `[corroborates]` in labels.toml and `unconfirmed`).
"""

from __future__ import annotations

import re
from functools import cache

import pytesseract

from archive.ocr.line_readings import Reading
from archive.ocr.normalize import amount_to_capital

SIMPLIFIED_MODEL = "chi_sim"
TRADITIONAL_MODEL = "chi_tra"
# Traditional forms as the simplified capital numerals; 参 is how chi_sim reads 叁.
_AS_SIMPLIFIED = str.maketrans("參陸貳萬圓参", "叁陆贰万元叁")
CAPITAL_CHARACTERS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整正")
_UNITS = frozenset("拾佰仟万元角分整")  # chi_sim reads these well: they tell a capital amount
_HAN = re.compile(r"[\u3400-\u9fff]+")
UNREAD = "\ufffd"
# A capital amount is taken as its figures' amount with at most this many of its characters not
# read (see `unconfirmed`): the figures, read on their own, say what that one is.
MAX_UNCONFIRMED = 1


def looks_like_capital(text: str) -> bool:
    """Text worth a second reading: at least two capital units, one of them 元, 角 or 分."""
    return len(text) >= 3 and sum(ch in _UNITS for ch in text) >= 2 and any(ch in "元角分" for ch in text)


def capital_runs(words: list[str]) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive all-Chinese words (tesseract reads Chinese a
    character or two per word) that together look like a capital amount."""
    runs, start = [], None
    for position, word in enumerate([*words, ""]):
        if _HAN.fullmatch(word):
            start = position if start is None else start
            continue
        if start is not None and looks_like_capital("".join(words[start:position])):
            runs.append((start, position))
        start = None
    return runs


def merge_readings(first: Reading, *others: Reading) -> Reading:
    """One reading of a capital amount from several readings of the same characters; `first`
    (the page's) decides the length, and readings that split the characters differently are left
    out: there is nothing to align them by."""
    aligned = [first, *(other for other in others if len(other) == len(first))]
    merged = []
    for characters in zip(*aligned, strict=True):
        numerals = {character.translate(_AS_SIMPLIFIED) for character, _ in characters} & CAPITAL_CHARACTERS
        if not numerals:
            merged.append(first[len(merged)])
        elif len(numerals) == 1:
            numeral = numerals.pop()
            merged.append((numeral, max(confidence for character, confidence in characters
                                        if character.translate(_AS_SIMPLIFIED) == numeral)))
        else:
            merged.append((UNREAD, 0.0))  # two different numerals: neither is trusted
    return merged


def unconfirmed(read: str, amount: str) -> list[int] | None:
    """Checking a capital amount read from a scan against its figures (`amount`, read on their
    own): the positions of the characters the figures call for that the reading does not have,
    or None when the reading says otherwise: a different capital character anywhere, whatever its
    confidence, or not as many characters."""
    expected = amount_to_capital(amount)
    text = re.sub(r"\s", "", read).translate(_AS_SIMPLIFIED)
    if len(text) != len(expected) or any(ch != want and ch in CAPITAL_CHARACTERS
                                         for ch, want in zip(text, expected, strict=True)):
        return None
    return [position for position, (ch, want) in enumerate(zip(text, expected, strict=True)) if ch != want]


@cache
def has_traditional_model() -> bool:
    return TRADITIONAL_MODEL in pytesseract.get_languages(config="")
