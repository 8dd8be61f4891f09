"""What a signature covers: the case's fields and its documents, as canonical JSON and sha256."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.claims import money_content, routing_amount
from archive.models import Case, Document, FieldCorrection, FindingResolution, StoredObject
from archive.signoff.conditions import CASE_FIELDS

# The fields of a case a signature covers (everything a reviewer judges, nothing about state).
SIGNED_FIELDS = ("case_no", "claimant_name", "claimant_id_number", "insurance_number", "claim_type",
                 "township", "amount", "out_of_county", "designated_provider")
# Fields added later: covered once set, and absent from the content otherwise, so signatures
# made before the field existed still match the case.
SIGNED_WHEN_SET = ("village", "hospital", "filed_by")


def case_facts(case: Case) -> dict[str, Any]:
    """The fields conditions may test (archive.signoff.conditions.CASE_FIELDS)."""
    from archive.workflows.filers import filer_of

    facts = {name: getattr(case, name) for name in CASE_FIELDS}
    facts.update(_documented_amount(case))
    facts["filed_by"] = filer_of(facts)  # as recorded, else as the other facts decide it
    return facts


def _documented_amount(case: Case) -> dict[str, Any]:
    """Routing tests the amount the invoices add up to, not the one typed (the typed amount only
    while no invoice is read yet; the case's amount check says so)."""
    return {"amount": routing_amount(case)}


def case_content(session: Session, case: Case) -> dict[str, Any]:
    fields = {}
    for name in SIGNED_FIELDS:
        value = getattr(case, name)
        fields[name] = f"{value:.2f}" if name == "amount" and value is not None else value
    for name in SIGNED_WHEN_SET:
        if getattr(case, name) is not None:
            fields[name] = getattr(case, name)
    documents = sorted(session.scalars(
        select(StoredObject.sha256).join(Document, Document.object_id == StoredObject.id)
        .where(Document.case_id == case.id)))
    content = {"fields": fields, "documents": documents}
    # A person's correction of a field read from a document changes what a reviewer judged.
    # Covered once a case has one, absent otherwise, so earlier signatures still match.
    corrected = session.execute(
        select(StoredObject.sha256, FieldCorrection.field, FieldCorrection.value)
        .join(Document, Document.object_id == StoredObject.id)
        .join(FieldCorrection, FieldCorrection.document_id == Document.id)
        .where(Document.case_id == case.id).order_by(FieldCorrection.id)).all()
    if corrected:
        content["corrections"] = {f"{sha256}/{field}": value for sha256, field, value in corrected}
    # A reviewer's resolution of a blocking finding (archive.workflows.findings): who let what
    # through and why. Absent while a case has none, so earlier signatures still match.
    resolved = session.execute(
        select(FindingResolution.finding_id, FindingResolution.reason, FindingResolution.resolved_by_id)
        .where(FindingResolution.case_id == case.id).order_by(FindingResolution.id)).all()
    if resolved:
        content["resolutions"] = {finding: {"reason": reason, "by": by} for finding, reason, by in resolved}
    content.update(_money(session, case))
    return content


def _money(session: Session, case: Case) -> dict[str, Any]:
    """The claimed, computed and approved amounts (archive.claims): decisions sign them."""
    return money_content(session, case)


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_sha256(session: Session, case: Case) -> str:
    return hashlib.sha256(canonical_json(case_content(session, case)).encode()).hexdigest()
