"""Helpers for the claim-rule scenarios over the API: tokens, documents that state what a rule
needs (an inpatient invoice with its stay, signed or unsigned daily statements), 外报 claims."""

from __future__ import annotations

import io
import random
from datetime import date

from archive.demo import documents as gen
from tests import factories


def headers(runtime, user) -> dict:
    return {"Authorization": f"Bearer {factories.api_token(runtime, user)}"}


def inpatient_invoice(*, admitted: date | None = None, discharged: date | None = None,
                      hospital: str | None = "福州市第一医院") -> bytes:
    """An inpatient invoice of 张伟 that states the stay (入院日期 / 出院日期) when given, issued
    by `hospital` (None: the 收款单位 line is left out)."""
    stay = [f"入院日期：{d.year}年{d.month}月{d.day}日" for d in (admitted,) if d]
    stay += [f"出院日期：{d.year}年{d.month}月{d.day}日" for d in (discharged,) if d]
    payee = [f"交款人：张伟    收款单位：{hospital}" if hospital else "交款人：张伟"]
    lines = ["住院", "票据代码：35010126    票据号码：0081234567", *payee, *stay,
             "开票日期：2026年3月10日", "床位费    500.00", "合计（小写）：￥500.00",
             "合计（大写）：伍佰元整"]
    return gen._pdf([lines], "医疗收费票据")


def statement(*, days: int = 1, signed: bool = True, start: date = date(2026, 3, 5)) -> bytes:
    return gen.daily_statement(random.Random(days), patient="张伟", days=days, start=start,
                               signed=signed).content


def claim(client, clerk, files: list[tuple[bytes, str]], **fields) -> str:
    """An 外报 inpatient claim (a hospital that is not designated) with `files` [(bytes, kind)]."""
    body = {"claimant_name": "张伟", "claim_type": "inpatient", "amount": "500",
            "designated_provider": False, **fields}
    made = client.post("/api/cases", headers=clerk, json=body)
    assert made.status_code == 201, made.json
    case_no = made.json["case_no"]
    for number, (content, kind) in enumerate(files):
        sent = client.post(f"/api/cases/{case_no}/documents", headers=clerk, data={
            "kind": kind, "files": [(io.BytesIO(content), f"{kind}-{number}.pdf")]},
            content_type="multipart/form-data")
        assert sent.status_code == 201, sent.json
    return case_no


def submit(client, clerk, case_no: str):
    return client.post(f"/api/cases/{case_no}/submit", headers=clerk)
