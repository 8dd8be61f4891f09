"""Spot-check and audit outcomes of a period (抽查与稽核): re-checks of the months' draws, what
their discrepancies opened (recoveries 追回, audits), and the deductions audits recorded (扣款)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from archive.models import RecheckOutcome, SignOff, SpotCheckFollowUp, WorkflowInstance
from archive.signoff.definitions import registry
from archive.statistics.period import Period
from archive.statistics.sql import fen, of_visible_cases


@dataclass(frozen=True)
class Oversight:
    rechecked: int  # re-checks of the period's months, the current finding of each case
    confirmed: int
    discrepancies: int
    difference_fen: int  # overpaid (+) / underpaid (−) on the discrepancies
    recoveries: int  # recoveries opened in the period
    recovery_fen: int
    audits_opened: int  # audit cases opened from a discrepancy
    audits_handled: int  # audits whose handling step was approved in the period
    audits_with_deductions: int
    deduction_fen: int


def oversight(session: Session, period: Period, visible: ColumnElement[bool]) -> Oversight:
    dialect = session.get_bind().dialect.name
    current = (select(func.max(RecheckOutcome.id)).where(RecheckOutcome.month.in_(period.month_labels))
               .group_by(RecheckOutcome.case_id, RecheckOutcome.month))
    discrepancy = RecheckOutcome.outcome == "discrepancy"
    checked, confirmed, differing, difference = session.execute(
        select(func.count(), func.sum(case((RecheckOutcome.outcome == "confirmed", 1), else_=0)),
               func.sum(case((discrepancy, 1), else_=0)),
               func.sum(case((discrepancy, func.coalesce(RecheckOutcome.difference_fen, 0)), else_=0)))
        .where(RecheckOutcome.id.in_(current), of_visible_cases(RecheckOutcome.case_id, visible))).one()
    opened = dict(((kind, (count, amount)) for kind, count, amount in session.execute(
        select(SpotCheckFollowUp.kind, func.count(), func.coalesce(func.sum(SpotCheckFollowUp.amount_fen), 0))
        .where(SpotCheckFollowUp.opened_at >= period.start, SpotCheckFollowUp.opened_at < period.end,
               of_visible_cases(SpotCheckFollowUp.case_id, visible))
        .group_by(SpotCheckFollowUp.kind))))
    handled = _deductions(session, period, visible, dialect)
    return Oversight(int(checked), int(confirmed or 0), int(differing or 0), int(difference or 0),
                     int(opened.get("recovery", (0, 0))[0]), int(opened.get("recovery", (0, 0))[1]),
                     int(opened.get("audit", (0, 0))[0]), *handled)


def _deductions(session: Session, period: Period, visible, dialect: str) -> tuple[int, int, int]:
    """Audits handled in the period: how many, how many deducted, and the sum deducted — the
    latest approval of each audit's handling step (a reopened audit counts as last handled)."""
    steps = {(d.name, s.id) for d in registry().definitions.values() for s in d.steps if s.deductions}
    if not steps:
        return 0, 0, 0
    at_step = [((WorkflowInstance.definition == name) & (SignOff.step == step)) for name, step in steps]
    latest = (select(func.max(SignOff.id)).join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id)
              .where(or_(*at_step), SignOff.decision == "approve", SignOff.signed_at >= period.start,
                     SignOff.signed_at < period.end).group_by(SignOff.instance_id))
    amount = func.coalesce(fen(SignOff.findings["deductions_total"].as_string(), dialect), 0)
    count, deducted, total = session.execute(
        select(func.count(), func.sum(case((amount > 0, 1), else_=0)), func.sum(amount))
        .where(SignOff.id.in_(latest), of_visible_cases(SignOff.case_id, visible))).one()
    return int(count), int(deducted or 0), int(total or 0)
