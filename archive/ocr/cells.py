"""Where a value sits on a form: the cells of a line (runs of text between wide gaps), the wide
gaps a text layer joins with a single space, and the cell under a label in a grid."""

from __future__ import annotations

import re

from archive.ocr.lines import Line, union

SEGMENT = re.compile(r"\S+(?:\s\S+)*")  # a run of text between wide gaps: a cell
WIDE_GAP_CHARS = 1.5  # a space wider than this many of its neighbours' characters parts two cells
BELOW_LINES = 2.5  # a value in the cell below its label is at most this many line heights under it
WRAP_LINES = 1.5  # a value's rest wrapped onto the next printed line: at most this many heights under


def segments(text: str) -> list[tuple[int, int]]:
    return [found.span() for found in SEGMENT.finditer(text)]


def widen_gaps(line: Line) -> Line:
    """A text layer joins the cells of a grid with one space: where the characters either side
    of a space stand far apart on the page, it is the wide gap between two cells."""
    if len(line.boxes) != len(line.text):
        return line
    text, confidences, boxes = [], [], []
    for position, character in enumerate(line.text):
        text.append(character)
        confidences.append(line.confidences[position] if line.confidences is not None else None)
        boxes.append(line.boxes[position])
        if character != " " or not 0 < position < len(line.text) - 1:
            continue
        before, after = line.boxes[position - 1], line.boxes[position + 1]
        if (before is None or after is None or line.text[position - 1] == " "
                or line.text[position + 1] == " "):
            continue
        width = max(before[2] - before[0], after[2] - after[0])
        if after[0] - before[2] > WIDE_GAP_CHARS * width:
            text.append(" ")
            confidences.append(confidences[-1])
            boxes.append(None)
    if len(text) == len(line.text):
        return line
    return Line("".join(text), tuple(confidences) if line.confidences is not None else None,
                tuple(boxes), line.page)


def cell_below(lines: list[Line], index: int, start: int, stop: int) -> tuple[Line, int, int] | None:
    """The cell under the label at lines[index].text[start:stop], as (line, start, stop): with
    boxes, the nearest line below with a cell under the label (within its column, from the
    label's left to the next cell on its line); without, the cell in the same column of the next
    line (or its first cell, under a label standing alone)."""
    line = lines[index]
    cells = segments(line.text)
    column = next((n for n, (a, b) in enumerate(cells) if a <= start < b), None)
    label_box = union(line.boxes[start:stop]) if line.boxes else None
    if label_box is not None and column is not None:
        following = [union(line.boxes[a:b]) for a, b in cells[column + 1:]]
        right = next((box[0] for box in following if box is not None), 1.0)
        height = label_box[3] - label_box[1]
        best = None
        for below in lines[index + 1:]:
            box = union(below.boxes) if below.boxes else None
            if below.page != line.page or box is None or box[1] < label_box[3] - height / 2:
                continue
            if box[1] - label_box[3] > BELOW_LINES * height:
                continue
            for cell_start, cell_stop in segments(below.text):
                cell_box = union(below.boxes[cell_start:cell_stop])
                if cell_box is None:
                    continue
                overlap = min(cell_box[2], right) - max(cell_box[0], label_box[0])
                under = cell_box[0] < label_box[2] and cell_box[2] > label_box[0]  # not the next column's
                if (under and overlap > 0.5 * (cell_box[2] - cell_box[0])
                        and (best is None or cell_box[1] < best[0])):
                    best = (cell_box[1], below, cell_start, cell_stop)
        return None if best is None else best[1:]
    if index + 1 >= len(lines) or column is None:
        return None
    below = lines[index + 1]
    under = segments(below.text)
    if len(cells) == 1 and not line.text[stop:].strip():
        span = under[0] if under else None
    else:
        span = under[column] if len(under) == len(cells) else None
    if span is None or re.search(r"[:：;；]", below.text[slice(*span)]):
        return None
    return below, *span


def cell_right(lines: list[Line], index: int, start: int, stop: int) -> tuple[Line, int, int] | None:
    """The nearest cell to the right of the label at lines[index].text[start:stop] on the same
    printed row but read as another line (OCR splits a ruled form into column blocks, so a
    label's line may end with it while its value is a line of the next block): a cell whose box
    shares the label's row (either's middle within the other's height) and starts right of the
    label. Only with boxes."""
    line = lines[index]
    label_box = union(line.boxes[start:stop]) if line.boxes else None
    if label_box is None:
        return None
    middle = (label_box[1] + label_box[3]) / 2
    best = None
    for number, other in enumerate(lines):
        if number == index or other.page != line.page or not other.boxes:
            continue
        for cell_start, cell_stop in segments(other.text):
            box = union(other.boxes[cell_start:cell_stop])
            if box is None or box[0] < label_box[2]:
                continue
            same_row = box[1] <= middle <= box[3] or label_box[1] <= (box[1] + box[3]) / 2 <= label_box[3]
            if same_row and (best is None or box[0] < best[0]):
                best = (box[0], other, cell_start, cell_stop)
    return None if best is None else best[1:]


def cell_wrapped(lines: list[Line], index: int, start: int, stop: int) -> tuple[Line, int, int] | None:
    """The rest of the value at lines[index].text[start:stop] when a narrow cell wrapped it onto
    the next printed line (平林县城柏镇社区卫生 / 服务中心): the next line of the page, right under
    the value, with a cell that begins under the value's first character (within half a
    character) and holds no colon. Only with boxes."""
    line = lines[index]
    if not line.boxes or index + 1 >= len(lines):
        return None
    first, value = line.boxes[start] if start < len(line.boxes) else None, union(line.boxes[start:stop])
    below = lines[index + 1]
    below_box = union(below.boxes) if below.boxes else None
    if first is None or value is None or below_box is None or below.page != line.page:
        return None
    height = value[3] - value[1]
    if not 0 <= below_box[1] - value[3] + height / 2 <= WRAP_LINES * height:
        return None
    for cell_start, cell_stop in segments(below.text):
        cell = union(below.boxes[cell_start:cell_stop])
        if cell is not None and abs(cell[0] - first[0]) < (first[2] - first[0]) / 2:
            text = below.text[cell_start:cell_stop]
            return None if re.search(r"[:：;；]", text) else (below, cell_start, cell_stop)
    return None
