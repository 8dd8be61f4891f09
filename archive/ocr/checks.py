"""Checks a reviewer can trust: structured findings on one document's fields.

Each finding is {"code", "severity" ("error" | "warning" | "info"), "message"}; messages are in
Chinese because reviewers read them as they are. A check whose inputs are absent says nothing: a
missing field is its own finding ("missing_field"), not a failed sum.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

ERROR, WARNING = "error", "warning"


def finding(code: str, severity: str, message: str, **params) -> dict:
    """`params` are the values the message names: pages draw the text from the code and them,
    in the reader's language (archive.findings_text)."""
    return {"code": code, "severity": severity, "message": message} | ({"params": params} if params else {})


def check_document(kind: str | None, fields: dict, *, today: date | None = None) -> list[dict]:
    today = today or date.today()
    from archive.ocr.vat_checks import check_vat_invoice  # it builds on this module's helpers

    checks = {"invoice": _invoice, "daily_statement": _daily_statement, "referral": _referral,
              "agreement": _agreement, "vat_invoice": check_vat_invoice}.get(kind or "")
    return checks(fields, today) if checks else []


def _money(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _invoice(fields: dict, today: date) -> list[dict]:
    found = []
    total = _money(fields.get("total_amount"))
    if total is None:
        found.append(finding("missing_field", WARNING, "未能读取合计金额（小写），请人工核对"))
    capital = _money(fields.get("total_amount_capital"))
    if total is not None and capital is not None and capital != total:
        found.append(finding("capital_mismatch", ERROR,
                             f"大写金额 {capital} 与小写金额 {total} 不一致",
                             capital=str(capital), total=str(total)))
    parts = [fields.get(k) for k in ("fund_paid", "personal_account_paid", "self_paid", "self_funded")]
    if total is not None and all(p is not None for p in parts):
        split = sum((Decimal(p) for p in parts), Decimal("0"))
        if split != total:
            found.append(finding("split_mismatch", ERROR,
                                 f"统筹基金、个人账户、个人自付、个人自费之和 {split} 不等于合计 {total}",
                                 split=str(split), total=str(total)))
    items = fields.get("line_items") or []
    if total is not None and items:
        items_total = sum((Decimal(i["amount"]) for i in items), Decimal("0"))
        if items_total != total:
            found.append(finding("items_mismatch", ERROR,
                                 f"各项费用之和 {items_total} 不等于合计 {total}",
                                 items_total=str(items_total), total=str(total)))
    issued = fields.get("issue_date")
    if issued and date.fromisoformat(issued) > today:
        found.append(finding("future_date", ERROR, f"开票日期 {issued} 晚于今天", issued=issued))
    return found


def _daily_statement(fields: dict, today: date) -> list[dict]:
    found = []
    items = fields.get("items") or []
    for item in items:
        if all(item.get(k) for k in ("unit_price", "quantity", "amount")):
            expected = Decimal(item["unit_price"]) * Decimal(item["quantity"])
            if expected.quantize(Decimal("0.01")) != Decimal(item["amount"]):
                name = item.get("name", "项目")
                found.append(finding("item_amount_mismatch", ERROR,
                                     f"{name}：单价×数量 {expected:.2f} 不等于金额 {item['amount']}",
                                     name=name, expected=f"{expected:.2f}", amount=item["amount"]))
    total = _money(fields.get("daily_total"))
    if total is not None and items and all(i.get("amount") for i in items):
        items_total = sum((Decimal(i["amount"]) for i in items), Decimal("0"))
        if items_total != total:
            found.append(finding("daily_total_mismatch", ERROR,
                                 f"明细合计 {items_total} 不等于当日合计 {total}",
                                 items_total=str(items_total), total=str(total)))
    if not fields.get("signed_by"):
        found.append(finding("missing_signature", ERROR, "一日清单缺少患者或家属签字"))
    return found


def _referral(fields: dict, today: date) -> list[dict]:
    found = []
    id_number = fields.get("id_number")
    if id_number and not valid_id_number(id_number, today):
        found.append(finding("invalid_id_number", ERROR,
                             f"身份证号 {id_number} 校验不通过（校验位或出生日期错误）", id_number=id_number))
    admitted, referred = fields.get("admission_date"), fields.get("referral_date")
    if admitted and referred and referred > admitted:
        found.append(finding("referral_after_admission", ERROR,
                             f"转诊日期 {referred} 晚于入院日期 {admitted}",
                             referred=referred, admitted=admitted))
    return found


def valid_id_number(number: str, today: date) -> bool:
    """GB 11643: 18 characters, a correct check digit and a real birth date in the past.

    Not `ric.is_valid`: it also rejects district codes created after the birth date, and
    people registered in a new district carry exactly such numbers.
    """
    if len(number) != 18 or not number[:17].isdigit() or number[-1] not in "0123456789X":
        return False
    if ric.calc_check_digit(number) != number[-1]:
        return False
    try:
        born = ric.get_birth_date(number)
    except (ValueError, ValidationError):
        return False
    return born <= today


def _agreement(fields: dict, today: date) -> list[dict]:
    found = []
    credit_code = fields.get("credit_code")
    if credit_code and not uscc.is_valid(credit_code):
        found.append(finding("invalid_credit_code", ERROR,
                             f"统一社会信用代码 {credit_code} 校验不通过", credit_code=credit_code))
    start, end = fields.get("valid_from"), fields.get("valid_to")
    if start and end and start > end:
        found.append(finding("validity_reversed", ERROR, f"有效期起 {start} 晚于止 {end}",
                                     start=start, end=end))
    if end and date.fromisoformat(end) < today:
        found.append(finding("agreement_expired", WARNING, f"协议已于 {end} 到期", end=end))
    return found
