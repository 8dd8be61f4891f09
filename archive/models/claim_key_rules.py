"""The keys a claim is matched on against every other claim, kept in the table `claim_keys`.

The flags that compare a case with all others (the same invoice, overlapping stays, re-admission,
claim frequency, the provider's agreement) must answer within a decision's time over hundreds of
thousands of cases, so they look up indexed columns, never the documents' JSON fields. The keys
are derived from the fields as read and as corrected, and rebuilt for a whole case after every
flush that changes one of its documents (fields, status, kind) or the claimant's identity: the
rule is in one place, whichever path (reading, correction, re-reading, a move) changed them.

Per case:
- `invoice_no`: each read invoice's 票据号码/发票号码 (value), with its 票据代码 (extra);
- `qr`: each QR payload on an invoice, as the sha256 of its text (a payload can be long);
- `stay`: an inpatient invoice's 入院/出院 dates and hospital, for the claimant; without an invoice
  that states them, the days of the case's daily statements (the night after the last one);
- `visit`: the case's first treatment date (admission, else the invoice date), for the claimant;
- `agreement`: a provider agreement's party B and its validity (from, to).
A stay's or visit's `value` is the seller's tax id (统一社会信用代码) when the invoice states one;
an agreement's `value` is party B's credit code and `extra` its 医保 code: the register matches a
provider by them before any name (archive/providers/matching.py).
The claimant is the case's ID number, else its insurance number (`医保号:` before it); a stay or
visit of nobody known is kept (the agreement check needs its days) but matches no other person's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from archive.models import Case, ClaimKey, Document
from archive.models.cases import DocumentStatus

INVOICE_KINDS = ("invoice", "vat_invoice")
DOCUMENT_FIELDS = ("fields", "status", "kind", "case_id")
CASE_FIELDS = ("claimant_id_number", "insurance_number")


def person_of(id_number: str | None, insurance_number: str | None) -> str | None:
    if id_number and id_number.strip():
        return id_number.strip().upper()[:64]
    if insurance_number and insurance_number.strip():
        return f"医保号:{insurance_number.strip()}"[:64]
    return None


def qr_key(payload: str) -> str:
    return hashlib.sha256(payload.strip().encode("utf-8")).hexdigest()


def case_keys(case_id: int, person: str | None, documents: Iterable) -> list[dict]:
    """The key rows of one case; `documents` have id, kind, status and fields."""
    rows: list[dict] = []
    stays, treated, statement_days = [], [], []
    for document in documents:
        fields = document.fields or {}
        if document.status != DocumentStatus.PROCESSED:
            continue
        row = {"case_id": case_id, "document_id": document.id, "value": None, "extra": None,
               "person": person, "hospital": None, "admitted": None, "discharged": None}
        if document.kind in INVOICE_KINDS:
            if fields.get("invoice_number"):
                rows.append({**row, "kind": "invoice_no", "value": str(fields["invoice_number"])[:64],
                             "extra": _text(fields.get("invoice_code"), 64)})
            for payload in dict.fromkeys(str(p).strip() for p in fields.get("qr_codes") or []):
                if payload:
                    rows.append({**row, "kind": "qr", "value": qr_key(payload)})
            hospital = _text(fields.get("hospital") or fields.get("seller_name"), 128)
            code = _text(fields.get("seller_tax_id"), 64)
            admitted, discharged = _date(fields.get("admission_date")), _date(fields.get("discharge_date"))
            if admitted and discharged and discharged >= admitted:
                stays.append({**row, "kind": "stay", "value": code, "hospital": hospital,
                              "admitted": admitted, "discharged": discharged})
            if day := admitted or _date(fields.get("issue_date")):
                treated.append((day, hospital, document.id, code))
        elif document.kind == "daily_statement":
            for day in fields.get("days") or [fields]:
                if on := _date(day.get("statement_date")):
                    statement_days.append((on, _text(day.get("hospital"), 128), document.id))
        elif document.kind == "agreement":
            hospital = _text(fields.get("party_b") or fields.get("provider_name"), 128)
            valid_from, valid_to = _date(fields.get("valid_from")), _date(fields.get("valid_to"))
            if hospital and valid_from and valid_to:
                rows.append({**row, "kind": "agreement", "person": None, "hospital": hospital,
                             "value": _text(fields.get("credit_code"), 64),
                             "extra": _text(fields.get("provider_code"), 64),
                             "admitted": valid_from, "discharged": valid_to})
    if not stays and statement_days:
        first, last = min(statement_days), max(statement_days)
        stays.append({"case_id": case_id, "document_id": first[2], "kind": "stay", "value": None,
                      "extra": None, "person": person, "hospital": first[1], "admitted": first[0],
                      "discharged": last[0] + timedelta(days=1)})
    # Kept without a person too: the provider's agreement is checked on the days of treatment.
    rows += stays
    if treated:
        day, hospital, document_id, code = min(treated, key=lambda t: t[0])
        rows.append({"case_id": case_id, "document_id": document_id, "kind": "visit", "value": code,
                     "extra": None, "person": person, "hospital": hospital, "admitted": day,
                     "discharged": None})
    return rows


def refresh(connection: Connection, case_ids: Iterable[int]) -> int:
    """Rebuild the keys of these cases from their documents as they now are; rows written."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    connection.execute(delete(ClaimKey.__table__).where(ClaimKey.case_id.in_(ids)))
    people = {row.id: person_of(row.claimant_id_number, row.insurance_number) for row in connection.execute(
        select(Case.id, Case.claimant_id_number, Case.insurance_number).where(Case.id.in_(ids)))}
    documents: dict[int, list] = {}
    for row in connection.execute(select(Document.id, Document.case_id, Document.kind, Document.status,
                                         Document.fields).where(Document.case_id.in_(ids))
                                  .order_by(Document.id)):
        documents.setdefault(row.case_id, []).append(row)
    rows = [key for case_id in people for key in case_keys(case_id, people[case_id],
                                                            documents.get(case_id, []))]
    if rows:
        connection.execute(insert(ClaimKey.__table__), rows)
    return len(rows)


def refresh_changed(session: Session) -> None:
    """After a flush: rebuild the keys of each case whose documents or claimant changed."""
    changed: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Document) and _keys_may_change(session, obj):
            changed |= {obj.case_id, *inspect(obj).attrs.case_id.history.deleted}
        elif isinstance(obj, Case) and obj not in session.deleted and obj not in session.new:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in CASE_FIELDS):
                changed.add(obj.id)
    changed.discard(None)
    if changed:
        refresh(session.connection(), changed)


def _keys_may_change(session: Session, document: Document) -> bool:
    """Only a read document has keys: an upload (status received) or a job taking one up changes
    none, and intake of thousands of files into one case must not rebuild its keys each flush."""
    if document in session.deleted:
        return True
    status = inspect(document).attrs.status.history
    read = DocumentStatus.PROCESSED in (document.status, *status.deleted)  # read now, or was
    if document in session.new:
        return read
    return read and any(inspect(document).attrs[name].history.has_changes() for name in DOCUMENT_FIELDS)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value, length: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:length] or None
