"""An OFD page's text as printed lines: glyphs grouped by baseline, ordered left to right.

The text objects of an invoice are placed one field at a time (the template's labels, the
content's values), so a printed line is whatever glyphs share a baseline. Within a line a gap
wider than a character separates two fields (two spaces, as the OCR and text-layer lines do),
a narrower one is a space. Each character keeps its box as fractions of the page.
"""

from __future__ import annotations

from archive.ocr.ofd_document import Glyph, OfdPage
from archive.ocr.pages import PageLine, PageText

WIDE_GAP = 1.0  # font sizes: wider than this between two glyphs separates two fields
SPACE_GAP = 0.3


def page_text(page: OfdPage) -> PageText:
    if page.error:
        return PageText(page.number, "text_layer", error=page.error, width=page.width, height=page.height)
    lines = [_line(row, page) for row in _rows([g for item in page.texts() for g in item.glyphs
                                                if g.char.strip()])]
    return PageText(page.number, "text_layer", text="\n".join(line.text for line in lines), lines=lines,
                    width=page.width, height=page.height)


def advance(glyph: Glyph) -> float:
    return glyph.size * (1.0 if ord(glyph.char) > 0x2e7f else 0.5)


def _rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: g.y):
        if rows and glyph.y - rows[-1][0].y <= max(0.9, 0.35 * glyph.size):
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    return [sorted(row, key=lambda g: g.x) for row in rows]


def _line(row: list[Glyph], page: OfdPage) -> PageLine:
    text, boxes = "", []
    previous = None
    for glyph in row:
        if previous is not None:
            gap = glyph.x - (previous.x + advance(previous))
            size = max(glyph.size, previous.size)
            joint = "  " if gap > WIDE_GAP * size else " " if gap > SPACE_GAP * size else ""
            text += joint
            boxes += [None] * len(joint)
        text += glyph.char
        boxes.append((round(glyph.x / page.width, 5), round((glyph.y - 0.85 * glyph.size) / page.height, 5),
                      round((glyph.x + advance(glyph)) / page.width, 5),
                      round((glyph.y + 0.15 * glyph.size) / page.height, 5)))
        previous = glyph
    return PageLine(text, None, tuple(boxes))
