"""The one sum of a VAT print that states no tax: tills' roll invoices (卷票), POS receipts and the
provinces' 通用机打发票 print tax-inclusive prices and no tax column or line. Their 合计金额 is what
the buyer paid (价税合计), not the amount before tax the 2016 and 数电票 templates print under that
label: read as the amount, it would be a value the document never states (the amount before tax,
equal to the total only if the tax were stated as nought). A till that states the tax inside its
prices (其中税额) prints the tax-inclusive sum twice (合计 under 金额, 合计金额（小写）): the one sum
is the total there too, and no amount before tax is printed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from archive.ocr.lines import FieldReading, Line

# Any mention of tax as a sum or a rate: a 税额/税率 column, 其中税额, 合计税额, 免税. (Not 税号 or
# 纳税人识别号: a party's tax id says nothing of the prices.)
TAX_WORDS = re.compile(r"税\s*[额率金]|免\s*税|不\s*含\s*税|价\s*税")


def tax_inclusive_sum(lines: list[Line], reading: FieldReading) -> None:
    """On a print that states no tax, the sum read as `amount` is the total: it fills
    `total_amount` when that is not read, and is no amount before tax either way."""
    if "amount" not in reading.fields:
        return
    if "tax" in reading.fields:
        _no_amount_equal_to_the_total(reading)
        return
    if any(TAX_WORDS.search(line.text) for line in lines):
        return
    value = reading.fields.pop("amount")
    source = reading.sources.pop("amount", None)
    if "total_amount" not in reading.fields:
        reading.fields["total_amount"] = value
        reading.unreadable = [item for item in reading.unreadable if item["field"] != "total_amount"]
        if source is not None:
            reading.sources["total_amount"] = source


def _no_amount_equal_to_the_total(reading: FieldReading) -> None:
    """An amount before tax equal to the tax-inclusive total, with some tax stated, is the total
    read a second time (a sum printed under 金额 on a tax-inclusive till print): not the amount."""
    amount, total = reading.fields.get("amount"), reading.fields.get("total_amount")
    if total is None or amount != total or _is_nought(reading.fields["tax"]):
        return
    reading.fields.pop("amount")
    reading.sources.pop("amount", None)


def _is_nought(value: object) -> bool:
    try:
        return Decimal(str(value)) == 0
    except InvalidOperation:
        return False
