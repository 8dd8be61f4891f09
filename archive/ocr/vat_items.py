"""A VAT invoice's goods and services table (增值税发票, 数电票), read by the columns its header row
names: 项目名称 (货物或应税劳务、服务名称), 规格型号, 单位, 数量, 单价, 金额, 税率/征收率, 税额.
Tills' roll invoices (卷票) and POS receipts print tax-inclusive prices and no tax column: 品名 (or
项目, 商品名称), 数量, 单价, 金额, the name on a line of its own with its figures on the line
under it (the roll is narrow), or 数量×单价 in one cell (supermarkets).

Every row must read, and the rows' amounts must add up to the invoice's 合计金额 when that was
read (or, with no tax column, to the total paid, less the discounts a member's till prints under
rows and under the goods: 会员价优惠 -2.00, 整单优惠：5.00): a list missing a row would be a wrong
list. Goods printed with no header row over them: archive/ocr/headerless_items.py.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from archive.ocr.goods_text import (
    ALIGNED,
    CODE_LINE,
    DISCOUNT,
    QUANTITY,
    RULE_LINE,
    check_sum,
    figures_after_first,
    is_name_line,
    plain_name,
    row_subtotal,
    without_row_number,
)
from archive.ocr.headerless_items import headerless_items
from archive.ocr.label_spec import label_rules
from archive.ocr.lines import FieldReading, Line, confident, is_cjk, union
from archive.ocr.normalize import read_amount
from archive.ocr.table_rows import fitted_edges, is_ocr
from archive.ocr.tables import _HEADER_CELL, _SPACE_BY_CJK, _Rows
from archive.ocr.till_rows import figures as till_figures
from archive.ocr.till_rows import holds, named, without_code

_COLUMNS = {"name": ("项目名称", "货物或应税劳务、服务名称", "货物或应税劳务名称", "品名", "商品名称",
                     "项目"),
            "spec": ("规格型号", "规格"), "unit": ("单位",),
            "quantity_price": ("数量×单价", "数量x单价", "数量*单价"),
            # The name and its spec in one cell (品名/规格: `*中成药*连花清瘟胶囊 0.35g*24粒`).
            "name_spec": ("品名/规格", "名称/规格", "商品名称/规格", "药品名称/规格", "项目名称/规格")}
_WORDS = {word: key for key, words in _COLUMNS.items() for word in words}
_WORDS |= {word: key for key, words in label_rules().get("vat_items", {}).get("columns", {}).items()
           for word in words}
# The price charged, beside another price column: that other is the list price.
_CHARGED = frozenset(label_rules().get("vat_items", {}).get("charged", []))
# A header word's unit after it: 单价（元）, 金额(元).
_UNIT = re.compile(r"[（(][\u4e00-\u9fff]{1,2}[）)]$")


def _column(text: str) -> str | None:
    """The column a header word names, its spaces and unit aside; any name's word with 规格 after a
    slash (项目/规格, 商品/规格) names the name and its spec in one cell."""
    word = _UNIT.sub("", re.sub(r"\s", "", text))
    head, slash, tail = word.partition("/")
    if slash and tail in _COLUMNS["spec"] and _WORDS.get(head) == "name":
        return "name_spec"
    return _WORDS.get(word)
# The table ends at its 合计 row, 价税合计 or 备注, or a line that begins with a label and its colon
# (a till's 金额合计（小写）：, 小写：): goods rows print no colon'd label.
_END = re.compile(r"^\s*(?:合\s*计|价\s*税\s*合\s*计|备\s*注"
                  r"|[\u4e00-\u9fff][\u4e00-\u9fff（）()\s]{0,11}[:：])")
# A till's figures line under a goods name: `数量 × 单价 = 金额` (3盒 × 12.50 = 37.50), read by its
# signs wherever it lies under the header (the roll prints it as one string, indented).
_EQUATION = re.compile(r"^\s*(?P<quantity>\d+(?:\.\d+)?\s*(?:[\u4e00-\u9fff]{0,2}|[A-Za-z]{1,2}))\s*[×xX*]\s*"
                       r"[¥￥]?(?P<unit_price>\d+(?:\.\d+)?)\s*[=＝]\s*[¥￥]?(?P<amount>\d[\d,]*\.\d{2})\s*$")
_RATE = re.compile(r"\d{1,2}(?:\.\d+)?%|免税|不征税")
# 2盒, 15g (herbs by the gram): the quantity 2, 15.
_QUANTITY_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:[\u4e00-\u9fff]{0,2}|[A-Za-z]{1,2})")
# A spec begins with a figure or a Latin letter (0.25g*24粒, U80, 10只/袋); the name before it.
# OCR may part the spec's last Chinese unit from its figures (30mg*7 片), or lose the space between
# name and spec (硝苯地平控释片30mg*7片: a dose and its pack count, figures and Latin units glued to
# the name's last Chinese character, is still the spec; a dose alone is not, as names carry one:
# 甘露醇20%注射液, 复方氨基酸注射液18AA).
_SPEC_AFTER_NAME = re.compile(r"^(?P<name>.*\S)\s+(?P<spec>[0-9A-Za-z]\S*(?:\s[\u4e00-\u9fff]{1,2})?)$")
_SPEC_GLUED = re.compile(r"^(?P<name>.*[\u4e00-\u9fff])\s*(?P<spec>\d[\d.]*(?:[A-Za-zμ]+|%)[0-9A-Za-zμ.%]*"
                         r"[*×/][0-9A-Za-zμ.%*×/]*\s?[\u4e00-\u9fff]{0,2})$")
_TIMES = re.compile(r"[×xX*]")
# A goods name with its tax classification (税收分类简称) between asterisks: *中成药*连花清瘟胶囊.
_CLASSED_NAME = re.compile(r"\*[^*]+\*[^*]+")


def vat_items(lines: list[Line], reading: FieldReading, min_confidence: float,
              doubtful: dict[str, tuple]) -> None:
    """The rows under the table's header, each word in the column it lies in (word boxes: the
    columns part halfway between header words), or without boxes by its place when the row has
    a cell for every column; up to the 合计 row. A long name wrapped onto the next line is
    joined to its row."""
    found = next(((i, header) for i, line in enumerate(lines)
                  if (header := _header(line, lines[i - 1] if i else None)) is not None), None)
    if found is None and (repeated := _repeated_header(lines)) is not None:
        # Its rows cannot be read by its columns, nor as a headerless till's: not given, flagged.
        reading.unreadable.append({"field": "items", "read": repeated.text, "reason": "row_unreadable"})
        return
    if found is None:
        headerless_items(lines, reading, min_confidence, doubtful)
        return
    index, (columns, lefts) = found
    order = _header_order(columns)
    # The name's header word on a line of its own above the others' (商品名称, then 规格 数量 单价
    # 金额): each goods row is its name on a line of its own, then its figures under the columns.
    names_above = "name" not in columns and "name_spec" not in columns
    if lefts is not None and is_ocr(lines):
        # On a scan, the columns part in the white space between the rows' words (a long name
        # reaches past the halfway point to the next header word).
        header = lines[index]
        boxes = [tuple(union(header.boxes[a:b])) for a, b in _header_spans(header)]
        body = [line for line in _table_body(lines[index + 1:]) if not names_above or
                not is_name_line(line.text)]
        lefts = fitted_edges(boxes, body) or lefts
    rows = _Rows()
    body = _table_body(lines[index + 1:])
    name_above: str | None = None  # a roll's goods name, on its line above its figures
    taken = 0  # the lines a name wrapped over before its figures, taken with it
    for at, line in enumerate(body):
        if taken:
            taken -= 1
            continue
        if (CODE_LINE.match(line.text) or DISCOUNT.match(line.text) or RULE_LINE.match(line.text)
                or row_subtotal(line, body[at - 1] if at else None)):
            continue
        number = len(rows.items) + len(rows.unreadable) + 1  # the row's place: its number if printed
        if names_above and name_above is None and is_name_line(without_row_number(line.text, number)):
            name_above = without_row_number(line.text, number).strip()
            continue
        if name_above is None and (above := _name_above_figures(body, at, columns, lefts, number, order)):
            name_above, taken = above
            continue
        item = _row(line, columns, lefts, name_above, number, order)
        if name_above is None and (item is None or not holds(item) or _figures_in_name(item)):
            # A goods line printed as one string (its figures one space apart, off the header's
            # columns), read by its own arithmetic.
            item = named_row(without_row_number(line.text, number), columns, order) or item
        name_above = None
        unaligned = item is None and rows.lines and is_ocr([line]) and not _aligned(line, rows.lines[-1])
        if unaligned and len(re.sub(r"\s", "", line.text)) == 1:
            continue  # a stamp's character alone, away from the name's column: not a row
        if item is None and not unaligned and rows.items and not rows.unreadable and (
                more := _more_name(line, columns, lefts)):
            rows.items[-1]["name"] += more  # a long name wrapped onto the next line
        elif item is None or not holds(item) or _figures_in_name(item):
            rows.unreadable.append(line.text)
        else:
            rows.add(line, item, confident(line, 0, len(line.text), min_confidence))
    check_sum(rows, lines[index + 1:], reading, "tax" in columns)
    rows.give("items", reading, doubtful)


def _table_body(after: list[Line]) -> list[Line]:
    """The lines under the header up to the table's end: a row's own 小计 under it is no end when
    the table goes on after it (the last is the goods' sum, as a single row's is)."""
    body: list[Line] = []
    for n, line in enumerate(after):
        if not _in_table(line) and not (row_subtotal(line, body[-1] if body else None)
                                        and n + 1 < len(after) and _in_table(after[n + 1])):
            break
        body.append(line)
    return body


def _in_table(line: Line) -> bool:
    """Not the table's end: a code line's 编码： is not a label that closes it, nor is a discount's
    (会员优惠：-2.00 under a row), nor a figures line's own labels (数量:2 单价:15.50 金额:31.00)."""
    return (CODE_LINE.match(line.text) is not None or DISCOUNT.match(line.text) is not None
            or not _END.search(line.text) or till_figures(line.text) is not None)


