"""Duplicate invoices across cases on SQLite and PostgreSQL (the number is looked up inside the
documents' JSON fields, which each dialect reads its own way)."""

from __future__ import annotations

import random

from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import Case
from archive.workflows import findings_of
from tests import factories


def invoice(seed: int, pages: int = 1) -> bytes:
    return gen.invoice(random.Random(seed), patient="张伟", pages=pages).content


def case_with(rt, clerk, content: bytes) -> str:
    case_no = factories.make_case(rt, clerk, claim_type="outpatient")
    factories.upload(rt, clerk, case_no, content, kind="invoice")
    return case_no


def duplicates(rt, case_no: str) -> list:
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        found = findings_of(session, case)
        return [(f.other_case, f.severity) for f in found if f.code == "duplicate_invoice"]


def test_same_number_and_same_file_are_found_in_other_cases(rt, desk):
    clerk = desk["intake_clerk"]
    first = case_with(rt, clerk, invoice(3))
    reprint = case_with(rt, clerk, invoice(3, pages=2))  # other bytes, same code and number
    copy = case_with(rt, clerk, invoice(3))  # the very same file
    other = case_with(rt, clerk, invoice(4))
    assert sorted(duplicates(rt, reprint)) == [(first, "error"), (copy, "error")]
    assert sorted(duplicates(rt, copy)) == [(first, "error"), (reprint, "error")]
    assert duplicates(rt, other) == []
