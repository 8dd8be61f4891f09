"""Opening a case (案卷) for a claimant."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from archive.auth import require
from archive.intake.validate import Rejected
from archive.models import Case, NumberSequence
from archive.models.cases import CLAIM_TYPES
from archive.models.types import utcnow
from archive.records import audit


def next_number(session: Session, name: str) -> int:
    """The next value of a gap-free counter; concurrent callers serialise on its row."""
    if session.get(NumberSequence, name) is None:
        session.add(NumberSequence(name=name, last_value=0))
        session.flush()
    return session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    ).scalar_one()


def open_case(session: Session, *, actor, claimant_name: str, claim_type: str,
              claimant_id_number: str | None = None, insurance_number: str | None = None,
              township: str | None = None) -> Case:
    require(actor, "case.create")
    claimant_name = (claimant_name or "").strip()
    if not claimant_name:
        raise Rejected("the claimant's name is required", code="invalid_case", status=400)
    if claim_type not in CLAIM_TYPES:
        raise Rejected(f"unknown claim type {claim_type!r}; one of {', '.join(CLAIM_TYPES)}",
                       code="invalid_case", status=400)
    year = utcnow().year
    number = next_number(session, f"case-{year}")
    case = Case(
        case_no=f"AJ-{year}-{number:06d}",
        claimant_name=claimant_name[:64],
        claimant_id_number=(claimant_id_number or "").strip().upper() or None,
        insurance_number=(insurance_number or "").strip() or None,
        claim_type=claim_type,
        township=(township or "").strip() or None,
        created_by_id=actor.id,
    )
    session.add(case)
    session.flush()
    audit.record(session, "case.create", actor=actor, target=case,
                 details={"claim_type": claim_type})
    return case
