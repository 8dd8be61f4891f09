"""The report's figures from the period totals (archive.statistics.periods) for a reader who sees
every case: the same lines as archive.statistics.claims and .processing compute from the rows,
read from the period's totals (one row per key, not per case, payment or decision), and the
figures that do not add up — distinct people paid, distinct cases returned — from the sizes of
the period's sets.

A reader limited to part of the county (a scope, or access grades) is counted from the rows, as
before: the totals are not kept per reader."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from archive.models import StatisticsDistinctCount, StatisticsPeriodTotal
from archive.statistics.claims import ClaimFigures, by_dimension, roll_up
from archive.statistics.hospitals import by_provider
from archive.statistics.period import Period
from archive.statistics.processing import ChainDeadlines, Processing, StepTime


def _in(period: Period, *kinds: str):
    t = StatisticsPeriodTotal
    return [t.period == period.label, t.kind.in_(kinds)]


def _sizes(session: Session, period: Period, kind: str) -> dict[str, int]:
    """{township: members} of the period's sets of `kind`."""
    d = StatisticsDistinctCount
    return {township: int(members) for township, members in session.execute(
        select(d.township, d.members).where(d.period == period.label, d.kind == kind))}


def claim_figures(session: Session, period: Period, insured: dict[str, int]) -> ClaimFigures:
    t = StatisticsPeriodTotal
    received = func.sum(case((t.kind == "received", t.count), else_=0))
    paid = func.sum(case((t.kind == "paid", t.count), else_=0))
    # The period's rows summed per claim key (received and paid are two rows of a key), then
    # each dimension over those; the hospitals, per name as written, counted as their provider.
    keys = (t.claim_type, t.township, t.village, t.hospital)
    summed = (select(*keys, received.label("received"), paid.label("paid"),
                     *[func.sum(column).label(column.key)
                       for column in (t.paid_fen, t.cost_fen, t.costed, t.self_funded_fen)])
              .where(*_in(period, "received", "paid")).group_by(*keys).cte("summed"))
    sums = by_provider(session, by_dimension(session, summed, lambda c: [func.sum(column) for column in (
        c.received, c.paid, c.paid_fen, c.cost_fen, c.costed, c.self_funded_fen)]))
    # Distinct people paid, where shown: each township and the total.
    people = {("township", township, None): count
              for township, count in _sizes(session, period, "person").items()}
    people["total", None, None] = _sizes(session, period, "person_all").get("", 0)
    received_lines, payouts = [], []
    for dimension, k1, k2, got, count, paid_fen, cost, costed, self_funded in sums:
        if got:
            received_lines.append((dimension, k1, k2, int(got)))
        if count:
            payouts.append((dimension, k1, k2, int(count), paid_fen, cost, int(costed), self_funded,
                            people.get((dimension, k1, k2), 0)))
    return roll_up(received_lines, payouts, insured)


def processing(session: Session, period: Period) -> Processing:
    t = StatisticsPeriodTotal
    steps = [StepTime(definition, step, int(count), int(returns),
                      round(float(seconds) / int(count) / 3600, 2), round(float(longest) / 3600, 2))
             for definition, step, count, returns, seconds, longest in session.execute(
                 select(t.definition, t.step, func.sum(t.count), func.sum(t.flagged), func.sum(t.seconds_sum),
                        func.max(t.seconds_max))
                 .where(*_in(period, "decision")).group_by(t.definition, t.step)
                 .order_by(t.definition, t.step))]
    returned_cases = _sizes(session, period, "returned").get("", 0)
    chains = [ChainDeadlines(definition, int(finished), int(late))
              for definition, finished, late in session.execute(
                  select(t.definition, func.sum(t.count), func.sum(t.flagged))
                  .where(*_in(period, "finished")).group_by(t.definition).order_by(t.definition))]
    return Processing(steps, chains, sum(step.returns for step in steps), returned_cases)
