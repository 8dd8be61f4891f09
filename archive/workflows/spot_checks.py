"""Random spot checks (抽查, seed 003): a share of the cases approved in a month is re-checked.

The draw is reproducible by anyone, with no stored random state: a case is drawn when

    int(first 16 hex digits of sha256("CASE_NO|YYYY-MM"), 16) / 2**64  <  share

where YYYY-MM is the month (China time) in which its claim chain was approved and the share
is its group's, from `[[spot_check]]` in storage_config/workflow.toml (15 % of on-site
settlements, 25 % of sporadic claims). The value is uniform on [0, 1), so the expected share
drawn is the configured one. `derive_draw` shows the computation for one case.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import get_case, visible_cases
from archive.auth import require
from archive.models import Case, RecheckOutcome, SignOff, WorkflowInstance, WorkflowStatus
from archive.records import audit
from archive.workflows.definitions import registry
from archive.workflows.errors import BadRequest, Conflict, Incomplete, NoChain, NotAllowed, _
from archive.workflows.rules import SpotCheckGroup
from archive.workflows.steps import Label
from archive.workflows.workdays import CHINA, today_in_china

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def draw_value(case_no: str, month: str) -> float:
    """The case's number in [0, 1) for `month`: the first 64 bits of sha256("CASE_NO|YYYY-MM")."""
    return int(hashlib.sha256(f"{case_no}|{month}".encode()).hexdigest()[:16], 16) / 2**64


def parse_month(text: str | None) -> str:
    """YYYY-MM as given, or this month in China when none is given."""
    if text is None or not str(text).strip():
        return today_in_china().strftime("%Y-%m")
    if not _MONTH.match(str(text).strip()):
        raise BadRequest(_("The month must be given as YYYY-MM (e.g. 2026-11), not %(month)s."),
                         month=str(text)[:20])
    return str(text).strip()


def month_of(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, China time."""
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=CHINA)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CHINA)
    return start, end


@dataclass(frozen=True)
class Draw:
    case_no: str
    month: str
    group: SpotCheckGroup
    seed: str  # the text hashed: "CASE_NO|YYYY-MM"
    sha256: str
    value: float
    drawn: bool
    approved_month: str  # when the case's chain was approved; the draw counts for that month

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
    approved: int
    drawn: int

    @property
    def label(self) -> Label:
        return Label(self.group.zh, self.group.en)


@dataclass(frozen=True)
class RecheckQueue:
    month: str
    groups: list[GroupCount]
    items: list[DrawnCase]


def _group_of(chain: str) -> SpotCheckGroup | None:
    return next((g for g in registry().spot_checks if chain in g.chains), None)


def _draw(case_no: str, month: str, group: SpotCheckGroup, approved_month: str) -> Draw:
    seed = f"{case_no}|{month}"
    value = draw_value(case_no, month)
    return Draw(case_no, month, group, seed, hashlib.sha256(seed.encode()).hexdigest(), value,
                value < group.share, approved_month)


def recheck_queue(session: Session, user, month: str | None = None) -> RecheckQueue:
    """The cases drawn for re-checking among those approved in `month`, by group."""
    require(user, "spot_check.view")
    month = parse_month(month)
    start, end = month_bounds(month)
    chains = [chain for group in registry().spot_checks for chain in group.chains]
    rows = session.execute(
        select(Case.case_no, Case.claimant_name, Case.claim_type, Case.township, Case.village,
               Case.amount_fen, WorkflowInstance.definition, WorkflowInstance.finished_at)
        .join(Case, Case.id == WorkflowInstance.case_id)
        .where(WorkflowInstance.status == WorkflowStatus.APPROVED,
               WorkflowInstance.definition.in_(chains),
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end,
               Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
        .order_by(Case.case_no)).all()
    counts = {group.name: [0, 0] for group in registry().spot_checks}
    items = []
    outcomes = current_outcomes(session, month)
    for row in rows:
        group = _group_of(row.definition)
        draw = _draw(row.case_no, month, group, month)
        counts[group.name][0] += 1
        if draw.drawn:
            counts[group.name][1] += 1
            items.append(DrawnCase(
                row.case_no, row.claimant_name, row.claim_type, row.township, row.village,
                None if row.amount_fen is None else Decimal(row.amount_fen).scaleb(-2),
                registry().get(row.definition).label, row.finished_at, draw,
                outcomes.get(row.case_no)))
    return RecheckQueue(month, [GroupCount(g, *counts[g.name]) for g in registry().spot_checks], items)


def derive_draw(session: Session, user, case_no: str, month: str | None = None) -> Draw:
    """The draw for one case, step by step: in the month its chain was approved, or in `month`."""
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
    return _draw(case.case_no, parse_month(month) if month else approved_month, _group_of(chain),
                 approved_month)


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
    who signed it: a re-check by the same hand checks nothing.
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
    audit.record(session, "spot_check.recorded", actor=user, target=case, details={
        "month": draw.month, "outcome": outcome, "note": note, "difference_fen": difference_fen,
        "finding": finding.id})
    return finding


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
