"""The one sum of a VAT print that states no tax: tills' roll invoices (卷票), POS receipts and the
provinces' 通用机打发票 print tax-inclusive prices and no tax column or line. Their 合计金额 is what
the buyer paid (价税合计), not the amount before tax the 2016 and 数电票 templates print under that
label: read as the amount, it would be a value the document never states (the amount before tax,
equal to the total only if the tax were stated as nought)."""

from __future__ import annotations

import re

from archive.ocr.lines import FieldReading, Line

# Any mention of tax as a sum or a rate: a 税额/税率 column, 其中税额, 合计税额, 免税. (Not 税号 or
# 纳税人识别号: a party's tax id says nothing of the prices.)
TAX_WORDS = re.compile(r"税\s*[额率金]|免\s*税|不\s*含\s*税|价\s*税")


def tax_inclusive_sum(lines: list[Line], reading: FieldReading) -> None:
    """On a print that states no tax, the sum read as `amount` is the total: it fills
    `total_amount` when that is not read, and is no amount before tax either way."""
    if "amount" not in reading.fields or "tax" in reading.fields:
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
