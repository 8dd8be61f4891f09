"""The report's figures from the day totals (archive.statistics.totals) for a reader who sees
every case: the same lines as archive.statistics.claims and .processing compute from the rows,
read from a period's day totals (one row per day and key, not per case, payment or decision),
with only the figures that do not add up — distinct people paid, distinct cases returned —
counted over the period's facts.

A reader limited to part of the county (a scope, or access grades) is counted from the rows, as
before: the totals are not kept per reader."""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from archive.models import Provider, StatisticsDayTotal, StatisticsFact
from archive.statistics.claims import REGISTERED, ClaimFigures, by_dimension, roll_up
from archive.statistics.period import Period
from archive.statistics.processing import ChainDeadlines, Processing, StepTime


def _in(table, period: Period, *kinds: str):
    return [table.kind.in_(kinds), table.day >= period.first_day, table.day < period.end_day]


def claim_figures(session: Session, period: Period, insured: dict[str, int]) -> ClaimFigures:
    t = StatisticsDayTotal
    received = func.sum(case((t.kind == "received", t.count), else_=0))
    paid = func.sum(case((t.kind == "paid", t.count), else_=0))
    # The period's days summed per claim key first (a few hundred keys where the days are tens
    # of thousands of rows), then the level of each hospital, then each dimension over those.
    keys = (t.claim_type, t.township, t.village, t.hospital)
    summed = (select(*keys, received.label("received"), paid.label("paid"),
                     *[func.sum(column).label(column.key)
                       for column in (t.paid_fen, t.cost_fen, t.costed, t.self_funded_fen)])
              .where(*_in(t, period, "received", "paid")).group_by(*keys).subquery("summed"))
    days = (select(*summed.c, REGISTERED).select_from(summed)
            .outerjoin(Provider, Provider.name == func.trim(summed.c.hospital)).cte("days"))
    sums = by_dimension(session, days, lambda c: [func.sum(column) for column in (
        c.received, c.paid, c.paid_fen, c.cost_fen, c.costed, c.self_funded_fen)])
    # Distinct people paid, where shown: each township and the total.
    f = StatisticsFact
    paid_in = [*_in(f, period, "paid"), f.flagged == 0]  # a payment is never flagged
    people = {("township", township, None): count for township, count in session.execute(
        select(f.township, func.count(distinct(f.person))).where(*paid_in).group_by(f.township))}
    people["total", None, None] = session.scalar(select(func.count(distinct(f.person))).where(*paid_in))
    received_lines, payouts = [], []
    for dimension, k1, k2, got, count, paid_fen, cost, costed, self_funded in sums:
        if got:
            received_lines.append((dimension, k1, k2, int(got)))
        if count:
            payouts.append((dimension, k1, k2, int(count), paid_fen, cost, int(costed), self_funded,
                            people.get((dimension, k1, k2), 0)))
    return roll_up(received_lines, payouts, insured)


def processing(session: Session, period: Period) -> Processing:
    t = StatisticsDayTotal
    steps = [StepTime(definition, step, int(count), int(returns),
                      round(float(seconds) / int(count) / 3600, 2), round(float(longest) / 3600, 2))
             for definition, step, count, returns, seconds, longest in session.execute(
                 select(t.definition, t.step, func.sum(t.count), func.sum(t.flagged), func.sum(t.seconds_sum),
                        func.max(t.seconds_max))
                 .where(*_in(t, period, "decision")).group_by(t.definition, t.step)
                 .order_by(t.definition, t.step))]
    f = StatisticsFact
    returned_cases = session.scalar(select(func.count(distinct(f.case_id)))
                                    .where(*_in(f, period, "decision"), f.flagged == 1))
    chains = [ChainDeadlines(definition, int(finished), int(late))
              for definition, finished, late in session.execute(
                  select(t.definition, func.sum(t.count), func.sum(t.flagged))
                  .where(*_in(t, period, "finished")).group_by(t.definition).order_by(t.definition))]
    return Processing(steps, chains, sum(step.returns for step in steps), int(returned_cases or 0))
