"""A VAT invoice's goods and services table (增值税发票, 数电票), read by the columns its header row
names: 项目名称 (货物或应税劳务、服务名称), 规格型号, 单位, 数量, 单价, 金额, 税率/征收率, 税额.
Tills' roll invoices (卷票) and POS receipts print tax-inclusive prices and no tax column: 品名 (or
项目, 商品名称), 数量, 单价, 金额, the name on a line of its own with its figures on the line
under it (the roll is narrow), or 数量×单价 in one cell (supermarkets).

Every row must read, and the rows' amounts must add up to the invoice's 合计金额 when that was
read (or, with no tax column, to the total paid, less the discounts a member's till prints under
rows and under the goods: 会员价优惠 -2.00, 整单优惠：5.00): a list missing a row would be a wrong
list.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from itertools import combinations, takewhile

from archive.ocr.label_spec import label_rules
from archive.ocr.lines import FieldReading, Line, confident, is_cjk, union
from archive.ocr.normalize import read_amount
from archive.ocr.table_rows import fitted_edges, is_ocr
from archive.ocr.tables import _HEADER_CELL, _SPACE_BY_CJK, _Rows
from archive.ocr.till_rows import figures as till_figures
from archive.ocr.till_rows import holds, named, not_goods, sum_word, without_code

_COLUMNS = {"name": ("项目名称", "货物或应税劳务、服务名称", "货物或应税劳务名称", "品名", "商品名称",
                     "项目"),
            "spec": ("规格型号", "规格"), "unit": ("单位",),
            "quantity_price": ("数量×单价", "数量x单价", "数量*单价"),
            # The name and its spec in one cell (品名/规格: `*中成药*连花清瘟胶囊 0.35g*24粒`).
            "name_spec": ("品名/规格", "名称/规格", "商品名称/规格", "药品名称/规格", "项目名称/规格")}
_WORDS = {word: key for key, words in _COLUMNS.items() for word in words}
_WORDS |= {word: key for key, words in label_rules().get("vat_items", {}).get("columns", {}).items()
           for word in words}
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
# A goods row's code line (商品编码：6901234567890, or the bar code alone), or a line of its details
# ([vat_items] details: a pharmacy's 批号：… 有效期至：…, 生产厂家：…): no row, no end of the table.
# A detail's word may have a qualifier before it (国家医保编码) and, with a code after it of Latin
# letters and figures only, no colon (医保编码XA02BCA123A001010104321).
_DETAILS = "|".join(map(re.escape, label_rules().get("vat_items", {}).get("details", [])))
_CODE_LINE = re.compile(r"^\s*(?:(?:商品|药品|项目)?编码\s*[:：]?\s*)?\d[\d\s]{7,}$"
                        rf"|^\s*[\u4e00-\u9fff]{{0,4}}(?:{_DETAILS})\s*(?:[:：]|[0-9A-Za-z][0-9A-Za-z\-]{{5,}}\s*$)")
# A discount off a row or off the sale ([vat_items] discounts): its words, then one amount, minus
# or not (会员价优惠  -2.00, 整单优惠：5.00, 满减优惠：-10.00).
# The sum due after them (优惠后金额, 折扣后应付) is no discount.
_DISCOUNT = re.compile(r"^\s*[\u4e00-\u9fff]{0,6}(?:"
                       + "|".join(map(re.escape, label_rules().get("vat_items", {}).get("discounts", [])))
                       + r")(?!后)[\u4e00-\u9fff]{0,4}\s*[:：]?\s*[-－]?\s*[¥￥]?\s*"
                       r"(?P<amount>\d[\d,]*\.\d{2})\s*元?\s*$")
_DISCOUNT_TOTAL = re.compile(r"^\s*(?:" + "|".join(
    map(re.escape, label_rules().get("vat_items", {}).get("discount_totals", []))) + ")")
# A till's figures line under a goods name: `数量 × 单价 = 金额` (3盒 × 12.50 = 37.50), read by its
# signs wherever it lies under the header (the roll prints it as one string, indented).
_EQUATION = re.compile(r"^\s*(?P<quantity>\d+(?:\.\d+)?\s*(?:[\u4e00-\u9fff]{0,2}|[A-Za-z]{1,2}))\s*[×xX*]\s*"
                       r"[¥￥]?(?P<unit_price>\d+(?:\.\d+)?)\s*[=＝]\s*[¥￥]?(?P<amount>\d[\d,]*\.\d{2})\s*$")
# A rule a till prints in characters (----, ====, ****) under its header or between goods: no row.
_RULE_LINE = re.compile(r"^\s*(?:[-=*_.·─━—~－＝]\s*){3,}$")
_RATE = re.compile(r"\d{1,2}(?:\.\d+)?%|免税|不征税")
_QUANTITY = re.compile(r"\d+(?:\.\d+)?")
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
# A receipt's row number before the goods name (`01 阿莫西林胶囊`, `2.电子血压计`): not the name's,
# when it is the row's place in the list. Figures a name begins with are the name's (0.9%氯化钠
# 注射液, `84 消毒液`, `999感冒灵颗粒`; `2.84消毒液` is row 2's 84消毒液).
_ROW_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3})(?:[.、．]\s*|\s+)(?=[\u4e00-\u9fff*\d])")
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
        body = [line for line in takewhile(_in_table, lines[index + 1:]) if not names_above or
                not _is_name_line(line.text)]
        lefts = fitted_edges(boxes, body) or lefts
    rows = _Rows()
    body = list(takewhile(_in_table, lines[index + 1:]))
    name_above: str | None = None  # a roll's goods name, on its line above its figures
    taken = 0  # the lines a name wrapped over before its figures, taken with it
    for at, line in enumerate(body):
        if taken:
            taken -= 1
            continue
        if _CODE_LINE.match(line.text) or _DISCOUNT.match(line.text) or _RULE_LINE.match(line.text):
            continue
        number = len(rows.items) + len(rows.unreadable) + 1  # the row's place: its number if printed
        if names_above and name_above is None and _is_name_line(without_row_number(line.text, number)):
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
    _check_sum(rows, lines[index + 1:], reading, "tax" in columns)
    rows.give("items", reading, doubtful)


def _check_sum(rows: _Rows, after: list[Line], reading: FieldReading, tax_column: bool) -> None:
    """The rows are the list only when their amounts add up to the sum the print states, read
    on its own: with a tax column the 合计金额 (or the total less the tax), without one the total
    paid (the prices hold the tax), less the discounts printed. No sum read: not given."""
    fields = reading.fields
    stated = fields.get("total_amount")
    if tax_column:
        stated = fields.get("amount") or (str(Decimal(fields["total_amount"]) - Decimal(fields["tax"]))
                                          if "total_amount" in fields and "tax" in fields else None)
    if stated is None:  # the table's own 合计 row (合计  ¥588.60  ¥5.89): its first figure
        stated = next((found["amount"].replace(",", "") for line in after
                       if (found := _SUM_ROW.match(line.text))), None)
    discounts = [(Decimal(found["amount"].replace(",", "")), _DISCOUNT_TOTAL.match(line.text) is not None)
                 for line in after if (found := _DISCOUNT.match(line.text))]
    # A printed sum of the discounts is the whole discount: only it is tried, alone.
    discounts = ([amount for amount, is_total in discounts if is_total]
                 or [amount for amount, _ in discounts])
    if rows.items and not rows.unreadable and (stated is None or not adds_up(
            sum((Decimal(item["amount"]) for item in rows.items), Decimal(0)), Decimal(stated), discounts)):
        rows.unreadable.append(f"合计 {stated or '?'}")


def adds_up(rows: Decimal, stated: Decimal, discounts: list[Decimal], most: int = 6) -> bool:
    """Whether the rows' sum, less some of the discounts printed, is the sum stated: a till prints
    a row's discount under it, the sale's under the goods, and on some the two together again
    (优惠合计, 本次优惠), so which of them the stated sum is after is not known; to the cent, one
    choice that holds is the evidence. Never more than `most` discounts tried together."""
    if rows == stated:
        return True
    found = discounts[:most]
    return any(rows - sum(chosen, Decimal(0)) == stated
               for size in range(1, len(found) + 1) for chosen in combinations(found, size))


def without_row_number(text: str, number: int | None) -> str:
    """The text without the row number before a goods name, when that number is the row's place
    (`number`); as it is otherwise (84 消毒液 first in an unnumbered list)."""
    found = _ROW_NUMBER.match(text)
    if found is None or number is None or int(found["number"]) != number:
        return text
    return text[found.end():]


def _in_table(line: Line) -> bool:
    """Not the table's end: a code line's 编码： is not a label that closes it, nor is a discount's
    (会员优惠：-2.00 under a row), nor a figures line's own labels (数量:2 单价:15.50 金额:31.00)."""
    return (_CODE_LINE.match(line.text) is not None or _DISCOUNT.match(line.text) is not None
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


_SUM_ROW = re.compile(r"^\s*合\s*计\s*[¥￥]?\s*(?P<amount>\d[\d,]*\.\d{2})"
                      r"(?:\s+[¥￥]?\s*\d[\d,]*\.\d{2})?\s*$")
_TOTAL_WORD = sum_word()


def headerless_items(lines: list[Line], reading: FieldReading, min_confidence: float,
                     doubtful: dict[str, tuple]) -> None:
    """A till's goods printed with no header: a run of lines each a goods row by its own
    arithmetic (or its name on the lines above its figures; a service with its amount alone
    among them), followed by the sum's line, whose amounts add up to the total read on its own.
    One such run, or nothing: a run that does not add up is flagged, never given."""
    stated = reading.fields.get("total_amount")
    runs, seen = [], []
    at = 0
    while at < len(lines):
        rows, end = _headerless_run(lines, at, min_confidence)
        if rows.items and any("quantity" in item for item in rows.items):
            seen.append(rows)
            following = next((line for line in lines[end:] if not _skipped(line)), None)
            if following is not None and _TOTAL_WORD.search(following.text):
                runs.append(rows)
        at = max(end, at + 1)
    if len(runs) != 1 or stated is None:
        # Goods rows were read but cannot be told to be the list (no sum after them, no total,
        # more than one run): the reviewer is told, not left with no list and no word.
        if seen:
            reading.unreadable.append({"field": "items", "read": " / ".join(
                line.text for rows in seen for line in rows.lines), "reason": "row_unreadable"})
        return
    rows = runs[0]
    _check_sum(rows, lines[lines.index(rows.lines[0]):], reading, tax_column=False)
    rows.give("items", reading, doubtful)


def _service(item: dict) -> bool:
    """An amount alone on a line with no header over it is a service's (挂号费 10.00) only when
    its name ends as a service's does ([vat_items] service_endings) and something was charged:
    押金 24.00, 预交金 0.00 are sums a till prints, not goods."""
    endings = tuple(label_rules().get("vat_items", {}).get("service_endings", []))
    return Decimal(item["amount"]) > 0 and item["name"].endswith(endings)


def _skipped(line: Line) -> bool:
    """A line among the goods that is none of them: a code, a detail, a discount, a rule."""
    return bool(_CODE_LINE.match(line.text) or _DISCOUNT.match(line.text) or _RULE_LINE.match(line.text))


def _headerless_run(lines: list[Line], start: int, min_confidence: float) -> tuple[_Rows, int]:
    """The goods rows from `start` on, up to the first line that is none, and where they end."""
    rows, at = _Rows(), start
    while at < len(lines):
        line = lines[at]
        if rows.items and _skipped(line):
            at += 1
            continue
        number = len(rows.items) + 1
        text = without_row_number(line.text, number)
        item = named(text, spec_column=True)
        if item is not None and "quantity" not in item and not _service(item):
            item = None
        used = [line]
        if item is None:
            names = []
            for other in lines[at:at + 2]:
                if not _plain_name(without_row_number(other.text, number)) or (
                        names and not _wraps(names[-1], other, lines, at)):
                    break  # a line above the name is its first only when the name wrapped
                names.append(other)
                follow = next((n for n in range(at + len(names), min(len(lines), at + len(names) + 3))
                               if not _skipped(lines[n])), None)
                if follow is not None and (values := till_figures(lines[follow].text)) is not None:
                    name = without_code("".join(without_row_number(one.text, number).strip()
                                                for one in names))
                    item, used = {"name": _SPACE_BY_CJK.sub("", name), **values}, [*names, lines[follow]]
                    at = follow
                    break
        # A row's line ends in its figures: a name under it is its only when the row's name
        # wrapped (a note under a row, 处方药, is no part of its name).
        if item is None and rows.items and rows.lines[-1] is lines[at - 1] and _plain_name(text) and (
                at + 1 >= len(lines) or till_figures(lines[at + 1].text) is None) and (
                named(lines[at - 1].text) is not None and _wraps(lines[at - 1], line, lines, start)):
            rows.items[-1]["name"] += _SPACE_BY_CJK.sub("", text.strip())  # a long name wrapped
            at += 1
            continue
        if item is None:
            break
        kept = {key: item[key] for key in ("name", "spec", "quantity", "unit_price", "amount") if key in item}
        rows.add(used[-1], kept, all(confident(one, 0, len(one.text), min_confidence) for one in used))
        at += 1
    return rows, at


def _wraps(line: Line, under: Line, lines: list[Line], start: int) -> bool:
    """Whether the text of `line` wrapped onto `under`: both begin at the same left, and `line`
    reaches as far right as the widest other line from `start` to the sum that prints a goods
    name (a goods line, a name alone: the width the roll gives a name; within most of a
    character). A shop's name or a greeting above the first goods name is narrower than the names
    under it; a note under a row (处方药) follows a line that did not fill. Without boxes: no."""
    first, second = union(line.boxes), union(under.boxes)
    if first is None or second is None or abs(first[0] - second[0]) >= ALIGNED:
        return False
    end = next((n for n in range(start, len(lines)) if _TOTAL_WORD.search(lines[n].text)), len(lines))
    rights = [box[2] for other in lines[start:end]
              if other is not line and (named(other.text) is not None or _plain_name(other.text))
              and (box := union(other.boxes)) is not None]
    last = next((box for box in reversed(line.boxes) if box is not None), None)
    return bool(rights) and last is not None and first[2] >= max(rights) - 0.75 * (last[2] - last[0])


def _plain_name(text: str) -> bool:
    """A goods name alone on its line: no label's colon, no sum's or payment's word."""
    return (_is_name_line(text) and not re.search(r"[:：]", text)
            and not any(word in text for word in not_goods()))


def _is_name_line(text: str) -> bool:
    """A goods name alone on its line (its row number gone): Chinese, no word of figures after
    its first (the figures a name begins with: 84 消毒液)."""
    return is_cjk(text) and not _figures_after_first(text)


def _figures_after_first(text: str) -> bool:
    return any(_QUANTITY.fullmatch(word.lstrip("¥￥")) for word in text.split()[1:])


def _aligned(line: Line, row: Line) -> bool:
    """The line begins where the row above does (a wrapped name goes on at its cell's left)."""
    first, above = union(line.boxes), union(row.boxes)
    return first is not None and above is not None and abs(first[0] - above[0]) < ALIGNED


ALIGNED = 0.015  # of the page's width: about a character


def _header(line: Line, above: Line | None = None) -> tuple[list[str | None], list[float] | None] | None:
    """The columns a header row names (None: one not read, as 单位) and where each starts (None:
    no word boxes); None when the line is not the table's header. Header words close together
    (单位 数量 单价) are parted at single spaces. A header without the name's column is one when
    the line `above` is the name's header word alone (a receipt's two-line header)."""
    if re.search(r"[:：]", line.text):
        return None
    words = _header_spans(line)
    found_keys = [_column(line.text[a:b]) for a, b in words]
    keys = [("name" if key == "name_spec" else key) for key in found_keys if key]
    if above is not None and "name" not in keys and _column(above.text) == "name":
        keys.append("name")
    # A till's table has no tax column, but its figures: a quantity or a unit price.
    if not {"name", "amount"} <= set(keys) or len(set(keys)) != len(keys) or not (
            {"tax", "quantity", "unit_price", "quantity_price"} & set(keys)):
        return None
    boxes = [union(line.boxes[a:b]) for a, b in words] if line.boxes else []
    if not boxes or None in boxes:
        return found_keys, None
    # Column rules run between the header words (centred or not in their columns): halfway
    # from one word's right edge to the next one's left.
    return found_keys, [0.0] + [(left[2] + right[0]) / 2
                                for left, right in zip(boxes, boxes[1:], strict=False)]


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
            or _figures_after_first(text)):
        return None
    # Its figures on the next line but for a code line (商品编码：…) between; a long name may
    # wrap onto the line right under it first.
    wrapped: list[str] = []
    for n, other in enumerate(body[at + 1:], at + 1):
        if _CODE_LINE.match(other.text) or _RULE_LINE.match(other.text):
            continue
        figures = _figures(other, columns, lefts, None, order)
        if figures and not figures.get("name") and not figures.get("name_spec") and figures.get("amount"):
            return text.strip() + "".join(wrapped), len(wrapped)
        if wrapped or n != at + 1 or not _plain_name(other.text):
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
            if not _QUANTITY.fullmatch(figure):
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
        span = sum(1 for _ in takewhile(_in_table, lines[found + 1:]))
        body = set(range(found + 1, found + 1 + span))
    return body | {i for i, line in enumerate(lines) if till_figures(line.text) is not None
                   or "quantity" in (named(line.text) or {})}
