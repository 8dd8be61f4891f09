"""List fields read row by row: an invoice's line items and a daily statement's items.

Every row must read, or the list is not given: a list missing a row would be a wrong list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from archive.ocr.category_grid import amounts_under, category_row, without_side_heading
from archive.ocr.item_cells import _SPACE_BY_CJK, _item_row  # noqa: F401 - _SPACE_BY_CJK also read from here
from archive.ocr.label_spec import label_rules
from archive.ocr.lines import (
    JUNK,
    JUNK_TOKEN,
    FieldReading,
    Line,
    confident,
    label_pattern,
    rows_source,
    union,
)
from archive.ocr.normalize import read_amount
from archive.ocr.row_choice import Pending, choose
from archive.ocr.table_rows import (
    cells_line,
    column_edges,
    figure_candidates,
    fitted_edges,
    is_ocr,
    row_by_columns,
    same_row_lines,
    split_column_runs,
    stamp_only,
    with_wide_gaps,
    without_trailing_stamp,
)


def line_items(lines: list[Line], categories: list[str], reading: FieldReading, min_confidence: float,
               doubtful: dict[str, tuple], labels: frozenset[str] = frozenset()) -> None:
    """An invoice's fee categories and their amounts (西药费 1,234.50), one or several to a line
    (grids print two or three category–amount pairs side by side). Under a header row with more
    columns than the name and the amount (项目名称 数量 金额（元） 备注), a row's amount is the cell
    in the 金额 column: the quantity between is not read as the amount."""
    # OCR puts spaces inside a word (化  验费): a category is matched across them. A category
    # starts its line or a cell.
    category = re.compile(rf"(?:^|(?<=\s))({'|'.join(map(label_pattern, categories))})")
    if is_ocr(lines):  # a printed row the engine read as two lines is one row again
        lines = same_row_lines(lines)
    rows = _Rows()
    table: tuple[list[str | None], list[tuple[float, float]] | None] | None = None
    skip = False
    for number, line in enumerate(lines):
        if skip:  # the amounts of a grid's category row, read with it
            skip = False
            continue
        if line.confidences is not None:
            line = without_trailing_stamp(line)  # a seal's 业务专用章 read after a row's amount
        line = without_side_heading(line, category)
        if (header := category_row(line, category)) is not None:
            below = lines[number + 1] if number + 1 < len(lines) else None
            placed = amounts_under(header, line, below) if below is not None else None
            if placed is None and (below is None or not _FIGURE_CELL.search(below.text)):
                continue  # no cell of figures under the row: no fee charged in its categories
            if placed is None:
                rows.unreadable.append(line.text)
            else:
                skip = True
                sure = confident(below, 0, len(below.text), min_confidence) and confident(
                    line, 0, len(line.text), min_confidence)
                for name, amount, _, _ in placed:
                    rows.add(below, {"category": name, "amount": amount}, sure)
            continue
        if (columns := _fee_header(line)) is not None:
            table = (columns, _column_spans(line))
            continue
        if table is not None and _ITEMS_END.search(line.text):
            table = None
        elif table is not None and category.match(line.text.lstrip()):
            line = _in_column_order(line, *table, trailing_empty=True)
        if not (found := list(category.finditer(line.text))) or found[0].start() != len(line.text) - len(
                line.text.lstrip()):
            if (other := _OTHER_FEE.match(line.text)) and re.sub(r"\s", "", other["fee"]) not in labels:
                rows.unreadable.append(line.text)  # a fee the list does not know: the list would lack it
            continue
        sure = confident(line, 0, len(line.text), min_confidence)
        items, ok = [], True
        for match, following in zip(found, [*found[1:], None], strict=True):
            stop = following.start() if following else len(line.text)
            tail = JUNK_TOKEN.sub(" ", line.text[match.end():stop]).strip(JUNK).lstrip(":：;；").strip(JUNK)
            amount = read_amount(re.sub(r"(?<=\.\d{2})\s?[.,。]$", "", tail) if line.confidences else tail)
            if amount and (sure or _one_word_fits(line, match.start(1), match.end(1), categories,
                                                  min_confidence)):
                items.append({"category": re.sub(r"\s", "", match.group(1)), "amount": amount})
            else:
                ok = False
        if ok:
            for item in items:
                rows.add(line, item, sure)
        else:
            rows.unreadable.append(line.text)
    rows.without_copied_pages().give("line_items", reading, doubtful)


# A cell that begins with figures (or the currency sign): an amount, however it was read.
_FIGURE_CELL = re.compile(r"(?:^|\s)[¥￥]?\d")
# A fee row of a category not on the list (卫生材料费 1,083.75): the list is not given without it.
# A field's own label (个人自费：1.87, a line of its own on a scan) is not a fee row.
_OTHER_FEE = re.compile(r"^\s*(?P<fee>[\u4e00-\u9fff]{1,8}费)\s*[:：]?\s*[￥¥]?\s*\d[\d,]*\.\d{2}(?:\s|$)")


@dataclass
class _Rows:
    """The rows of a list field as they are read."""

    items: list[dict] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)  # read, but with low confidence

    def add(self, line: Line, item: dict, confident: bool) -> None:
        self.items.append(item)
        self.lines.append(line)
        if not confident:
            self.in_doubt.append(line.text)

    def without_copied_pages(self) -> _Rows:
        """The rows without those of a page that repeats an earlier page's categories in their
        order: a bill printed in several parts (联) prints the whole bill on each page, and its
        fees are not billed again. When a copy's amounts differ from the first reading (one page
        misread), which is right is not known: the list is not given."""
        pages: dict[int | None, list[int]] = {}
        for n, line in enumerate(self.lines):
            pages.setdefault(line.page, []).append(n)
        kept, seen, unreadable = [], {}, list(self.unreadable)
        for numbers in pages.values():
            rows = [self.items[n] for n in numbers]
            categories = tuple(row.get("category") for row in rows)
            if categories not in seen:
                seen[categories] = rows
                kept += numbers
            elif seen[categories] != rows:
                unreadable += [self.lines[n].text for n in numbers]
        if len(kept) == len(self.items):
            return self
        lines = [self.lines[n] for n in kept]
        return _Rows([self.items[n] for n in kept], lines, unreadable,
                     [text for text in self.in_doubt if text in {line.text for line in lines}])

    def give(self, name: str, reading: FieldReading, doubtful: dict[str, tuple]) -> None:
        """Every row read with confidence, or the list is not given: a list missing a row would
        be a wrong list. A list whose every row was read, some with low confidence, is doubtful:
        taken only if its printed total confirms it (see [sums] in labels.toml)."""
        if self.unreadable:
            reading.unreadable.append({"field": name, "read": " / ".join(self.unreadable),
                                       "reason": "row_unreadable"})
        elif self.in_doubt:
            doubtful[name] = (self.items, rows_source(self.lines))
            reading.unreadable.append({"field": name, "read": " / ".join(self.in_doubt),
                                       "reason": "low_confidence"})
        elif self.items:
            reading.fields[name] = self.items
            if source := rows_source(self.lines):
                reading.sources[name] = source


def _one_word_fits(line: Line, start: int, stop: int, words: list[str], min_confidence: float) -> bool:
    """The word at line[start:stop] is the only one of a closed vocabulary that fits what was read
    with confidence: characters read with low confidence may be anything."""
    confidences = line.confidences or (100.0,) * len(line.text)
    read = [line.text[i] if confidences[i] >= min_confidence else None for i in range(start, stop)
            if not line.text[i].isspace()]
    fitting = [word for word in words if len(word) == len(read)
               and all(ch is None or ch == w for ch, w in zip(read, word, strict=True))]
    return fitting == [re.sub(r"\s", "", line.text[start:stop])]


_ITEMS_HEADER = re.compile(r"^项目\s*(?P<spec>规格)?")
# A page's subtotal (本页小计, 小计, 本页合计) closes the page's rows: not a row, and not the day's
# total. The day's total (合计, 当日合计, 费用合计, 总计) or the signature ends the table.
_SUBTOTAL = re.compile(r"本\s*页\s*[小合]\s*计|(?:^|\s)小\s*计")
_ITEMS_END = re.compile(r"合\s*计|签\s*字|总\s*计")
# The pages before's sum carried forward (承前页, 上页累计, 接上页) and the running sum under a
# page's subtotal (累计): not rows; their amount is the sum of the rows read so far.
_CARRIED = re.compile(r"承\s*前\s*页|[上前]\s*页\s*[累合小]\s*计|接\s*上\s*页|^\s*累\s*计")
_RUNNING = re.compile(r"^\s*累\s*计")  # the running sum under a subtotal: the page goes no further
# A page's footer (第 1 页 共 2 页) after its subtotal: what follows is the next page.
_PAGE_FOOTER = re.compile(r"第\s*\d+\s*页\s*[,，/]?\s*共\s*\d+\s*页")
# A continued page's note (续表, 续上页): no row.
_CONTINUED = re.compile(r"^\s*[（(]?\s*续\s*(?:表|上\s*页|页)\s*[)）]?\s*$")
_SUBTOTAL_AMOUNT = re.compile(r"(\d[\d,]*\.\d{2})\s*$")
# A table's columns by their header words, in the order the row reader expects them; other
# columns (序号, 项目编码, 自付比例) are left out of the row it reads.
_COLUMNS = (("name", ("项目名称", "收费项目", "药品名称", "名称", "项目")),
            ("spec", ("规格", "单位", "规格/单位")),
            ("unit_price", ("单价",)), ("quantity", ("数量",)), ("amount", ("金额",)),
            ("insurance_class", ("医保类别", "类别", "甲乙类", "等级")))
_HEADER_CELL = re.compile(r"\S+(?:\s\S+)*")
_CLOSED_COLUMNS = ("insurance_class",)  # read as one of a few characters (row_by_columns' `classes`)


@dataclass
class _Table:
    """How the table's rows are to be read: from its header row (repeated on later pages or not)."""

    columns: list[str | None] | None = None  # the header's cells by column (None: the fixed order)
    spans: list[tuple[float, float]] | None = None  # each column across the page (word boxes)
    has_spec: bool = False
    edges: list[float] | None = None  # OCR: where each column begins, from the header's word boxes
    header_boxes: list | None = None  # OCR: the header's words over the columns

    @classmethod
    def of(cls, line: Line) -> _Table | None:
        """The table whose header `line` is, or None when it is not a header. On an OCR page the
        columns are found from the header's word boxes, and a row's words are put in them."""
        if is_ocr([line]) and (columns := _header_columns(line)) is not None and (
                boxes := _header_boxes(line)) is not None:
            # A character alone that names no column is a stamp's or a rule's, not a column.
            keep = [n for n, (key, (a, b)) in enumerate(zip(columns, _header_spans(line), strict=True))
                    if key or len(re.sub(r"\s", "", line.text[a:b])) > 1]
            columns, boxes = [columns[n] for n in keep], [boxes[n] for n in keep]
            return cls(columns, None, "spec" in columns, column_edges(boxes), boxes)
        return cls.by_text(line)

    @classmethod
    def by_text(cls, line: Line) -> _Table | None:
        """The table whose header `line` is, its rows read by their cells' order."""
        # A header naming its columns is read by them (项目名称 项目编码 规格…: the code column is
        # not the spec), the short 项目 规格 header of the fixed order otherwise.
        if (columns := _header_columns(line)) is not None:
            return cls(columns, _column_spans(line), "spec" in columns)
        if found := _ITEMS_HEADER.match(line.text):
            return cls(has_spec=found["spec"] is not None)
        return None

    def fitted(self, header: Line, following: list[Line]) -> _Table:
        """On an OCR page, the columns moved to the white space between the rows' words (see
        `fitted_edges`), from the row-like lines under the header on its page."""
        if self.edges is None:
            return self
        rows = []
        for line in following:
            if line.page != header.page or _SUBTOTAL.search(line.text) or _ITEMS_END.search(line.text):
                break
            if _ROW_FIGURE.search(line.text):
                rows.append(line)
        edges = fitted_edges(self.header_boxes or [], rows)
        # No white space between the columns: the rows are not printed in columns (text run on
        # with single spaces), and are read by their cells' order.
        return _Table.by_text(header) if edges is None else _Table(self.columns, None, self.has_spec, edges)

    def row(self, line: Line, min_confidence: float) -> tuple[Line, dict | None, bool, str | None]:
        """The row read from `line`: (the line as read, its item or None, read with confidence,
        the row as read when the catalogue corrected it). A row whose figures fit more than one
        reading (see `readings`) is not read here."""
        return _only_reading(self.readings(line, min_confidence), line)

    def readings(self, line: Line, min_confidence: float) -> list[tuple[Line, dict | None, bool, str | None]]:
        """Each way the row reads, as `row` gives it: one, or on an OCR page whose figures do not
        multiply out, one per reading of them under which they do (`figure_candidates`), the
        figures set so marked doubtful. Several: which was printed is for the sums the rows
        add up to to say (archive/ocr/row_choice.py)."""
        if self.edges is not None and self.columns is not None and is_ocr([line]):
            found = [(placed, *_item_row(placed, self.has_spec, min_confidence))
                     for placed in _placed_rows(line, self.columns, self.edges)]
            found = [read for read in found if read[1] is not None and self._classed(read[1], line)]
            return found or [(line, None, False, None)]
        if self.columns is not None:
            line = _in_column_order(line, self.columns, self.spans)
        elif is_ocr([line]):
            line = without_trailing_stamp(line)
        item, sure, read_as = _item_row(line, self.has_spec, min_confidence)
        if item is not None and not self._classed(item, line):
            return [(line, None, False, None)]
        return [(line, item, sure, read_as)]

    def _classed(self, item: dict, line: Line) -> bool:
        """Whether an OCR row under a header with a class column (类别, 医保类别) has its class: a
        class the engine did not read (乙 read as 己 or lost under a stamp) would leave the row
        without it, a wrong row the figures and the sums cannot show."""
        return not (is_ocr([line]) and self.columns is not None and "insurance_class" in self.columns
                    and "insurance_class" not in item)


