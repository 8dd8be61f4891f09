"""The statistics report of a period: claims and payouts by dimension with their rates,
processing times, deadlines and returns, spot-check and audit outcomes. A reader who sees every
case gets the claims and processing figures from the day totals (archive.statistics.summed);
one limited to part of the county, from the rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from archive.access import case_condition, scope_condition
from archive.auth import require, scope_kind
from archive.statistics import summed
from archive.statistics.claims import ClaimFigures, claim_figures
from archive.statistics.insured import insured_counts
from archive.statistics.oversight import Oversight, oversight
from archive.statistics.period import Period
from archive.statistics.processing import Processing, processing


@dataclass(frozen=True)
class Report:
    period: Period
    claims: ClaimFigures
    processing: Processing
    oversight: Oversight
    scoped: bool  # figures of the user's part of the county only


def statistics_report(session: Session, user, period: Period) -> Report:
    """Every figure of the period over the cases `user` may see (archive.access.case_condition)."""
    require(user, "statistics.view")
    if session.get_bind().dialect.name == "postgresql":
        # JIT compiling these short aggregates costs more (~100 ms a query) than it saves.
        session.execute(text("SET LOCAL jit = off"))
    visible = case_condition(user)
    insured = _insured_in_scope(user, insured_counts(session, user, period.year))
    if isinstance(visible, True_):  # every case: the day totals hold the figures
        claims, steps = summed.claim_figures(session, period, insured), summed.processing(session, period)
    else:
        claims, steps = claim_figures(session, period, visible, insured), processing(session, period, visible)
    return Report(period, claims, steps, oversight(session, period, visible),
                  scope_condition(user) is not None)


def _insured_in_scope(user, insured: dict[str, int]) -> dict[str, int]:
    """A township officer's denominator is their township's; a hospital's or a village's view
    has no insured count to divide by (it is entered per township)."""
    if scope_condition(user) is None:
        return insured
    township = getattr(user, "scope_township", None)
    if scope_kind(user.role) == "township" and township in insured:
        return {township: insured[township]}
    return {}
