"""A reviewer's adjustment of the approved amount (核定金额): a change to what the signatures
cover, so it lives with the sign-off and reopens the chain like any other change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.claims.money import fen_of
from archive.claims.policy import yuan_text
from archive.claims.service import CaseMoney, case_money
from archive.errors import n_
from archive.models import AmountAdjustment, WorkflowInstance, WorkflowStatus
from archive.records.case_guard import ensure_changeable
from archive.signoff.definitions import registry
from archive.signoff.errors import Conflict, Incomplete, _
from archive.workflows.changes import content_changed

MAX_REASON = 500


def adjust_approved(session: Session, case_no: str, *, actor, amount, reason: str | None) -> CaseMoney:
    """A reviewer sets the approved amount (核定金额) other than computed, with the reason; an
    empty amount returns to the computed one. Only while the case waits for the reviewer's own
    signature, which then covers the adjustment (signatures made before it no longer match, so
    the chain goes back to the first of them, as after any change)."""
    require(actor, "claim.adjust")
    case = get_case(session, actor, case_no)
    ensure_changeable(session, case, action="claim.adjust")
    reason = (reason or "").strip()
    if not reason:
        raise Incomplete(_("Give the reason for adjusting the approved amount."), concerns="reason")
    if len(reason) > MAX_REASON:
        raise Incomplete(n_("The reason is longer than %(limit)s character.",
                            "The reason is longer than %(limit)s characters.", "limit"),
                         limit=MAX_REASON, concerns="reason")
    waiting = session.scalar(select(WorkflowInstance).where(
        WorkflowInstance.case_id == case.id, WorkflowInstance.status == WorkflowStatus.ACTIVE))
    if (waiting is None or waiting.current_role != actor.role
            or registry().get(waiting.definition).done_status == "paid"):
        raise Conflict(_("The approved amount of case %(case_no)s can be adjusted only while the case "
                         "waits for your signature at a review step."), case_no=case.case_no)
    money = case_money(session, case)
    if money.computation is None:
        raise Incomplete(_("There is no computed amount to adjust yet."))
    fen = None
    if amount is not None and str(amount).strip() != "":
        fen = fen_of(amount)
        if fen is None:
            raise Incomplete(_("The approved amount must be in yuan with at most two decimals, e.g. "
                               "1234.50."), concerns="amount")
        if money.claimed.fen is not None and fen > money.claimed.fen:
            raise Incomplete(_("The approved amount (%(amount)s yuan) cannot exceed the amount claimed "
                               "(%(claimed)s yuan)."), amount=yuan_text(fen),
                             claimed=yuan_text(money.claimed.fen), concerns="amount")
    row = AmountAdjustment(case_id=case.id, approved_fen=fen, computed_fen=money.computation.approved_fen,
                           reason=reason, adjusted_by_id=actor.id,
                           adjusted_by_name=actor.display_name or actor.username)
    session.add(row)
    session.flush()
    content_changed(session, case, actor=actor, reason=reason)
    audit.record(session, "claim.adjusted", actor=actor, target=case, details={
        "computed": yuan_text(money.computation.approved_fen), "approved": yuan_text(fen),
        "reason": reason})
    return case_money(session, case)
