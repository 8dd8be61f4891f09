"""Fee categories a paper bill pre-prints as a grid of label cells, each amount in the cell under
its category (provincial 住院收费票据: 床位费 西药费 检查费 … on one row, the amounts on the row
below, a category with no fee left blank), and the heading of the item box printed vertically, a
character a row at the rows' left (收 / 费 / 项 / 目), which is no part of the row beside it.

An amount belongs to the category cell it stands under (by the cells' boxes on the page; without
boxes, only a row with as many amounts as categories, in order). An amount under no category, or
two under one, and the grid is not read: a list missing or misplacing a fee would be wrong.
"""

from __future__ import annotations

import re

from archive.ocr.cells import segments
from archive.ocr.lines import Line, union
from archive.ocr.normalize import read_amount

_AMOUNT_CELL = re.compile(r"[¥￥]?\s?\d[\d,]*\.\d{2}")
# A character standing alone at a row's left, then a gap: a vertical heading's (or two or three
# of them, which OCR reads as a word of the row beside them: 收费  诊察费  ￥1076.45).
_SIDE_CHARACTER = re.compile(r"\s*[\u4e00-\u9fff]{1,3}\s+")


def without_side_heading(line: Line, category: re.Pattern) -> Line:
    """The row without a vertical heading's character before its first category."""
    found = _SIDE_CHARACTER.match(line.text)
    if found is None or not category.match(line.text[found.end():]) or category.fullmatch(
            found.group().strip()):
        return line  # (a category's word is a cell of a grid row of categories)
    cut = found.end()
    return Line(line.text[cut:], line.confidences[cut:] if line.confidences is not None else None,
                line.boxes[cut:] if line.boxes else (), line.page)


def category_row(line: Line, category: re.Pattern) -> list[tuple[str, int, int]] | None:
    """The categories of a row of category cells and nothing else: (category, start, stop)."""
    cells = segments(line.text)
    found = []
    for start, stop in cells:
        match = category.fullmatch(line.text[start:stop])
        if match is None:
            return None
        found.append((re.sub(r"\s", "", match.group(1)), start, stop))
    return found if len(found) >= 2 else None


def amounts_under(categories: list[tuple[str, int, int]], header: Line,
                  below: Line) -> list[tuple[str, str, int, int]] | None:
    """(category, amount, start, stop) for each amount cell of `below` under a category of the
    header row; None when `below` is not a row of amounts or one stands under no category."""
    cells = segments(below.text)
    if not cells or not all(_AMOUNT_CELL.fullmatch(below.text[a:b]) for a, b in cells):
        return None
    boxes = [union(header.boxes[a:b]) for _, a, b in categories] if header.boxes else []
    placed: dict[int, tuple[str, str, int, int]] = {}
    for number, (start, stop) in enumerate(cells):
        amount = read_amount(below.text[start:stop])
        box = union(below.boxes[start:stop]) if below.boxes else None
        if amount is None:
            return None
        if box is not None and boxes and all(boxes):
            column = _column_over(box, boxes)
        elif len(cells) == len(categories):
            column = number
        else:
            return None
        if column is None or column in placed:
            return None
        placed[column] = (categories[column][0], amount, start, stop)
    return [placed[column] for column in sorted(placed)]


def _column_over(box, boxes) -> int | None:
    """The category column the amount's box lies in: columns part half-way between the
    categories' middles (labels are printed centred in their cells or at their left, figures at
    the cell's left, right or off register), the outer ones as wide again beyond their middles.
    An amount across a parting is in no column: it may be either category's."""
    middles = [(cell[0] + cell[2]) / 2 for cell in boxes]
    partings = [(left + right) / 2 for left, right in zip(middles, middles[1:], strict=False)]
    edges = [2 * middles[0] - partings[0], *partings, 2 * middles[-1] - partings[-1]]
    for column in range(len(boxes)):
        if edges[column] <= box[0] and box[2] <= edges[column + 1]:
            return column
    return None