_FIGURES = ("unit_price", "quantity", "amount")
_ROW_FIGURE = re.compile(r"\d\.\d{2}(?:\s|$)")


def _header_spans(line: Line) -> list[tuple[int, int]]:
    return [found.span() for found in _HEADER_CELL.finditer(line.text)]


def _header_boxes(line: Line) -> list | None:
    boxes = [union(line.boxes[a:b]) for a, b in _header_spans(line)]
    return None if None in boxes else [tuple(box) for box in boxes]


def _placed_rows(line: Line, columns: list[str | None], edges: list[float]) -> list[Line]:
    """An OCR row's words in the header's columns, as a line in the order the row reader expects
    (name, spec, price, quantity, amount, class); figures that do not multiply out are read again
    as `figure_candidates` allows, a line for each reading that holds, the figure so set marked
    doubtful (confidence 0): a row is then taken only as the rest of the reading confirms it.
    None when the row has no price, quantity and amount, or no reading of them holds."""
    cells = row_by_columns(line, columns, edges, numeric=frozenset(_FIGURES), classes="甲乙丙")
    if cells is None or not all(key in cells for key in _FIGURES):
        return []
    read = tuple(cells[key][0] for key in _FIGURES)
    placed = []
    for fixed in figure_candidates(*read):
        these = dict(cells)
        for key, was, now in zip(_FIGURES, read, fixed, strict=True):
            if now != was:
                these[key] = (now, these[key][1], 0.0)
        order = [key for key, _ in _COLUMNS]
        placed.append(cells_line([these[key] for key in order if key in these], line.page))
    return placed