def _header_order(columns: list[str | None]) -> bool | None:
    """Whether the header prints the quantity before the unit price (None: it prints no pair)."""
    if "quantity_price" in columns:
        return True
    if "quantity" in columns and "unit_price" in columns:
        return columns.index("quantity") < columns.index("unit_price")
    return None


def named_row(text: str, columns: list[str | None], order: bool | None) -> dict | None:
    """A goods line printed as one string under the header, read by its own arithmetic: the
    header says whether a spec, a unit and a tax are printed."""
    item = named(text, spec_column="spec" in columns or "name_spec" in columns, unit_column="unit" in columns,
                 quantity_first=order)
    if item is None or ("tax" in item) != ("tax" in columns) or not _whole_name(item["name"]):
        return None
    return item


def _whole_name(name: str) -> bool:
    """Not a name cut short: *医疗仪器器械* alone, or 医疗仪器器械*电子血压计 (its class's first
    asterisk not read)."""
    return is_cjk(name) and ("*" not in name or _CLASSED_NAME.fullmatch(name) is not None)


def _figures_in_name(item: dict) -> bool:
    """A name holding an amount (阿莫西林胶囊2盒15.50): a row's figures taken for its name."""
    return re.search(r"\d\.\d{2}", item.get("name", "")) is not None


