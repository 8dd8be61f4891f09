"""What the goods readers share (archive/ocr/vat_items.py under a header, archive/ocr/headerless_items.py
without one): the lines among the goods that are no row (a code or details line, a discount, a
rule), a row's printed number, a goods name alone on its line, and the check that the rows add up
to the sum the print states.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import combinations

from archive.ocr.label_spec import label_rules
from archive.ocr.lines import FieldReading, Line, is_cjk
from archive.ocr.tables import _Rows
from archive.ocr.till_rows import not_goods

# A goods row's code line (商品编码：6901234567890, or the bar code alone), or a line of its details
# ([vat_items] details: a pharmacy's 批号：… 有效期至：…, 生产厂家：…): no row, no end of the table.
# A detail's word may have a qualifier before it (国家医保编码) and, with a code after it of Latin
# letters and figures only, no colon (医保编码XA02BCA123A001010104321).
_DETAILS = "|".join(map(re.escape, label_rules().get("vat_items", {}).get("details", [])))
CODE_LINE = re.compile(r"^\s*(?:(?:商品|药品|项目)?编码\s*[:：]?\s*)?\d[\d\s]{7,}$"
                       rf"|^\s*[\u4e00-\u9fff]{{0,4}}(?:{_DETAILS})\s*(?:[:：]|[0-9A-Za-z][0-9A-Za-z\-]{{5,}}\s*$)")
# A discount off a row or off the sale ([vat_items] discounts): its words, then one amount, minus
# or not (会员价优惠  -2.00, 整单优惠：5.00, 满减优惠：-10.00).
# The sum due after them (优惠后金额, 折扣后应付) is no discount.
DISCOUNT = re.compile(r"^\s*[\u4e00-\u9fff]{0,6}(?:"
                      + "|".join(map(re.escape, label_rules().get("vat_items", {}).get("discounts", [])))
                      + r")(?!后)[\u4e00-\u9fff]{0,4}\s*[:：]?\s*[-－]?\s*[¥￥]?\s*"
                      r"(?P<amount>\d[\d,]*\.\d{2})\s*元?\s*$")
DISCOUNT_TOTAL = re.compile(r"^\s*(?:" + "|".join(
    map(re.escape, label_rules().get("vat_items", {}).get("discount_totals", []))) + ")")
# A rule a till prints in characters (----, ====, ****) under its header or between goods: no row.
RULE_LINE = re.compile(r"^\s*(?:[-=*_.·─━—~－＝]\s*){3,}$")
QUANTITY = re.compile(r"\d+(?:\.\d+)?")
# A receipt's row number before the goods name (`01 阿莫西林胶囊`, `2.电子血压计`): not the name's,
# when it is the row's place in the list. Figures a name begins with are the name's (0.9%氯化钠
# 注射液, `84 消毒液`, `999感冒灵颗粒`; `2.84消毒液` is row 2's 84消毒液).
_ROW_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3})(?:[.、．]\s*|\s+)(?=[\u4e00-\u9fff*\d])")
# The table's own 合计 row (合计  ¥588.60  ¥5.89): the amount, then the tax or nothing.
_SUM_ROW = re.compile(r"^\s*合\s*计\s*[¥￥]?\s*(?P<amount>\d[\d,]*\.\d{2})"
                      r"(?:\s+[¥￥]?\s*\d[\d,]*\.\d{2})?\s*$")
# A row's own subtotal, printed under it (小计：31.00): the row's amount again.
_ROW_SUBTOTAL = re.compile(r"^\s*小\s*计\s*[:：]?\s*[¥￥]?\s*(?P<amount>\d[\d,]*\.\d{2})\s*$")
_MONEY = re.compile(r"\d[\d,]*\.\d{2}")


def row_subtotal(line: Line, above: Line | None) -> bool:
    """Whether the line is the subtotal of the row printed on the line above it: 小计 and one of
    that line's amounts. A 小计 that is no row's amount is the goods' sum (and ends them)."""
    found = _ROW_SUBTOTAL.match(line.text)
    return found is not None and above is not None and found["amount"] in _MONEY.findall(above.text)


def check_sum(rows: _Rows, after: list[Line], reading: FieldReading, tax_column: bool) -> None:
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
    discounts = [(Decimal(found["amount"].replace(",", "")), DISCOUNT_TOTAL.match(line.text) is not None)
                 for line in after if (found := DISCOUNT.match(line.text))]
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


def plain_name(text: str) -> bool:
    """A goods name alone on its line: no label's colon, no sum's or payment's word."""
    return (is_name_line(text) and not re.search(r"[:：]", text)
            and not any(word in text for word in not_goods()))


def is_name_line(text: str) -> bool:
    """A goods name alone on its line (its row number gone): Chinese, no word of figures after
    its first (the figures a name begins with: 84 消毒液)."""
    return is_cjk(text) and not figures_after_first(text)


def figures_after_first(text: str) -> bool:
    return any(QUANTITY.fullmatch(word.lstrip("¥￥")) for word in text.split()[1:])


# Two lines begin at the same left within this much of the page's width: about a character.
ALIGNED = 0.015