def statement_items(lines: list[Line], reading: FieldReading, min_confidence: float,
                     doubtful: dict[str, tuple]) -> None:
    """Rows of the itemised table (name, spec, unit price, quantity, amount, insurance class):
    every line between the table's header and its total is a row, and all must read. A row read
    with low confidence in its figures is taken when they agree (price × quantity = amount), and
    the table only when its rows add up to the day's total. A doubtful name is the catalogue's
    name it is (see archive/ocr/reference.py), which also holds the spec and class it bills.

    A long table runs over pages: each page's rows end at its subtotal (本页小计), which is not a
    row; the next page's rows follow its repeated header, or, with the header on the first page
    only, start at the page's first line that reads as a row (the patient block and the page
    footer between are not rows). Each page's rows must add up to its subtotal, or the list is
    not given: a row lost at a page break would otherwise go unnoticed."""
    if is_ocr(lines):  # a printed row the engine read as two lines is one row again
        lines = same_row_lines(split_column_runs(lines))
    else:  # a text layer's columns one space apart are cells apart
        lines = [with_wide_gaps(line) for line in lines]
    header = next((i for i, line in enumerate(lines) if _ITEMS_HEADER.match(line.text)), None)
    if header is None:  # a header in another order or with more columns: rows are read by column
        header = next((i for i, line in enumerate(lines) if _header_columns(line) is not None), None)
    rows = _Rows()
    if header is None:  # no header: every line that reads as a row is one
        for line in lines:
            line, item, confident, read_as = _Table().row(line, min_confidence)
            if item is not None:
                _take_row(rows, reading, line, item, confident, read_as)
        rows.give("items", reading, doubtful)
        return
    table = _Table.of(lines[header]).fitted(lines[header], lines[header + 1:])
    reading_rows, paused_on, page_start = True, None, 0
    checked = 0  # the rows before this one add up to a subtotal or carried sum read on the page
    pending: list[Pending] = []  # rows read more than one way, chosen by a printed sum
    for at, line in enumerate(lines[header + 1:], header + 1):
        if (repeated := _Table.of(line)) is not None:
            table, reading_rows = repeated.fitted(line, lines[at + 1:]), True
            continue
        if _SUBTOTAL.search(line.text):
            _settle(rows, pending, page_start, _printed_sum(line), reading)
            if _check_subtotal(line, rows.items[page_start:], rows) and checked == page_start:
                checked = len(rows.items)
            reading_rows, paused_on, page_start = False, line.page, len(rows.items)
            continue
        if _CARRIED.search(line.text):
            _settle(rows, pending, 0, _printed_sum(line), reading)
            if _check_subtotal(line, rows.items, rows):
                checked = len(rows.items)
            if not _RUNNING.match(line.text):
                paused_on = None  # the next page's rows follow, on the same image or not
            continue
        if _CONTINUED.match(line.text) or (not reading_rows and _PAGE_FOOTER.search(line.text)):
            # The next page begins (pages photographed or read as one image have no page break
            # between): its rows start at its first line that reads as a row.
            paused_on = None
            continue
        if _ITEMS_END.search(line.text):
            page_start = len(rows.items)  # the table's end is read: no row can be lost after it
            break
        if is_ocr([line]) and stamp_only(line):
            continue  # a seal over the table read as a line of its own (业务专用章): no row
        found = table.readings(line, min_confidence)
        read, item, confident, read_as = _only_reading(found, line)
        if not reading_rows:
            # After a page's subtotal: the rows go on on a later page, without a header.
            if (item is None and len(found) == 1) or (paused_on is not None and line.page == paused_on):
                continue
            reading_rows = True
        if len(found) > 1:
            pending.append(Pending(len(rows.items), found))
            rows.add(found[0][0], found[0][1], False)  # in its place until a sum chooses
        elif item is not None:
            _take_row(rows, reading, read, item, confident, read_as)
        else:
            rows.unreadable.append(line.text)
    # The day's total is also the one check on the rows it would choose (see [sums]): it chooses
    # only when it is upheld apart from them, else a misread total would confirm its own choice.
    total = reading.fields.get("daily_total")
    if total is not None and _total_upheld(reading):
        _settle(rows, pending, 0, Decimal(str(total)), reading)
    rows.unreadable += [rows.lines[row.at].text for row in pending]  # no sum to choose them by
    if len(rows.items) > page_start and is_ocr(lines):
        # Rows read, and after them neither a page's subtotal nor the table's total: the page may
        # be cut off below them (a photo's edge, a fold), rows lost with nothing to show it.
        rows.unreadable.append(f"{rows.lines[-1].text}（其后未见合计）")
    if is_ocr(lines) and checked < len(rows.items) and "daily_total" not in reading.fields:
        # On an OCR page every row may be read with confidence and still one misread or lost
        # (a stamp over it, a fold): the rows no printed sum read apart from them checks are
        # doubtful, so the list is taken only as the day's total, read, confirms it ([sums]).
        rows.in_doubt += [line.text for line in rows.lines[checked:] if line.text not in rows.in_doubt]
    if is_ocr(lines):
        rows.unreadable += _near_repeats(rows)
    rows.give("items", reading, doubtful)


