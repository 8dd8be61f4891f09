"""The same invoice in another case (重复报销): an ERROR finding on each case that holds it.

An invoice is the same when
- the file is the same (same content sha256: intake stores identical bytes once, so the
  documents share their stored object), whatever kind it was filed under;
- or, read from two documents, the same 票据代码 + 票据号码 (invoice_code + invoice_number);
- or the same 发票号码 when either has no code (数电票 carry a 20-digit number and no code);
- or the same QR payload (a medical e-bill's verification code, a VAT invoice's QR), whatever
  was read or not read from the printed page.
The numbers and QR payloads are looked up in the indexed claim keys (archive/models/claim_key_rules.py).
Each match names the other case, so a reviewer can open it and say why both may stand.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Case, ClaimKey, Document
from archive.models.cases import DocumentStatus
from archive.models.claim_key_rules import INVOICE_KINDS, qr_key
from archive.ocr.checks import ERROR


def duplicate_findings(session: Session, case: Case) -> list[dict]:
    """The duplicate-invoice findings of `case`, as CaseFinding keyword arguments."""
    mine = list(case.documents)
    if not mine:
        return []
    found: dict[tuple[int, int], dict] = {}
    by_object = {d.object_id: d for d in mine}
    for other_id, object_id, other_case in session.execute(
            select(Document.id, Document.object_id, Case.case_no)
            .join(Case, Case.id == Document.case_id)
            .where(Document.object_id.in_(list(by_object)), Document.case_id != case.id)
            .order_by(Document.id)):
        document = by_object[object_id]
        found[(document.id, other_id)] = _finding(document, other_id, other_case,
                                                  f"与案卷 {other_case} 中的文件完全相同（内容哈希一致）",
                                                  "file")
    numbered = {d.id: _numbers(d) for d in mine if _numbers(d) is not None}
    wanted = {number for _code, number in numbered.values()}
    if wanted:
        # The numbers are looked up in the indexed claim keys (archive/models/claim_key_rules.py),
        # never in the documents' JSON fields: a decision must not scan every document.
        rows = session.execute(
            select(ClaimKey.document_id, ClaimKey.value, ClaimKey.extra, Case.case_no)
            .join(Case, Case.id == ClaimKey.case_id)
            .where(ClaimKey.kind == "invoice_no", ClaimKey.value.in_(sorted(wanted)),
                   ClaimKey.case_id != case.id)
            .order_by(ClaimKey.document_id))
        for other_id, other_number, other_code, other_case in rows:
            for document in mine:
                if document.id not in numbered or (document.id, other_id) in found:
                    continue
                code, number = numbered[document.id]
                if number != other_number:
                    continue
                if code and other_code:
                    if code != other_code:
                        continue
                    why = f"与案卷 {other_case} 中的票据代码 {code}、票据号码 {number} 相同"
                    what = "invoice_code_and_number"
                else:
                    why = f"与案卷 {other_case} 中的发票号码 {number} 相同"
                    what = "invoice_number"
                found[(document.id, other_id)] = _finding(document, other_id, other_case, why, what)
    qr = {qr_key(str(payload)): d for d in mine if d.status == DocumentStatus.PROCESSED
          and d.kind in INVOICE_KINDS for payload in (d.fields or {}).get("qr_codes") or []
          if str(payload).strip()}
    if qr:
        rows = session.execute(
            select(ClaimKey.document_id, ClaimKey.value, Case.case_no)
            .join(Case, Case.id == ClaimKey.case_id)
            .where(ClaimKey.kind == "qr", ClaimKey.value.in_(sorted(qr)), ClaimKey.case_id != case.id)
            .order_by(ClaimKey.document_id))
        for other_id, value, other_case in rows:
            document = qr[value]
            if (document.id, other_id) not in found:
                found[(document.id, other_id)] = _finding(
                    document, other_id, other_case, f"与案卷 {other_case} 中票据的二维码内容相同", "qr_code")
    return list(found.values())


def _numbers(document: Document) -> tuple[str | None, str] | None:
    """(code, number) of an invoice as read, or None."""
    if document.status != DocumentStatus.PROCESSED or document.kind not in INVOICE_KINDS:
        return None
    number = (document.fields or {}).get("invoice_number")
    return ((document.fields or {}).get("invoice_code"), str(number)) if number else None


def _finding(document: Document, other_id: int, other_case: str, why: str, what: str) -> dict:
    return {"id": f"duplicate_invoice:{document.id}:{other_id}", "code": "duplicate_invoice",
            "severity": ERROR, "document_id": document.id, "other_case": other_case,
            "message": f"重复票据：{document.filename} {why}，可能重复报销；核实后说明理由方可继续",
            "params": {"filename": document.filename, "what": what, "other_case": other_case}}
