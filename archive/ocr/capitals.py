"""Capital amounts (大写金额) on scans: read again, as one line, with a second model.

The Debian `chi_sim` model has no 叁, 柒, 捌 or 仟 in its character set (measured), so it never
reads a capital amount from a scan: 柒 comes out as 染, 仟 as 什. `chi_tra` has 柒, 捌 and 仟 and
the traditional forms 參, 陸 and 貳, but not the simplified 贰, 叁 or 陆. So a run of words that
looks like a capital amount is read again from its box alone, as one line, by `chi_sim` (without
the page around it, it often reads a 贰 the page's reading missed) and by `chi_tra`, and the
readings are merged character by character: a capital numeral one reading has where another has
no capital numeral is taken; where two readings have different numerals the character stays
unread, so that the amount is absent rather than wrong. A character keeps the confidence of the
reading it came from (the higher one where readings agree), so a doubtful amount is still not
taken unless the figures confirm it (see `[corroborates]` in labels.toml).
"""

from __future__ import annotations

import re
from functools import cache

import pytesseract
from PIL import Image

from archive.ocr.normalize import amount_to_capital

SIMPLIFIED_MODEL = "chi_sim"
TRADITIONAL_MODEL = "chi_tra"
# Traditional forms as the simplified capital numerals; 参 is how chi_sim reads 叁.
_AS_SIMPLIFIED = str.maketrans("參陸貳萬圓参", "叁陆贰万元叁")
CAPITAL_CHARACTERS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整正")
_UNITS = frozenset("拾佰仟万元角分整")  # chi_sim reads these well: they tell a capital amount
_HAN = re.compile(r"[\u3400-\u9fff]+")
UNREAD = "\ufffd"
PADDING = 0.3  # of the run's height, around its box, for the second readings
# A capital amount is taken as its figures' amount with at most this many of its characters not
# read (see `unconfirmed`): the figures, read on their own, say what that one is.
MAX_UNCONFIRMED = 1

Reading = list[tuple[str, float]]  # each character with its confidence (0–100)


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


def merge_readings(first: Reading, second: Reading) -> Reading:
    """One reading of a capital amount from two readings of the same characters."""
    if len(first) != len(second):
        return first  # the readings split the characters differently: nothing to align
    merged = []
    for (one, one_confidence), (other, other_confidence) in zip(first, second, strict=True):
        one, other = one.translate(_AS_SIMPLIFIED), other.translate(_AS_SIMPLIFIED)
        if one == other:
            merged.append((one, max(one_confidence, other_confidence)))
        elif other not in CAPITAL_CHARACTERS:
            merged.append((one, one_confidence))
        elif one not in CAPITAL_CHARACTERS:
            merged.append((other, other_confidence))
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


def reread_capital(image: Image.Image, box: tuple[int, int, int, int], dpi: int,
                   reading: Reading) -> Reading:
    """`reading` (of `box`: left, top, width, height of `image`) merged with readings of the box
    alone by chi_sim and chi_tra; unchanged when chi_tra is not installed."""
    if not has_traditional_model():
        return reading
    crop = line_crop(image, box)
    for model in (SIMPLIFIED_MODEL, TRADITIONAL_MODEL):
        reading = merge_readings(reading, read_line(crop, model, dpi))
    return reading


def words_box(words) -> tuple[int, int, int, int]:
    """(left, top, width, height) around words that have those attributes."""
    left, top = min(w.left for w in words), min(w.top for w in words)
    return (left, top, max(w.left + w.width for w in words) - left,
            max(w.top + w.height for w in words) - top)


def line_crop(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """The box (left, top, width, height) with a margin, to be read as one line."""
    left, top, width, height = box
    pad = round(height * PADDING)
    return image.crop((max(0, left - pad), max(0, top - pad),
                       min(image.width, left + width + pad), min(image.height, top + height + pad)))


def read_line(image: Image.Image, model: str, dpi: int) -> Reading:
    data = pytesseract.image_to_data(image, lang=model, config=f"--psm 7 --dpi {dpi}",
                                     output_type=pytesseract.Output.DICT)
    return [(character, float(confidence))
            for text, confidence in zip(data["text"], data["conf"], strict=True)
            if float(confidence) >= 0 for character in "".join(text.split())]


@cache
def has_traditional_model() -> bool:
    return TRADITIONAL_MODEL in pytesseract.get_languages(config="")
