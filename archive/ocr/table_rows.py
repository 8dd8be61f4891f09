"""Table rows on OCR pages, put together from word boxes rather than from the engine's lines.

On a scan the engine's lines are not the table's rows: a slight skew or a stamp splits a printed
row in two (`头颅 CT 平扫  次  200.56  200.56` and `1  乙`), and a wide gap inside a name
(`头孢呋  辛钠`) reads as two cells. Here the lines of a page whose boxes lie on the same printed
row are joined again, and a row's words are given to the header's columns by where they lie:
each word to the column its box overlaps most, the columns parted halfway between the header's
words. A figure read with a doubtful character is set right only when the row's own arithmetic
(unit price × quantity = amount) admits it (`figure_candidates`); a row it admits more than one
way is chosen by a printed sum or not read (archive/ocr/row_choice.py). Nothing is filled in that
was not read.
"""

from __future__ import annotations

import re
from decimal import Decimal

from archive.ocr.lines import Line, union
from archive.ocr.pages import WIDE_GAP

Box = tuple[float, float, float, float]
_TOKEN = re.compile(r"\S+")
# Words of one cell closer than this (a fraction of the page's width, a quarter of a character)
# are one block: the white space between two columns is wider.
WORD_GAP = 0.004
GAP = "    "  # between the cells of a row put together here: wider than any gap inside a cell
# Print remnants that are no cell's content: a stamp's words run across a row.
_STAMP = re.compile(r"(?:专用|财务|收费)?章$|专用$")


def is_ocr(lines: list[Line]) -> bool:
    """Lines read by OCR with word boxes (a text layer's lines are the printed lines already)."""
    return any(line.confidences is not None and line.boxes for line in lines)


def with_wide_gaps(line: Line) -> Line:
    """A text layer's line with the spaces between words set wide (GAP) where the words lie far
    apart on the page, as OCR lines part their cells: the text layer puts one space between two
    columns' words as between two words of one cell. Farther apart than WIDE_GAP line heights
    is a column's gap (the rule OCR lines are made by, archive/ocr/pages.py)."""
    if line.confidences is not None or not line.boxes:
        return line
    found = [(match.span(), union(line.boxes[match.start():match.end()]))
             for match in _TOKEN.finditer(line.text)]
    if len(found) < 2 or any(box is None for _, box in found):
        return line
    text, boxes = "", []
    for n, ((start, stop), box) in enumerate(found):
        if n:
            (_, before_stop), before = found[n - 1]
            wide = box[0] - before[2] > WIDE_GAP * (box[3] - box[1])
            joint = GAP if wide else line.text[before_stop:start]
            text += joint
            boxes += [None] * len(joint)
        text += line.text[start:stop]
        boxes += list(line.boxes[start:stop])
    return Line(text, None, tuple(boxes), line.page)


def same_row_lines(lines: list[Line]) -> list[Line]:
    """The lines with those of one page that lie on the same printed row joined, words left to
    right. Two lines are one row when their boxes overlap vertically by more than half the
    shorter one's height; lines without boxes stay as they are."""
    merged: list[Line] = []
    for line in lines:
        box = union(line.boxes) if line.boxes and line.confidences is not None else None
        if box is not None:
            for n in range(len(merged) - 1, max(-1, len(merged) - 4), -1):  # a row is split nearby
                other = merged[n]
                other_box = union(other.boxes) if other.boxes and other.page == line.page else None
                if other_box is not None and _one_row(box, other_box) and _apart(other, line):
                    merged[n] = join_lines(other, line)
                    break
            else:
                merged.append(line)
        else:
            merged.append(line)
    return merged


