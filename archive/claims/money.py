"""The claimed amount of a case, from its documents (申报金额以票据为准).

The amount claimed is the sum of the totals of the case's invoices as read (or as a person
corrected them), each invoice counted once: a second copy of the same file (same sha256) or a
second invoice with the same 票据代码 + 号码 in the case is a duplicate. The amount a clerk typed
when opening the case is only a fallback while no invoice has been read, and a typed amount
that differs from the invoices is an error the reviewer sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from archive.amounts import yuan_to_fen
from archive.signoff.steps import Label

INVOICE_KINDS = ("invoice", "vat_invoice")
STATEMENT_KIND = "daily_statement"
PROCESSED = "processed"
ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Claimed:
    """What the case's documents say was spent, and what was typed."""

    documented_fen: int | None  # None: no invoice with a total has been read yet
    typed_fen: int | None
    counted: tuple[int, ...]  # ids of the invoices added up
    duplicates: tuple[tuple[int, int], ...]  # (invoice left out, the one it repeats)
    self_funded_fen: int  # 个人自费 on the invoices counted
    class_b_fen: int  # 乙类 items on the daily statements
    hospital: str | None
    treated_on: date | None  # the latest invoice date

    @property
    def fen(self) -> int | None:
        """The amount the claim is judged on: documented, else typed."""
        return self.documented_fen if self.documented_fen is not None else self.typed_fen

    @property
    def source(self) -> str | None:
        if self.documented_fen is not None:
            return "documents"
        return "typed" if self.typed_fen is not None else None

    @property
    def yuan(self) -> Decimal | None:
        return None if self.fen is None else Decimal(self.fen).scaleb(-2)


def claimed_amount(case) -> Claimed:
    """The claimed amount of `case` from its invoices (read ones only), duplicates once."""
    documents = [d for d in case.documents if d.status == PROCESSED]
    counted, duplicates = [], []
    seen_sha: dict[str, int] = {}
    seen_number: dict[tuple[str, str], int] = {}
    total = self_funded = 0
    hospitals, dates = [], []
    for document in sorted((d for d in documents if d.kind in INVOICE_KINDS), key=lambda d: d.id):
        fields = document.fields or {}
        amount = fen_of(fields.get("total_amount"))
        if amount is None:
            continue
        sha = document.stored_object.sha256 if document.stored_object is not None else None
        number = _invoice_key(fields)
        first = seen_sha.get(sha) if sha else None
        if first is None and number is not None:
            first = seen_number.get(number)
        if first is not None:
            duplicates.append((document.id, first))
            continue
        if sha:
            seen_sha[sha] = document.id
        if number is not None:
            seen_number[number] = document.id
        counted.append(document.id)
        total += amount
        self_funded += fen_of(fields.get("self_funded")) or 0
        if fields.get("hospital"):
            hospitals.append(str(fields["hospital"]))
        if (issued := _date(fields.get("issue_date"))) is not None:
            dates.append(issued)
    class_b = _class_b(d for d in documents if d.kind == STATEMENT_KIND)
    return Claimed(documented_fen=total if counted else None, typed_fen=case.amount_fen,
                   counted=tuple(counted), duplicates=tuple(duplicates), self_funded_fen=self_funded,
                   class_b_fen=class_b, hospital=hospitals[0] if hospitals else None,
                   treated_on=max(dates) if dates else None)


def routing_amount(case) -> Decimal | None:
    """The amount a routing condition tests (`amount` in archive.signoff.conditions): the
    invoices' total once one is read, the typed amount until then."""
    return claimed_amount(case).yuan


def amount_findings(claimed: Claimed) -> list[dict[str, Any]]:
    """Findings about the claimed amount, {code, severity, message, message_en}."""
    found = []
    typed, documented = claimed.typed_fen, claimed.documented_fen
    if documented is not None and typed is not None and typed != documented:
        found.append(_finding(
            "claimed_amount_mismatch", ERROR,
            Label(f"录入的申报金额 {_yuan(typed)} 元与票据合计 {_yuan(documented)} 元不一致，"
                  "以票据合计为准", f"The amount typed ({_yuan(typed)}) differs from the invoices' "
                  f"total ({_yuan(documented)}); the invoices' total counts"),
            typed=_yuan(typed), documented=_yuan(documented)))
    elif documented is None and typed is not None:
        found.append(_finding(
            "claimed_amount_unverified", WARNING,
            Label(f"尚无已识别的票据：申报金额暂按录入的 {_yuan(typed)} 元计（分流与核算均按此）",
                  f"No invoice read yet: the typed amount {_yuan(typed)} is used for routing and "
                  "the computation until one is"), typed=_yuan(typed)))
    elif documented is None:
        found.append(_finding("claimed_amount_unknown", WARNING, Label(
            "尚无已识别的票据，也未录入申报金额", "No invoice read and no amount typed")))
    for left_out, first in claimed.duplicates:
        found.append(_finding(
            "duplicate_invoice_in_case", WARNING,
            Label(f"票据 #{left_out} 与本案票据 #{first} 重复，只计一次",
                  f"Invoice #{left_out} repeats invoice #{first} of this case; counted once"),
            left_out=left_out, first=first))
    return found


def fen_of(value) -> int | None:
    """An amount ("1234.50", "￥1,234.50") as fen; None if absent or not an amount."""
    return yuan_to_fen(value)


def _finding(code: str, severity: str, message: Label, **params) -> dict[str, Any]:
    return {"code": code, "severity": severity, "message": message.zh, "message_en": message.en,
            "params": params}


def _yuan(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):,.2f}"


def _invoice_key(fields: dict) -> tuple[str, str] | None:
    number = str(fields.get("invoice_number") or "").strip()
    if not number:
        return None
    return (str(fields.get("invoice_code") or "").strip(), number)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _class_b(statements) -> int:
    """The sum of 乙类 items over the daily statements, each file once."""
    total, seen = 0, set()
    for document in statements:
        sha = document.stored_object.sha256 if document.stored_object is not None else document.id
        if sha in seen:
            continue
        seen.add(sha)
        fields = document.fields or {}
        for day in fields.get("days") or [fields]:
            for item in (day or {}).get("items") or []:
                if isinstance(item, dict) and str(item.get("insurance_class") or "").strip() == "乙":
                    total += fen_of(item.get("amount")) or 0
    return total
