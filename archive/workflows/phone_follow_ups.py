"""Phone follow-up (回访, seed 003): each month 2 % (ceil) of the paid inpatients are called back.

The draw is spot_draws.py's (purpose "phone_follow_up": same committed seed, exact quota,
recomputable); this module lists a month's drawn cases and records each call's outcome
(append-only: a later call supersedes, never erases; each an audit event). One service for
the page (/follow-ups), the API and `archive follow-up`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require
from archive.models import Case
from archive.models.spot_checks import PhoneFollowUp
from archive.signoff.errors import BadRequest, Conflict, Incomplete, _
from archive.signoff.months import parse_month
from archive.workflows import spot_draws

CALL_OUTCOMES = ("confirmed", "not_reached", "discrepancy")  # 情况属实 / 未联系上 / 情况不符


@dataclass(frozen=True)
class CallItem:
    case_no: str
    claimant_name: str
    township: str | None
    village: str | None
    call: PhoneFollowUp | None  # the latest recorded call


@dataclass(frozen=True)
class FollowUpList:
    month: str
    closed: bool  # drawn (after the month closed); while open nothing is drawn yet
    eligible: int
    quota: int
    share: str
    seed_sha256: str | None
    items: list[CallItem]


def follow_up_list(session: Session, user, month: str | None = None) -> FollowUpList:
    """The month's paid inpatients drawn for a call, with what each call found (the caller commits:
    a closed month is drawn at first need)."""
    require(user, "spot_check.view")
    month = parse_month(month)
    spot_draws.ensure_commitments(session)
    draw = spot_draws.draw_month(session, month).get(spot_draws.PHONE)
    commitment = spot_draws.commitment_of(session, month)
    share = str(spot_draws.phone_rule().share)
    if draw is None:
        eligible = len(spot_draws.eligible_cases(session, month)[spot_draws.PHONE])
        return FollowUpList(month, False, eligible, spot_draws.quota(share, eligible), share,
                            commitment.seed_sha256 if commitment else None, [])
    calls = latest_calls(session, month)
    rows = session.execute(
        select(Case.case_no, Case.claimant_name, Case.township, Case.village)
        .where(Case.case_no.in_(draw.drawn), Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
        .order_by(Case.case_no)).all()
    items = [CallItem(r.case_no, r.claimant_name, r.township, r.village, calls.get(r.case_no)) for r in rows]
    return FollowUpList(month, True, len(draw.eligible), draw.quota, draw.share,
                        commitment.seed_sha256 if commitment else None, items)


def latest_calls(session: Session, month: str) -> dict[str, PhoneFollowUp]:
    latest: dict[str, PhoneFollowUp] = {}
    for case_no, call in session.execute(
            select(Case.case_no, PhoneFollowUp).join(Case, Case.id == PhoneFollowUp.case_id)
            .where(PhoneFollowUp.month == month).order_by(PhoneFollowUp.id)):
        latest[case_no] = call
    return latest


def record_call(session: Session, user, case_no: str, *, month: str, outcome: str,
                note: str | None = None) -> PhoneFollowUp:
    """Record a follow-up call of a case drawn in `month`."""
    require(user, "spot_check.record")
    month = parse_month(month)
    if outcome not in CALL_OUTCOMES:
        raise BadRequest(_("The call outcome must be confirmed, not_reached or discrepancy, not "
                           "%(outcome)s."), outcome=str(outcome)[:20])
    note = (note or "").strip()[:2000] or None
    if outcome == "discrepancy" and note is None:
        raise Incomplete(_("Say what the call found that does not match the claim."))
    case = get_case(session, user, case_no)
    draw = spot_draws.draw_month(session, month).get(spot_draws.PHONE)
    if draw is None or case.case_no not in draw.drawn:
        raise Conflict(_("Case %(case_no)s was not drawn for a phone follow-up in %(month)s."),
                       case_no=case.case_no, month=month)
    call = PhoneFollowUp(case_id=case.id, month=month, outcome=outcome, note=note, called_by_id=user.id,
                         called_by_name=getattr(user, "display_name", None) or user.username)
    session.add(call)
    session.flush()
    audit.record(session, "phone_follow_up.recorded", actor=user, target=case, details={
        "month": month, "outcome": outcome, "note": note, "call": call.id})
    return call
