"""A pre-printed form read in its two inks apart: the form's print, and the printer's fill.

On a provincial paper bill the dot-matrix fill lies off register over the form's coloured print:
a code runs into the next label (`52845221` over 票 of 票据号码), a name over 收 of 收款单位. Read
as one page, the engine makes one word of the two inks: the value loses its last digits, the
label its first character, and neither is taken. The two inks differ in colour, so the page is
separated (archive.ocr.seals.separate_inks) and each read on its own: the labels from the form's
print alone, the values from the fill alone. Their lines are then put together by height, as one
reading of the page; values off register go on to their labels as on any page
(archive.ocr.registration). A value read from the fill alone is not doubted for touching the
form's print (`registration.doubt_inked`): the print it touched is not in what was read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

    from archive.ocr.engines.base import OcrEngine
    from archive.ocr.pages import Word

SAME_LINE = 0.5  # lines whose middles are closer than this many line heights are one printed line
WIDE_GAP = 0.6  # as archive.ocr.pages.WIDE_GAP: a gap this many line heights wide ends a run


def read_apart(engine: OcrEngine, inks: tuple[Image.Image, Image.Image], dpi: int,
               options: dict) -> list[Word]:
    """The words of the form's print and of its fill (each in the prepared page's pixels), read
    apart and merged into one reading, line by line (`Word.line`), top to bottom."""
    form, fill = inks
    return merged([engine.read(form, dpi=dpi, **options), engine.read(fill, dpi=dpi, **options)])


def merged(readings: list[list[Word]]) -> list[Word]:
    """Several readings of one page as one: each reading's lines kept whole, a line of one joined
    to a line of another whose middle is within SAME_LINE of its height, each line left to right,
    renumbered top to bottom; in a line, runs of one reading's words (`_runs`) ordered by where
    they begin, so that two overlapping runs are not interleaved word by word."""
    from dataclasses import replace

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
