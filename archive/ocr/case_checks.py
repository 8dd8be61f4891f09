"""Checks across the documents of one case (a claim is judged as a whole).

- An inpatient claim must come with its daily statements (未提供清单的，不予受理).
- The daily statements' totals add up to the inpatient invoices' total.
- The patient is the same person on every document and on the case.
"""

from __future__ import annotations

from decimal import Decimal

from archive.ocr.checks import ERROR, WARNING, finding


def case_findings(case, documents) -> list[dict]:
    read = [d for d in documents if d.status == "processed"]
    invoices = [d for d in read if d.kind == "invoice"]
    statements = [d for d in read if d.kind == "daily_statement"]
    inpatient = [d for d in invoices if d.fields.get("visit_type") == "inpatient"]
    found = []
    if (inpatient or case.claim_type == "inpatient") and not statements:
        found.append(finding("missing_daily_statements", ERROR,
                             "住院报销未提供住院费用一日清单，不予受理"))
    invoice_total = sum((Decimal(d.fields["total_amount"]) for d in inpatient
                         if "total_amount" in d.fields), Decimal("0"))
    days = [day for d in statements for day in d.fields.get("days", [d.fields])]
    daily_total = sum((Decimal(day["daily_total"]) for day in days if "daily_total" in day), Decimal("0"))
    if inpatient and days and daily_total != invoice_total:
        found.append(finding("daily_totals_mismatch", WARNING,
                             f"一日清单合计 {daily_total} 与住院票据合计 {invoice_total} 不一致",
                             daily_total=str(daily_total), invoice_total=str(invoice_total)))
    names = {case.claimant_name} | {name for d in read for name in _patient_names(d)}
    names.discard(None)
    if len(names) > 1:
        found.append(finding("patient_name_mismatch", ERROR,
                             f"各材料中的患者姓名不一致：{'、'.join(sorted(names))}",
                             names="、".join(sorted(names))))
    return found


def _patient_names(document) -> list[str]:
    fields = document.fields
    names = [fields.get("payer_name"), fields.get("patient_name")]
    names += [day.get("patient_name") for day in fields.get("days", [])]
    return [n for n in names if n]
