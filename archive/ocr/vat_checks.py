"""Checks on a VAT invoice (增值税发票 / 数电票): the printed sums and the shape of its numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from archive.ocr.checks import ERROR, WARNING, finding


def check_vat_invoice(fields: dict, today: date) -> list[dict]:
    found = []
    amount, tax, total = (Decimal(fields[k]) if fields.get(k) is not None else None
                          for k in ("amount", "tax", "total_amount"))
    if total is None:
        found.append(finding("missing_field", WARNING, "未能读取价税合计（小写），请人工核对"))
    if None not in (amount, tax, total) and amount + tax != total:
        found.append(finding("vat_sum_mismatch", ERROR,
                             f"合计金额 {amount} 加合计税额 {tax} 不等于价税合计 {total}",
                             amount=str(amount), tax=str(tax), total=str(total)))
    capital = fields.get("total_amount_capital")
    if total is not None and capital is not None and Decimal(capital) != total:
        found.append(finding("capital_mismatch", ERROR, f"价税合计大写 {capital} 与小写 {total} 不一致",
                                     capital=str(capital), total=str(total)))
    number, code = fields.get("invoice_number"), fields.get("invoice_code")
    if number and len(number) not in (8, 20):
        found.append(finding("invoice_number_shape", ERROR,
                             f"发票号码 {number} 应为 8 位（增值税发票）或 20 位（数电票）", number=number))
    if number and len(number) == 20 and code:
        found.append(finding("invoice_code_unexpected", WARNING,
                             f"20 位号码的数电票没有发票代码，却读到发票代码 {code}", code=code))
    items = fields.get("items") or []
    if amount is not None and items and all(item.get("amount") for item in items):
        items_total = sum((Decimal(item["amount"]) for item in items), Decimal("0"))
        if items_total != amount:
            found.append(finding("items_mismatch", ERROR,
                                 f"明细金额之和 {items_total} 不等于合计金额 {amount}",
                                 items_total=str(items_total), total=str(amount)))
    issued = fields.get("issue_date")
    if issued and date.fromisoformat(issued) > today:
        found.append(finding("future_date", ERROR, f"开票日期 {issued} 晚于今天", issued=issued))
    return found