def _near_repeats(rows: _Rows) -> list[str]:
    """The rows of an OCR page that print the same item as another row (same unit price and
    spec) under a name one character apart (葡萄糖注射液, 葡萄糖注射夜): one of the two names is
    misread, which neither the figures nor the sums can show, and which is not known."""
    found: list[str] = []
    for n, (item, line) in enumerate(zip(rows.items, rows.lines, strict=True)):
        for other, other_line in zip(rows.items[n + 1:], rows.lines[n + 1:], strict=True):
            a, b = item.get("name", ""), other.get("name", "")
            if (item.get("unit_price"), item.get("spec")) == (other.get("unit_price"), other.get("spec")) \
                    and len(a) == len(b) > 1 and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
                found += [text for text in (line.text, other_line.text) if text not in found]
    return found


def _settle(rows: _Rows, pending: list[Pending], start: int, target: Decimal | None,
            reading: FieldReading) -> None:
    """The rows from `start` on that read more than one way, each given the reading under which
    the rows from `start` on add up to `target` (a printed sum), when exactly one combination
    does; unreadable otherwise. Left waiting for a later sum when `target` is None (none printed)."""
    mine = [row for row in pending if row.at >= start]
    if not mine or target is None:
        return
    for row in mine:
        pending.remove(row)
    waiting = {row.at for row in mine}
    amounts = [None if n in waiting else Decimal(item["amount"])
               for n, item in enumerate(rows.items[start:], start)]
    if (chosen := choose(amounts, mine, target)) is None:
        rows.unreadable += [rows.lines[row.at].text for row in mine]
        return
    for row, n in zip(mine, chosen, strict=True):
        line, item, _, read_as = row.readings[n]
        rows.in_doubt.remove(rows.lines[row.at].text)
        rows.items[row.at], rows.lines[row.at] = item, line
        rows.in_doubt.append(line.text)
        if read_as:
            reading.matched.append({"field": "items", "read": read_as,
                                    "known": " ".join(filter(None, (item["name"], item.get("spec"))))})