def _aligned(line: Line, row: Line) -> bool:
    """The line begins where the row above does (a wrapped name goes on at its cell's left)."""
    first, above = union(line.boxes), union(row.boxes)
    return first is not None and above is not None and abs(first[0] - above[0]) < ALIGNED


def _header(line: Line, above: Line | None = None) -> tuple[list[str | None], list[float] | None] | None:
    """The columns a header row names (None: one not read, as 单位) and where each starts (None:
    no word boxes); None when the line is not the table's header. Header words close together
    (单位 数量 单价) are parted at single spaces. A header without the name's column is one when
    the line `above` is the name's header word alone (a receipt's two-line header)."""
    words = _header_spans(line)
    found = _header_columns(line, above, words)
    if found is None or len(set(found[1])) != len(found[1]):
        return None
    found_keys = found[0]
    boxes = [union(line.boxes[a:b]) for a, b in words] if line.boxes else []
    if not boxes or None in boxes:
        return found_keys, None
    # Column rules run between the header words (centred or not in their columns): halfway
    # from one word's right edge to the next one's left.
    return found_keys, [0.0] + [(left[2] + right[0]) / 2
                                for left, right in zip(boxes, boxes[1:], strict=False)]


def _header_columns(line: Line, above: Line | None,
                    words: list[tuple[int, int]]) -> tuple[list[str | None], list[str]] | None:
    """The columns the line's words name and the keys they make, when they make a goods table's
    header but for a column named twice (None: no header)."""
    if re.search(r"[:：]", line.text):
        return None
    found_keys = _list_price([_column(line.text[a:b]) for a, b in words], [line.text[a:b] for a, b in words])
    keys = [("name" if key == "name_spec" else key) for key in found_keys if key]
    if above is not None and "name" not in keys and _column(above.text) == "name":
        keys.append("name")
    # A till's table has no tax column, but its figures: a quantity or a unit price.
    if not {"name", "amount"} <= set(keys) or not (
            {"tax", "quantity", "unit_price", "quantity_price"} & set(keys)):
        return None
    return found_keys, keys


def _list_price(keys: list[str | None], texts: list[str]) -> list[str | None]:
    """The columns, a price beside the price charged ([vat_items] charged: 单价 现价, 零售价 现价)
    being the list price: no figure of the row's."""
    charged = {n for n, (key, text) in enumerate(zip(keys, texts, strict=True))
               if key == "unit_price" and _UNIT.sub("", re.sub(r"\s", "", text)) in _CHARGED}
    if len(charged) != 1 or keys.count("unit_price") < 2:
        return keys
    return ["list_price" if key == "unit_price" and n not in charged else key for n, key in enumerate(keys)]


