"""A pre-printed form read in its two inks apart: the form's print, and the printer's fill.

On a provincial paper bill the dot-matrix fill lies off register over the form's coloured print:
a code runs into the next label (`52845221` over 票 of 票据号码), a name over 收 of 收款单位. Read
as one page, the engine makes one word of the two inks: the value loses its last digits, the
label its first character, and neither is taken. The two inks differ in colour, so the page is
separated (archive.ocr.seals.separate_inks) and each read on its own: the labels from the form's
print alone, the values from the fill alone. Their lines are then put together by height, as one
reading of the page; values off register go on to their labels as on any page
(archive.ocr.registration).

A figure read from the fill whose box the form's print crosses is still doubtful
(`doubt_crossed`): where a form's stroke crossed a dot-matrix digit, the separation lifts part of
the digit with the stroke, and what is left reads as another digit, confidently. Such a figure is
taken only when the engine is sure of it (SURE) and a second reading, of its box on the page with
both inks, gives the same figure; otherwise it is left to a person (absent and flagged), as on a
page read whole.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from archive.ocr.registration import DOUBTFUL, doubt_inked

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from archive.ocr.engines.base import OcrEngine
    from archive.ocr.pages import Word

SAME_LINE = 0.5  # lines whose middles are closer than this many line heights are one printed line
WIDE_GAP = 0.6  # as archive.ocr.pages.WIDE_GAP: a gap this many line heights wide ends a run
SURE = 90.0  # a figure the form's print crosses is taken only read at this confidence or above
FIGURE_PART = re.compile(r"\d[\d,.]*")


def read_apart(engine: OcrEngine, inks: tuple[Image.Image, Image.Image], dpi: int,
               options: dict) -> list[Word]:
    """The words of the form's print and of its fill (each in the prepared page's pixels), read
    apart and merged into one reading, line by line (`Word.line`), top to bottom."""
    form, fill = inks
    return merged([engine.read(form, dpi=dpi, **options), engine.read(fill, dpi=dpi, **options)])


def doubt_crossed(words: list[Word], form_ink: np.ndarray, page: Image.Image, dpi: int,
                  scale: float) -> list[Word]:
    """`words` (in page pixels; `form_ink` and `page` are `scale` times larger) with each figure
    the form's print crosses (`registration.doubt_inked`) doubtful, unless read at SURE or above
    and read the same again from its box on `page`, where both inks are (a digit the separation
    cut reads otherwise there, or not at all)."""
    from archive.ocr.capitals import SIMPLIFIED_MODEL
    from archive.ocr.line_readings import line_crop, read_lines

    crossed = doubt_inked(words, form_ink, scale)
    sure = [n for n, (word, checked) in enumerate(zip(words, crossed, strict=True))
            if checked.confidence == DOUBTFUL != word.confidence and word.confidence >= SURE]
    boxes = [tuple(round(value * scale) for value in (words[n].left, words[n].top, words[n].width,
                                                        words[n].height)) for n in sure]
    again = read_lines([line_crop(page, box) for box in boxes], SIMPLIFIED_MODEL, dpi)
    for n, reading in zip(sure, again, strict=True):
        if _figure(words[n].text) in FIGURE_PART.findall("".join(char for char, _ in reading)):
            crossed[n] = words[n]
    return crossed


def _figure(text: str) -> str:
    """A figure as read without its currency sign or spaces."""
    return re.sub(r"[¥￥\s]", "", text)


def merged(readings: list[list[Word]]) -> list[Word]:
    """Several readings of one page as one: each reading's lines kept whole, a line of one joined
    to a line of another whose middle is within SAME_LINE of its height, each line left to right,
    renumbered top to bottom; in a line, runs of one reading's words (`_runs`) ordered by where
    they begin, so that two overlapping runs are not interleaved word by word."""
    lines: list[tuple[float, float, list[list[Word]]]] = []  # middle, height, runs of words
    for words in readings:
        own: dict[int, list[Word]] = {}
        for word in words:
            own.setdefault(word.line, []).append(word)
        for members in own.values():
            lines.append((_median([w.top + w.height / 2 for w in members]),
                          _median([w.height for w in members]) or 1.0,
                          _runs(sorted(members, key=lambda w: w.left))))
    rows: list[tuple[float, float, list[list[Word]]]] = []
    for middle, height, members in sorted(lines, key=lambda line: line[0]):
        for row_middle, row_height, row in rows:
            if abs(middle - row_middle) < SAME_LINE * min(height, row_height):
                row.extend(members)
                break
        else:
            rows.append((middle, height, list(members)))
    return [replace(word, line=number) for number, (_, _, row) in enumerate(rows)
            for run in sorted(row, key=lambda run: run[0].left) for word in run]


def _runs(words: list[Word]) -> list[list[Word]]:
    """A line's words (left to right) in runs without a wide gap: a value, a label. A run of one
    ink is kept whole where it overlaps one of the other (a name printed into the next label)."""
    runs: list[list[Word]] = []
    height = _median([w.height for w in words]) or 1.0
    for word in words:
        if runs and word.left - (runs[-1][-1].left + runs[-1][-1].width) <= WIDE_GAP * height:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2]) if ordered else 0.0