def _only_reading(found: list[tuple[Line, dict | None, bool, str | None]],
                  line: Line) -> tuple[Line, dict | None, bool, str | None]:
    """The row as its one reading gives it; not read (no item) when it reads more than one way."""
    return found[0] if len(found) == 1 else (line, None, False, None)


def _total_upheld(reading: FieldReading) -> bool:
    """The day's total read with confidence in another writing that states it too (its capital
    amount, a [corroborates] pair), which the rows it chooses cannot have swayed."""
    total = reading.fields.get("daily_total")
    return any(other in reading.fields and reading.fields[other] == total
               for pair in label_rules().get("corroborates", {}).get("daily_statement", [])
               if "daily_total" in pair for other in pair if other != "daily_total")


def _printed_sum(line: Line) -> Decimal | None:
    """The sum a subtotal's or carried sum's line prints at its end."""
    found = _SUBTOTAL_AMOUNT.search(line.text)
    amount = read_amount(found.group(1)) if found else None
    return Decimal(amount) if amount is not None else None


def _take_row(rows: _Rows, reading: FieldReading, line: Line, item: dict, confident: bool,
              read_as: str | None) -> None:
    rows.add(line, item, confident)
    if read_as:
        reading.matched.append({"field": "items", "read": read_as,
                                "known": " ".join(filter(None, (item["name"], item.get("spec"))))})


