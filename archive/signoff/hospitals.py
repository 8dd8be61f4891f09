"""The hospital of a case is the one its documents name, not the one a clerk typed.

The hospital decides who outside the agency sees the case (a hospital clerk sees the cases of
their hospital: archive.access), who signs a provider's settlement, and the level the policy
computes at. A typed name could put a case before another hospital's clerk, or out of sight of
its own, so the hospital as read counts once a document names it:
- the first read invoice (by upload) that names its hospital (收款单位 / 销售方), else
- the first read daily statement (一日清单) that names one,
each as read or as a person corrected it. For a hospital clerk's scope, the hospitals of the
case's stays and visits as the claim keys hold them (archive.access.treated_at). The typed
hospital counts only while no document names one, and a typed hospital that differs from the one
read is an ERROR finding (`hospital_mismatch`, severity in storage_config/flags.toml) that
blocks the next sign-off until a reviewer resolves it, as a typed amount that differs from the
invoices is shown beside the computation (archive.claims.money).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from archive.models.cases import DocumentStatus

INVOICE_KINDS = ("invoice", "vat_invoice")
STATEMENT_KIND = "daily_statement"
MISMATCH = "hospital_mismatch"
LENGTH = 128  # claim_keys.hospital, cases.hospital


def clean(name) -> str | None:
    """A hospital's name as compared (and as the claim keys hold it)."""
    text = str(name).strip() if name is not None else ""
    return text[:LENGTH] or None


@lru_cache(maxsize=65536)  # pure: the statistics fold every hospital name of a period on each page
def name_form(name: str | None) -> str:
    """How two writings of one name compare: NFKC (全角 brackets and spaces to 半角), no
    whitespace, square brackets as round. "" for nothing. (archive.providers.matching adds a
    seal's words and OCR confusions on top, for names read against the register.)"""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    return text.translate(str.maketrans("[]【】", "()()"))


def read_hospitals(documents: Iterable) -> list[str]:
    """The hospitals the case's read documents name, invoices first (by upload), then daily
    statements; documents have id, kind, status and fields."""
    read = sorted((d for d in documents if d.status == DocumentStatus.PROCESSED), key=lambda d: d.id)
    names = []
    for document in (d for d in read if d.kind in INVOICE_KINDS):
        fields = document.fields or {}
        names.append(clean(fields.get("hospital") or fields.get("seller_name")))
    for document in (d for d in read if d.kind == STATEMENT_KIND):
        fields = document.fields or {}
        names += [clean(day.get("hospital")) for day in [fields, *(fields.get("days") or [])]
                  if isinstance(day, dict)]
    return list(dict.fromkeys(name for name in names if name))


def read_hospital(documents: Iterable) -> str | None:
    return next(iter(read_hospitals(documents)), None)


def hospital_of(case) -> str | None:
    """The hospital that counts: as read, else as typed."""
    return read_hospital(case.documents) or clean(case.hospital)


def hospital_findings(case, severity: str) -> list[dict]:
    """A typed hospital that none of the documents names (CaseFinding keywords)."""
    typed, read = clean(case.hospital), read_hospitals(case.documents)
    if typed is None or not read or name_form(typed) in {name_form(name) for name in read}:
        return []  # the same name written with other brackets or spaces is no mismatch
    return [{"id": MISMATCH, "code": MISMATCH, "severity": severity,
             "message": f"录入的就诊医院“{typed}”与票据/清单所载“{'、'.join(read)}”不一致，"
                        "以票据所载为准", "params": {"typed": typed, "read": "、".join(read)}}]
