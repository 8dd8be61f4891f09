"""Random spot checks (抽查, seed 003): a share of the cases approved in a month is re-checked.

Each month exactly ceil(share × n) of the n cases of a group ([[spot_check]] in
storage_config/workflow.toml: 15 % of on-site settlements, 25 % of sporadic claims) are drawn,
after the month has closed, with a seed committed before it began: archive/workflows/spot_draws.py
has the procedure and its verification. A discrepancy found by the re-check opens a follow-up: the
recovery (追回) of the overpaid amount when the re-check gives one, otherwise an audit case
(稽核, claim type "audit").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require, system_user
from archive.intake.cases import open_case
from archive.models import Case, RecheckOutcome, SignOff, WorkflowInstance, WorkflowStatus
from archive.models.spot_checks import SpotCheckCommitment, SpotCheckFollowUp
from archive.signoff.definitions import registry
from archive.signoff.errors import BadRequest, Conflict, Incomplete, NoChain, NotAllowed, _
from archive.signoff.months import month_bounds, month_of, parse_month
from archive.signoff.rules import SpotCheckGroup
from archive.signoff.steps import Label
from archive.workflows import spot_draws


@dataclass(frozen=True)
class Draw:
    case_no: str
    month: str
    group: SpotCheckGroup
    sha256: str  # of the month's seed, committed before the month began
    seed: str | None  # revealed once the month has closed and been drawn
    rank: str | None  # HMAC-SHA256(seed, "YYYY-MM|GROUP|CASE_NO"), hex; the smallest are drawn
    drawn: bool
    approved_month: str  # when the case's chain was approved; the draw counts for that month
    eligible: int | None = None
    quota: int | None = None

    @property
    def label(self) -> Label:
        return Label(self.group.zh, self.group.en)


OUTCOMES = ("confirmed", "discrepancy")  # the re-check agrees with the sign-off, or it does not


@dataclass(frozen=True)
class DrawnCase:
    case_no: str
    claimant_name: str
    claim_type: str
    township: str | None
    village: str | None
    amount: Decimal | None
    chain: Label
    approved_at: datetime
    draw: Draw
    outcome: RecheckOutcome | None = None  # the current finding; None while not re-checked


@dataclass(frozen=True)
class GroupCount:
    group: SpotCheckGroup
    approved: int  # eligible: approved in the month (so far, while it is open)
    drawn: int
    quota: int  # ceil(share × approved)

    @property
    def label(self) -> Label:
        return Label(self.group.zh, self.group.en)


@dataclass(frozen=True)
class RecheckQueue:
    month: str
    groups: list[GroupCount]
    items: list[DrawnCase]
    commitment: SpotCheckCommitment | None = None  # its sha256 is shown; its seed once revealed
    closed: bool = False  # the month has closed and been drawn
    follow_ups: dict[str, list[dict]] = field(default_factory=dict)  # by case number


def _group_of(chain: str) -> SpotCheckGroup | None:
    return next((g for g in registry().spot_checks if chain in g.chains), None)


def _group_named(name: str) -> SpotCheckGroup | None:
    return next((g for g in registry().spot_checks if g.name == name), None)


def recheck_queue(session: Session, user, month: str | None = None) -> RecheckQueue:
    """The cases drawn for re-checking among those approved in `month`, by group. Commits the
    seeds of this month and the next if not yet done, and draws a closed month at first need:
    the caller commits."""
    require(user, "spot_check.view")
    month = parse_month(month)
    spot_draws.ensure_commitments(session)
    draws = spot_draws.draw_month(session, month)
    commitment = spot_draws.commitment_of(session, month)
    if not draws:  # still open: what is eligible so far, nothing drawn
        eligible = spot_draws.eligible_cases(session, month)
        groups = [GroupCount(g, len(eligible[g.name]), 0, spot_draws.quota(g.share, len(eligible[g.name])))
                  for g in registry().spot_checks]
        return RecheckQueue(month, groups, [], commitment, False)
    groups = [GroupCount(g, len(draws[g.name].eligible), len(draws[g.name].drawn), draws[g.name].quota)
              for g in registry().spot_checks if g.name in draws]
    drawn = {case_no: name for name, draw in draws.items() if _group_named(name) for case_no in draw.drawn}
    start, end = month_bounds(month)
    rows = session.execute(
        select(Case.case_no, Case.claimant_name, Case.claim_type, Case.township, Case.village,
               Case.amount_fen, WorkflowInstance.definition, WorkflowInstance.finished_at)
        .join(Case, Case.id == WorkflowInstance.case_id)
        .where(WorkflowInstance.status == WorkflowStatus.APPROVED, Case.case_no.in_(drawn),
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end,
               Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
        .order_by(Case.case_no, WorkflowInstance.id)).all()
    outcomes = current_outcomes(session, month)
    items, seen = [], set()
    for row in rows:
        group = _group_named(drawn[row.case_no])
        if row.case_no in seen or row.definition not in group.chains:
            continue
        seen.add(row.case_no)
        items.append(DrawnCase(
            row.case_no, row.claimant_name, row.claim_type, row.township, row.village,
            None if row.amount_fen is None else Decimal(row.amount_fen).scaleb(-2),
            registry().get(row.definition).label, row.finished_at,
            _draw(row.case_no, month, group, month, commitment, draws[group.name]),
            outcomes.get(row.case_no)))
    follow_ups = {item.case_no: follow_ups_of(session, item.case_no)
                  for item in items if item.outcome is not None and item.outcome.outcome == "discrepancy"}
    return RecheckQueue(month, groups, items, commitment, True, follow_ups)


def _draw(case_no, month, group, approved_month, commitment, stored) -> Draw:
    revealed = commitment is not None and commitment.revealed_at is not None
    return Draw(case_no, month, group, commitment.seed_sha256 if commitment else "",
                commitment.seed if revealed else None,
                spot_draws.rank(commitment.seed, month, group.name, case_no) if revealed else None,
                stored is not None and case_no in stored.drawn, approved_month,
                len(stored.eligible) if stored else None, stored.quota if stored else None)


def derive_draw(session: Session, user, case_no: str, month: str | None = None) -> Draw:
    """The draw for one case, with its rank once the seed is revealed: in the month its chain
    was approved, or in `month`. Draws a closed month at first need (the caller commits)."""
    require(user, "spot_check.view")
    return _draw_of(session, get_case(session, user, case_no), month)


def _draw_of(session: Session, case: Case, month: str | None = None) -> Draw:
    approved = session.execute(
        select(WorkflowInstance.definition, WorkflowInstance.finished_at)
        .where(WorkflowInstance.case_id == case.id, WorkflowInstance.status == WorkflowStatus.APPROVED)
        .order_by(WorkflowInstance.id)).all()
    found = next(((chain, at) for chain, at in approved if _group_of(chain) is not None), None)
    if found is None:
        raise NoChain(_("Case %(case_no)s has no approved sign-off chain that spot checks cover."),
                      case_no=case.case_no)
    chain, finished_at = found
    approved_month = month_of(finished_at)
    month = parse_month(month) if month else approved_month
    group = _group_of(chain)
    stored = spot_draws.draw_month(session, month).get(group.name)
    return _draw(case.case_no, month, group, approved_month, spot_draws.commitment_of(session, month),
                 stored)


def current_outcomes(session: Session, month: str) -> dict[str, RecheckOutcome]:
    """The latest finding per case re-checked for `month`, by case number."""
    latest: dict[str, RecheckOutcome] = {}
    for case_no, outcome in session.execute(
            select(Case.case_no, RecheckOutcome).join(Case, Case.id == RecheckOutcome.case_id)
            .where(RecheckOutcome.month == month).order_by(RecheckOutcome.id)):
        latest[case_no] = outcome
    return latest


def record_outcome(session: Session, user, case_no: str, *, outcome: str, note: str | None = None,
                   difference: str | Decimal | None = None) -> RecheckOutcome:
    """Record what the re-check of a drawn case found; a new finding supersedes, never erases.

    Only a case drawn in the month its chain was approved can be re-checked, and not by anyone
    who signed it: a re-check by the same hand checks nothing. A discrepancy opens its
    follow-up (open_follow_up).
    """
    require(user, "spot_check.record")
    if outcome not in OUTCOMES:
        raise BadRequest(_("The re-check outcome must be confirmed or discrepancy, not %(outcome)s."),
                         outcome=str(outcome)[:20])
    note = (note or "").strip() or None
    difference_fen = _fen(difference)
    if outcome == "discrepancy" and note is None:
        raise Incomplete(_("Say what the re-check found wrong."))
    case = get_case(session, user, case_no)
    draw = _draw_of(session, case)
    if not draw.drawn:
        raise Conflict(_("Case %(case_no)s was not drawn for re-checking in %(month)s."),
                       case_no=draw.case_no, month=draw.month)
    signed = session.scalar(select(SignOff.id).where(SignOff.case_id == case.id,
                                                     SignOff.signer_id == user.id).limit(1))
    if signed is not None:
        raise NotAllowed(_("You signed case %(case_no)s; someone who did not must re-check it."),
                         case_no=case.case_no)
    finding = RecheckOutcome(case_id=case.id, month=draw.month, outcome=outcome, note=note,
                             difference_fen=difference_fen, checked_by_id=user.id,
                             checked_by_name=getattr(user, "display_name", None) or user.username)
    session.add(finding)
    session.flush()
    follow_up = open_follow_up(session, case, finding) if outcome == "discrepancy" else None
    audit.record(session, "spot_check.recorded", actor=user, target=case, details={
        "month": draw.month, "outcome": outcome, "note": note, "difference_fen": difference_fen,
        "finding": finding.id, "follow_up": follow_up and _follow_up_facts(session, follow_up)})
    return finding


def open_follow_up(session: Session, case: Case, finding: RecheckOutcome) -> SpotCheckFollowUp:
    """Recovery of the overpaid amount (追回) when the re-check gives one; otherwise an audit
    case (稽核) opened in intake, for the audit section to prepare."""
    if finding.difference_fen is not None and finding.difference_fen > 0:
        follow_up = SpotCheckFollowUp(case_id=case.id, recheck_id=finding.id, kind="recovery",
                                      amount_fen=finding.difference_fen)
    else:
        audit_case = open_case(session, actor=system_user(session), claimant_name=case.claimant_name,
                               claim_type="audit", township=case.township, village=case.village,
                               amount=None if case.amount_fen is None
                               else str(Decimal(case.amount_fen).scaleb(-2)))
        follow_up = SpotCheckFollowUp(case_id=case.id, recheck_id=finding.id, kind="audit",
                                      audit_case_id=audit_case.id)
    session.add(follow_up)
    session.flush()
    return follow_up


def follow_ups_of(session: Session, case_no: str) -> list[dict]:
    rows = session.scalars(select(SpotCheckFollowUp).join(Case, Case.id == SpotCheckFollowUp.case_id)
                           .where(Case.case_no == case_no).order_by(SpotCheckFollowUp.id))
    return [_follow_up_facts(session, row) for row in rows]


def _follow_up_facts(session: Session, follow_up: SpotCheckFollowUp) -> dict:
    audit_case = session.get(Case, follow_up.audit_case_id) if follow_up.audit_case_id else None
    return {"kind": follow_up.kind, "recheck": follow_up.recheck_id,
            "amount": None if follow_up.amount_fen is None else f"{follow_up.amount_fen / 100:.2f}",
            "audit_case_no": audit_case.case_no if audit_case else None}


def _fen(yuan: str | Decimal | None) -> int | None:
    """A signed amount in yuan (overpaid positive) as integer fen; blank is none."""
    text = str(yuan if yuan is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise BadRequest(_("The amount difference must be in yuan with at most two decimals, not "
                           "%(value)s."), value=text[:20])
    return int(amount.scaleb(2))