def _one_row(a: list[float], b: list[float]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _apart(first: Line, second: Line) -> bool:
    """No word of one line lies over a word of the other (two readings of one place are not one
    row)."""
    boxes = [box for _, box, _, _ in tokens(first) if box]
    for _, box, _, _ in tokens(second):
        for other in boxes if box else ():
            overlap = min(box[2], other[2]) - max(box[0], other[0])
            if overlap > 0.5 * min(box[2] - box[0], other[2] - other[0]):
                return False
    return True


def tokens(line: Line) -> list[tuple[str, Box | None, float, tuple[int, int]]]:
    """The line's words parted by spaces: (text, box, lowest confidence, span in the text)."""
    found = []
    for match in _TOKEN.finditer(line.text):
        start, stop = match.span()
        box = union(line.boxes[start:stop]) if line.boxes else None
        confidence = min(line.confidences[start:stop]) if line.confidences is not None else 100.0
        found.append((match.group(), tuple(box) if box else None, confidence, (start, stop)))
    return found


def join_lines(first: Line, second: Line) -> Line:
    """Two lines of one row as one, their words ordered left to right and parted by a wide gap."""
    words = [(box[0] if box else 0.0, text, box, confidence)
             for line in (first, second) for text, box, confidence, _ in tokens(line)]
    words.sort(key=lambda word: word[0])
    return _line([(text, box, confidence) for _, text, box, confidence in words], first.page)


def _line(cells: list[tuple[str, Box | None, float]], page: int | None) -> Line:
    text, confidences, boxes = "", [], []
    for n, (word, box, confidence) in enumerate(cells):
        if n:
            text += GAP
            confidences += [confidence] * len(GAP)
            boxes += [None] * len(GAP)
        text += word
        confidences += [confidence] * len(word)
        boxes += [box] * len(word)
    return Line(text, tuple(confidences), tuple(boxes), page)


def column_edges(header_boxes: list[Box]) -> list[float]:
    """Where each column begins across the page: halfway between one header word's right edge
    and the next one's left (header words sit over their columns, centred or not)."""
    pairs = zip(header_boxes, header_boxes[1:], strict=False)
    return [0.0] + [(left[2] + right[0]) / 2 for left, right in pairs]


def column_of(box: Box, edges: list[float]) -> int:
    """The column a word's box overlaps most."""
    spans = list(zip(edges, [*edges[1:], 1.0], strict=True))
    overlaps = [min(box[2], right) - max(box[0], left) for left, right in spans]
    return overlaps.index(max(overlaps))


Cell = tuple[str, Box | None, float]  # text, box, confidence


def row_by_columns(line: Line, columns: list[str | None], edges: list[float], *,
                   numeric: frozenset[str] = frozenset(), classes: str = "") -> dict[str, Cell] | None:
    """The row's words gathered by column: per named column its text, box and lowest confidence
    (a column with nothing in it is left out); None when a word has no box. In a column of
    figures only words with a digit count (a stamp's character read there is not the figure),
    and in the class column (`classes`: its one-character values) only those characters."""
    cells: dict[str, list[tuple[str, Box, float]]] = {}
    for text, box, confidence, _ in tokens(line):
        if box is None:
            return None
        key = columns[column_of(box, edges)]
        if key is None or _STAMP.search(text):
            continue
        if key in numeric and not re.search(r"\d", text):
            continue
        if key == "insurance_class" and classes:
            text = "".join(ch for ch in text if ch in classes)
            if not text:
                continue
        cells.setdefault(key, []).append((text, box, confidence))
    joined: dict[str, Cell] = {}
    for key, words in cells.items():
        # Chinese runs together; Latin letters and figures keep a space between words.
        text = "".join((" " if n and re.match(r"[A-Za-z0-9]", word)
                        and re.search(r"[A-Za-z0-9]$", words[n - 1][0]) else "") + word
                       for n, (word, _, _) in enumerate(words))
        box = union([w[1] for w in words])
        joined[key] = (text, tuple(box) if box else None, min(w[2] for w in words))
    return joined


def cells_line(cells: list[Cell], page: int | None) -> Line:
    """Cells as one line, parted by GAP."""
    return _line(cells, page)


# Characters OCR takes for one another in printed figures.
_CONFUSED = {"0": "86", "1": "7", "2": "7", "3": "8", "5": "6", "6": "508", "7": "12", "8": "0369",
             "9": "8"}


def figure_candidates(price: str, quantity: str, amount: str) -> list[tuple[str, str, str]]:
    """Every reading of the figures under which price × quantity = amount: the figures as read
    when it holds, else each with one character of one figure taken as a digit it is confused
    with (8 for 0, 6 for 5…) or the decimal point restored two places from the end of a price or
    an amount, in a fixed order. More than one: the row alone cannot say which was printed (a sum
    the rows must add up to may, see archive/ocr/row_choice.py)."""
    if _holds(price, quantity, amount):
        return [(price, quantity, amount)]
    fits: list[tuple[str, str, str]] = []
    for which in range(3):
        figures = [price, quantity, amount]
        for other in _alternatives(figures[which], money=which != 1):
            figures[which] = other
            if _holds(*figures) and tuple(figures) not in fits:
                fits.append(tuple(figures))
    return fits


def _alternatives(figure: str, *, money: bool) -> list[str]:
    found = [figure[:n] + digit + figure[n + 1:]
             for n, ch in enumerate(figure) for digit in _CONFUSED.get(ch, "")]
    if money and figure.isdigit() and len(figure) >= 3:
        found.append(figure[:-2] + "." + figure[-2:])
    return [other for other in found if not re.match(r"0\d", other)]


def _holds(price: str, quantity: str, amount: str) -> bool:
    if not all(re.fullmatch(pattern, figure) for pattern, figure in
               ((r"\d+\.\d{2}", price), (r"\d+(?:\.\d+)?", quantity), (r"\d+\.\d{2}", amount))):
        return False
    return Decimal(price) * Decimal(quantity) == Decimal(amount)



def fitted_edges(header_boxes: list[Box], rows: list[Line]) -> list[float] | None:
    """Column edges from where the rows' words lie: the page's words, all rows together, fall in
    blocks with white space between (a long name reaches beyond its header word, a short one
    does not); each block belongs to the header word it lies under, or the nearest one, and a
    column begins in the white space before its first block. None when a block lies under two
    header words (a stamp or a misreading bridging two columns), or the blocks' owners are not
    in the order of the header: then the header's own edges are used."""
    spans = sorted((box[0], box[2]) for line in rows for text, box, _, _ in tokens(line)
                   if box and not _STAMP.search(text))
    blocks: list[list[float]] = []
    for left, right in spans:
        if blocks and left < blocks[-1][1] + WORD_GAP:
            blocks[-1][1] = max(blocks[-1][1], right)
        else:
            blocks.append([left, right])
    if not blocks or not header_boxes:
        return None
    owners = []
    for left, right in blocks:
        # Under a header word: overlapping it by more than a sliver (a quarter of its width).
        under = [n for n, head in enumerate(header_boxes)
                 if min(right, head[2]) - max(left, head[0]) > 0.25 * (head[2] - head[0])]
        if len(under) > 1:
            return None
        middle = (left + right) / 2
        nearest = min(range(len(header_boxes)),
                      key=lambda n: abs((header_boxes[n][0] + header_boxes[n][2]) / 2 - middle))
        owners.append(under[0] if under else nearest)
    if owners != sorted(owners):
        return None
    edges = column_edges(header_boxes)
    for n in range(1, len(header_boxes)):
        before = [block for block, owner in zip(blocks, owners, strict=True) if owner < n]
        after = [block for block, owner in zip(blocks, owners, strict=True) if owner >= n]
        if before and after:
            edges[n] = (before[-1][1] + after[0][0]) / 2
    return edges


def stamp_only(line: Line) -> bool:
    """A line that is nothing but a stamp's words (业务专照章 read over a table): no figure in it,
    every word a seal's ending. A row's name run onto a line of its own is not one."""
    found = tokens(line)
    return bool(found) and not re.search(r"\d", line.text) and all(_STAMP.search(text) for text, *_ in found)


def without_trailing_stamp(line: Line) -> Line:
    """The line without a stamp's words read at its end (`… 135.56  甲  收费专用章`)."""
    found = tokens(line)
    stop = len(line.text)
    while found and _STAMP.search(found[-1][0]):
        stop = found.pop()[3][0]
    if stop == len(line.text):
        return line
    stop = len(line.text[:stop].rstrip())
    return Line(line.text[:stop], line.confidences[:stop] if line.confidences is not None else None,
                line.boxes[:stop], line.page)


# A word this many times taller than the page's usual word is no row's: it runs down a column.
TALL = 2.5


def split_column_runs(lines: list[Line]) -> list[Line]:
    """The lines with a column's one-character cells that the engine read down the column as
    one tall word (次日次: the spec cells of three rows, a photo's detector joining the stacked
    characters) given back to their rows, one character each, top to bottom: when the word is
    narrow (a character wide) and as many rows' words lie beside it as it has characters, each
    row within the word's height. Otherwise the lines are as they were."""
    words = [(n, word) for n, line in enumerate(lines) if line.confidences is not None
             for word in tokens(line) if word[1]]
    heights = sorted(box[3] - box[1] for _, (_, box, _, _) in words)
    if not heights:
        return lines
    usual = heights[len(heights) // 2]
    lines = list(lines)
    for n, (text, box, confidence, _) in words:
        height, width = box[3] - box[1], box[2] - box[0]
        if height < TALL * usual or len(text) < 2 or width > 1.5 * usual:
            continue
        beside = [m for m, line in enumerate(lines) if line.page == lines[n].page
                  and (row := _row_box(line, box)) is not None
                  and box[1] - 0.25 * usual <= row[1] and row[3] <= box[3] + 0.25 * usual]
        if len(beside) != len(text):
            continue
        beside.sort(key=lambda m: _row_box(lines[m], box)[1])
        rows = {m: _row_box(lines[m], box) for m in beside}
        lines[n] = _line([(t, b, c) for t, b, c, _ in tokens(lines[n]) if b != box or t != text],
                         lines[n].page)
        for ch, m in zip(text, beside, strict=True):
            cells = [(t, b, c) for t, b, c, _ in tokens(lines[m])]
            cells.append((ch, (box[0], rows[m][1], box[2], rows[m][3]), confidence))
            cells.sort(key=lambda cell: cell[1][0] if cell[1] else 0.0)
            lines[m] = _line(cells, lines[m].page)
    return [line for line in lines if line.text.strip()]


def _row_box(line: Line, beside: Box) -> Box | None:
    """The vertical extent of a line's words that lie left or right of the box `beside` (not
    over it), as a box; None when none does."""
    tall = beside[3] - beside[1]
    boxes = [box for _, box, _, _ in tokens(line)
             if box and (box[2] <= beside[0] or box[0] >= beside[2]) and box[3] - box[1] < tall / 2]
    found = union(boxes) if boxes else None
    return tuple(found) if found else None
