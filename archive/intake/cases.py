"""Opening a case (案卷) for a claimant."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.amounts import yuan_to_fen
from archive.auth import require
from archive.errors import _
from archive.files.validate import Rejected
from archive.follow_ups import follow_up
from archive.models import Case
from archive.models.cases import CLAIM_TYPES, FILERS
from archive.models.sequences import next_in_sequence
from archive.models.types import utcnow
from archive.ocr.checks import valid_id_number
from archive.records.case_guard import ensure_changeable
from archive.workflows import content_changed

EDITABLE_FIELDS = ("claimant_name", "claimant_id_number", "insurance_number", "claim_type", "township",
                   "village", "amount", "out_of_county", "designated_provider", "hospital", "filed_by")


def open_case(session: Session, *, actor, claimant_name: str, claim_type: str,
              claimant_id_number: str | None = None, insurance_number: str | None = None,
              township: str | None = None, village: str | None = None, amount=None,
              out_of_county=False, designated_provider=True, hospital: str | None = None,
              filed_by: str | None = None) -> Case:
    """A new case in intake. `amount` is the claimed total in yuan ("12345.60"); `hospital` and
    the two flags say where the care was given, `filed_by` who files the claim ("insured" at the
    window, or the "provider" that settled at discharge): with the claim type they route the
    case to its sign-off chain (archive.workflows.filers)."""
    require(actor, "case.create")
    claimant_name = _claimant(claimant_name)
    _claim_type(claim_type)
    year = utcnow().year
    number = next_in_sequence(session, f"case-{year}")
    case = Case(
        case_no=f"AJ-{year}-{number:06d}",
        claimant_name=claimant_name[:64],
        claimant_id_number=_id_number(claimant_id_number),
        insurance_number=(insurance_number or "").strip() or None,
        claim_type=claim_type,
        township=(township or "").strip()[:64] or None,
        village=(village or "").strip()[:64] or None,
        amount_fen=_fen(amount),
        out_of_county=_flag(out_of_county, "out_of_county"),
        designated_provider=_flag(designated_provider, "designated_provider"),
        hospital=(hospital or "").strip()[:128] or None,
        filed_by=_filer(filed_by),
        created_by_id=actor.id,
    )
    session.add(case)
    session.flush()
    audit.record(session, "case.create", actor=actor, target=case,
                 details={"claim_type": claim_type})
    return case


def update_case(session: Session, case_no: str, *, actor, reason: str, **changes) -> Case:
    """Correct a case's fields. After sign-off this sends its chain back to the first step
    whose signature no longer matches (archive.workflows.content_changed), with `reason`."""
    require(actor, "case.edit")
    case = get_case(session, actor, case_no)
    ensure_changeable(session, case, action="case.update")  # held, filed or closed: refused
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Rejected(_("these fields cannot be edited: %(fields)s"),
                       code="invalid_case", status=400, fields=", ".join(sorted(unknown)))
    reason = (reason or "").strip()
    if not reason:
        raise Rejected(_("say why the case is changed"), code="invalid_case", status=400)
    before = {name: _shown(getattr(case, name)) for name in changes}
    for name, value in changes.items():
        if name == "claimant_name":
            case.claimant_name = _claimant(value)
        elif name == "claim_type":
            case.claim_type = _claim_type(value)
        elif name == "amount":
            case.amount_fen = _fen(value)
        elif name == "claimant_id_number":
            case.claimant_id_number = _id_number(value)
        elif name == "filed_by":
            case.filed_by = _filer(value)
        elif name == "hospital":
            case.hospital = (value or "").strip()[:128] or None
        elif name in ("out_of_county", "designated_provider"):
            setattr(case, name, _flag(value, name))
        else:
            setattr(case, name, (value or "").strip() or None)
    session.flush()
    content_changed(session, case, actor=actor, reason=reason)
    after = {name: _shown(getattr(case, name)) for name in changes}
    audit.record(session, "case.update", actor=actor, target=case, details={
        "reason": reason, "before": before, "after": after})
    follow_up(session, "sync_index")
    return case


def _claimant(value) -> str:
    name = (value or "").strip()
    if not name:
        raise Rejected(_("the claimant's name is required"), code="invalid_case", status=400)
    return name[:64]


def _id_number(value) -> str | None:
    """An ID number (居民身份证号) typed at the window: checked now, not found wrong at review."""
    number = (value or "").strip().upper().replace(" ", "")
    if not number:
        return None
    if not valid_id_number(number, utcnow().date()):
        raise Rejected(_("the ID number %(number)s is not valid (GB 11643: 18 characters, check "
                         "digit, birth date)"), code="invalid_id_number", status=400, number=number)
    return number


def _claim_type(value) -> str:
    if value not in CLAIM_TYPES:
        raise Rejected(_("unknown claim type %(value)s; one of %(known)s"), code="invalid_case",
                       status=400, value=repr(value), known=", ".join(CLAIM_TYPES))
    return value


def _filer(value) -> str | None:
    text = str(value or "").strip().lower()
    if not text:
        return None  # derived from the other facts where they decide it, else asked for
    if text not in FILERS:
        raise Rejected(_("filed_by must be one of %(known)s, not %(value)s"), code="invalid_case",
                       status=400, known=", ".join(FILERS), value=repr(value))
    return text


def _fen(value) -> int | None:
    """Yuan ("12345.6", 12345.60, Decimal) → whole fen; empty → None."""
    if value is None or str(value).strip() == "":
        return None
    fen = yuan_to_fen(value)
    if fen is None:
        raise Rejected(_("the amount %(value)s is not a sum in yuan with at most two decimals"),
                       code="invalid_case", status=400, value=repr(value))
    return fen


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "y"}:
        return True
    if text in {"0", "false", "no", "off", "n", ""}:
        return False
    raise Rejected(_("%(name)s must be true or false, not %(value)s"), code="invalid_case", status=400,
                   name=name, value=repr(value))


def _shown(value):
    return str(value) if isinstance(value, Decimal) else value