def _check_subtotal(line: Line, page_rows: list[dict], rows: _Rows) -> bool:
    """A page's rows add up to the subtotal printed under them (and all rows so far to a sum
    carried forward); when they do not (a row lost or misread), the list is not given. Whether
    a sum was read and the rows add up to it."""
    subtotal = _printed_sum(line)
    if subtotal is None or not page_rows:
        return False
    if sum((Decimal(item["amount"]) for item in page_rows), Decimal(0)) != subtotal:
        rows.unreadable.append(line.text)
        return False
    return True


_FEE_COLUMNS = {"name": ("项目名称", "项目", "收费项目", "费用项目"),
                "amount": ("金额", "金额（元）", "金额(元)")}


def _fee_header(line: Line) -> list[str | None] | None:
    """An invoice's item table header with columns besides the name and the amount (数量, 单位,
    备注): each cell's column, None for those not read; None when the line is not such a header.
    The table may be printed two or three times side by side (项目名称 数量 单位 金额 项目名称 数量
    单位 金额, as e-bill platforms print it): each copy a name, an amount and the same other columns."""
    if re.search(r"[:：]", line.text):
        return None
    cells = [re.sub(r"\s", "", cell) for cell in _HEADER_CELL.findall(line.text)]
    named = [next((key for key, words in _FEE_COLUMNS.items() if cell in words), None) for cell in cells]
    groups = _groups(named)
    if not groups or len(named) < 3 * len(groups) or any(
            sorted(filter(None, group)) != ["amount", "name"] for group in groups):
        return None
    return named