def _repeated_header(lines: list[Line]) -> Line | None:
    """A line that would be the goods table's header but names a column twice (单价 售价): which
    of the two is the row's figure is not known."""
    for at, line in enumerate(lines):
        found = _header_columns(line, lines[at - 1] if at else None, _header_spans(line))
        if found is not None and len(set(found[1])) != len(found[1]):
            return line
    return None


def _header_spans(line: Line) -> list[tuple[int, int]]:
    """Where the header's words are in the line."""
    words = _header_words(line.text, 0, len(line.text))
    # A character alone that names no column (☑, a stamp's) is not a column.
    return [(a, b) for a, b in words if _column(line.text[a:b]) or b - a > 1]


def _header_words(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """The header words in text[start:stop], parted at spaces, but words that OCR parted and
    together make a header word (`税率 / 征收率`) kept together."""
    parts = [(start + match.start(), start + match.end()) for match in re.finditer(r"\S+", text[start:stop])]
    words, at = [], 0
    while at < len(parts):
        upto = next((end for end in range(len(parts), at + 1, -1)
                     if _column(text[parts[at][0]:parts[end - 1][1]])), at + 1)
        words.append((parts[at][0], parts[upto - 1][1]))
        at = upto
    return words


def _cells(line: Line, columns: list[str | None], lefts: list[float] | None,
           number: int | None = None) -> dict[str, str] | None:
    """The row's text per column: each word in the column its centre lies in, or without boxes
    the wide-gap cells in order when there is one per column."""
    tokens = [match.span() for match in re.finditer(r"\S+", line.text)]
    values: dict[str, str] = {}
    if lefts is not None and line.boxes and all(union(line.boxes[a:b]) for a, b in tokens):
        for start, stop in tokens:
            box = union(line.boxes[start:stop])
            column = max(0, bisect_right(lefts, (box[0] + box[2]) / 2) - 1)
            key = columns[column] or "other"
            values[key] = values.get(key, "") + " " + line.text[start:stop]
    else:
        cells = [match.span() for match in _HEADER_CELL.finditer(line.text)]
        if len(cells) != len(columns):
            return None
        values = {key or "other": line.text[a:b] for key, (a, b) in zip(columns, cells, strict=True)}
    # A row number before the name is parted from it by a space or a stop: gone before the spaces.
    values = {key: without_code(without_row_number(value.strip(), number)) if key in ("name", "name_spec")
              else value for key, value in values.items()}
    return {key: value.strip() if key == "name_spec" else _SPACE_BY_CJK.sub("", value.strip())
            for key, value in values.items()}


def _more_name(line: Line, columns: list[str | None], lefts: list[float] | None) -> str | None:
    """The rest of the row above's name, when the line holds nothing but text in the name column."""
    text = re.sub(r"\s", "", line.text)
    if lefts is None or not line.boxes:
        return text if is_cjk(text) and not re.search(r"\d", text) else None
    values = _cells(line, columns, lefts)
    if not values or len(values) != 1 or not ({"name", "name_spec"} & set(values)):
        return None
    name = next(iter(values.values()))
    return name if is_cjk(name) and not re.search(r"\d", name) else None


def _name_above_figures(body: list[Line], at: int, columns: list[str | None],
                        lefts: list[float] | None, number: int | None = None,
                        order: bool | None = None) -> tuple[str, int] | None:
    """The goods name a roll prints on a line of its own (or wrapped over two), when the next
    line is its figures (no name, an amount): the name and the lines it wrapped onto, else None
    (a name wrapped from the row above stays its)."""
    name_column = next((n for n, key in enumerate(columns) if key in ("name", "name_spec")), None)
    if lefts is None or at + 1 >= len(body) or name_column is None:
        return None
    line = body[at]
    first = union(line.boxes) if line.boxes else None
    text = without_code(without_row_number(line.text, number))
    # Begun in the name column, it may run on past it (the roll's name fills its width): text
    # with no figure of its own (but a row number, or the name's own first figures, before it).
    if (first is None or bisect_right(lefts, first[0]) - 1 != name_column or not is_cjk(text)
            or figures_after_first(text)):
        return None
    # Its figures on the next line but for a code line (商品编码：…) between; a long name may
    # wrap onto the line right under it first.
    wrapped: list[str] = []
    for n, other in enumerate(body[at + 1:], at + 1):
        if CODE_LINE.match(other.text) or RULE_LINE.match(other.text):
            continue
        figures = _figures(other, columns, lefts, None, order)
        if figures and not figures.get("name") and not figures.get("name_spec") and figures.get("amount"):
            return text.strip() + "".join(wrapped), len(wrapped)
        if wrapped or n != at + 1 or not plain_name(other.text):
            return None
        wrapped.append(other.text.strip())
    return None


def _equation(line: Line) -> dict[str, str] | None:
    """A `数量 × 单价 = 金额` line's figures, when the product is the amount (to the unit price's
    rounding): the signs say which figure is which, wherever the line lies."""
    found = _EQUATION.match(line.text)
    if found is None:
        return None
    values = {key: re.sub(r"[\s,]", "", found[key]) for key in ("quantity", "unit_price", "amount")}
    quantity = _QUANTITY_WITH_UNIT.fullmatch(values["quantity"])
    if quantity is None or not holds({**values, "quantity": quantity.group(1)}):
        return None
    return values


def _figures(line: Line, columns: list[str | None], lefts: list[float] | None,
             number: int | None = None, order: bool | None = None) -> dict[str, str] | None:
    """The row's cells: a line of figures alone (`数量 × 单价 = 金额`, `2 x 15.50 31.00`, `数量:2
    单价:15.50 金额:31.00`) by its signs and its arithmetic, else by the header's columns."""
    signed = re.search(r"\d\s*[×xX*]", line.text) is not None
    return (till_figures(line.text, True if signed else order) or _equation(line)
            or _cells(line, columns, lefts, number))


def _row(line: Line, columns: list[str | None], lefts: list[float] | None,
         name_above: str | None = None, number: int | None = None, order: bool | None = None) -> dict | None:
    values = _figures(line, columns, lefts, number, order)
    if values is None:
        return None
    if name_above is not None:
        if values.get("name") or values.get("name_spec"):
            return None
        values["name_spec" if "name_spec" in columns else "name"] = name_above
    if "name_spec" in values:  # the spec after the name, as its own word
        both = values.pop("name_spec")
        parted = _SPEC_AFTER_NAME.match(both) or _SPEC_GLUED.match(both)
        values["name"] = parted["name"] if parted else both
        if parted:
            values["spec"] = _SPACE_BY_CJK.sub("", parted["spec"])
    values["name"] = _SPACE_BY_CJK.sub("", values.get("name", ""))
    if "quantity_price" in values:  # 2×3.00: the quantity and the unit price in one cell
        parts = _TIMES.split(values.pop("quantity_price"))
        if len(parts) != 2:
            return None
        values["quantity"], values["unit_price"] = (part.strip() for part in parts)
    item: dict = {"name": values.get("name", "")}
    if not _whole_name(item["name"]):
        return None
    if "quantity" in columns and "unit_price" in columns and bool(values.get("quantity")) != bool(
            values.get("unit_price")):
        return None  # a unit price without its quantity (or the reverse): a figure was not read
    if values.get("spec"):
        item["spec"] = values["spec"]
    for key in ("quantity", "unit_price"):  # as printed: a unit price has as many places as it needs
        if values.get(key):
            figure = values[key].lstrip("¥￥")
            if key == "quantity" and (with_unit := _QUANTITY_WITH_UNIT.fullmatch(figure)):
                figure = with_unit.group(1)
            if not QUANTITY.fullmatch(figure):
                return None
            item[key] = figure
    for key in ("amount", "tax") if "tax" in columns else ("amount",):
        if (value := read_amount(values.get(key, "").lstrip("¥￥"))) is None:
            return None
        item[key] = value
    if "tax_rate" in values:
        if not _RATE.fullmatch(values["tax_rate"]):
            return None
        item["tax_rate"] = values["tax_rate"]
    return {key: item[key] for key in ("name", "spec", "quantity", "unit_price", "amount", "tax_rate", "tax")
            if key in item}


def goods_lines(lines: list[Line]) -> set[int]:
    """The lines that are goods rows (by index): the table's body under its header, and any line
    whose figures hold as a row's (quantity × unit price = amount, printed bare or labelled).
    Their 税额：, 金额： are the row's, never the invoice's (labels.toml [item_lines])."""
    found = next((i for i, line in enumerate(lines)
                  if _header(line, lines[i - 1] if i else None) is not None), None)
    body = set()
    if found is not None:
        span = len(_table_body(lines[found + 1:]))
        body = set(range(found + 1, found + 1 + span))
    return body | {i for i, line in enumerate(lines) if till_figures(line.text) is not None
                   or "quantity" in (named(line.text) or {})}