def _groups(columns: list[str | None]) -> list[list[str | None]]:
    """A header's columns in the copies of the table printed side by side: each begins at a name
    column (none when the first column is not one)."""
    groups: list[list[str | None]] = []
    for key in columns:
        if key == "name" or not groups:
            groups.append([])
        groups[-1].append(key)
    return groups if columns and columns[0] == "name" else []


def _header_columns(line: Line) -> list[str | None] | None:
    """The column each header cell names (None: a column not read, such as 序号 or 项目编码),
    when the line is a table header naming at least the name, price, quantity and amount."""
    cells = [re.sub(r"\s", "", cell) for cell in _HEADER_CELL.findall(line.text)]
    if re.search(r"[:：]", line.text):
        return None
    named = [next((key for key, words in _COLUMNS if cell in words), None) for cell in cells]
    # Two header words OCR ran together (医保类别自付比例): the cell is the first one's column, for
    # a column whose values are of a closed kind (the class: 甲, 乙, 丙), which the second column's
    # (10%) cannot be taken for. Lost, the column's values would be missing from every row.
    named = [key or next((column for column, words in _COLUMNS if column in _CLOSED_COLUMNS
                          and column not in named and cell.startswith(words)), None)
             for cell, key in zip(cells, named, strict=True)]
    keys = list(filter(None, named))
    if not {"name", "unit_price", "quantity", "amount"} <= set(keys) or len(set(keys)) != len(keys):
        return None
    return named


def _column_spans(header: Line) -> list[tuple[float, float]] | None:
    """Each header cell's column across the page: from its left to the next cell's left."""
    lefts = [union(header.boxes[start:stop]) for start, stop in
             (found.span() for found in _HEADER_CELL.finditer(header.text))] if header.boxes else []
    if not lefts or None in lefts:
        return None
    edges = [box[0] for box in lefts]
    return list(zip(edges, [*edges[1:], 1.0], strict=True))


def _in_column_order(line: Line, columns: list[str | None], spans: list[tuple[float, float]] | None,
                     *, trailing_empty: bool = False) -> Line:
    """The row's cells that the header names, in the order the row reader expects (name, spec,
    price, quantity, amount, class), parted by wide gaps. A cell's column is the header cell it
    lies under most (word boxes), or without boxes its place in the row (`trailing_empty`: a row
    with fewer cells has its last columns empty, as a 备注 column is); the row as it is when that
    does not give one cell per named column."""
    cells = [found.span() for found in _HEADER_CELL.finditer(line.text)]
    keys: list[str | None]
    if trailing_empty and not (spans is not None and line.boxes) and len(cells) < len(columns):
        columns = columns[:len(cells)]
    if spans is not None and line.boxes and all(union(line.boxes[a:b]) for a, b in cells):
        # Word by word: two cells a narrow gap apart (`1285.41 丙类`, `乙 10%`) are still two
        # columns'. A column's words side by side are one cell (头颅 CT 平扫).
        cells, keys = [], []
        for match in re.finditer(r"\S+", line.text):
            box = union(line.boxes[match.start():match.end()])
            overlaps = [min(box[2], right) - max(box[0], left) for left, right in spans]
            key = columns[overlaps.index(max(overlaps))]
            if cells and keys[-1] == key:
                cells[-1] = (cells[-1][0], match.end())
            else:
                cells.append(match.span())
                keys.append(key)
    elif len(cells) == len(columns):
        keys = list(columns)
    else:
        return line
    # The copies of the table side by side (see `_fee_header`) each in order, left to right.
    copy = [sum(1 for before in keys[:n + 1] if before == "name") for n in range(len(keys))]
    named = [(n, key) for n, key in zip(copy, keys, strict=True) if key]
    if len(set(named)) != len(named):
        return line
    order = {key: n for n, (key, _) in enumerate(_COLUMNS)}
    picked = sorted(((n, order[key]), span) for n, key, span in zip(copy, keys, cells, strict=True) if key)
    text, confidences, boxes = "", [], []
    for n, (_, (start, stop)) in enumerate(picked):
        if n:
            text += "    "
            confidences += [confidences[-1] if confidences else 100.0] * 4
            boxes += [None] * 4
        text += line.text[start:stop]
        confidences += list(line.confidences[start:stop]) if line.confidences is not None else []
        boxes += list(line.boxes[start:stop]) if line.boxes else []
    return Line(text, tuple(confidences) if line.confidences is not None else None,
                tuple(boxes) if line.boxes else (), line.page)
