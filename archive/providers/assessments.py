"""Assessments of a provider (年中、年末考核) on the scored items of the 管理评分细则
(storage_config/provider_assessment.toml), and the deposit (保证金) after the year-end one:
returned when the score passes, forfeited when it does not (seed 002: 考核合格，全额返还保证金)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.models import ProviderAssessment
from archive.providers import inputs
from archive.providers.register import get_provider
from archive.providers.rules import assessment_score, assessment_sheet
from archive.signoff import BadRequest, Conflict
from archive.signoff.errors import _
from archive.signoff.workdays import today_in_china

PERIODS = ("mid_year", "year_end")
HELD = "held"


def record_assessment(session: Session, user, provider_id, *, year, period, scores: dict | None,
                      assessed_on=None) -> ProviderAssessment:
    """Score a provider for a half year; the year-end one decides a held deposit."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    year = inputs.number(year, "year")
    period = inputs.choice(period, PERIODS, "period")
    day = inputs.day(assessed_on, "assessed_on") if assessed_on else today_in_china()
    if day > today_in_china() or year > day.year:
        raise BadRequest(_("An assessment is recorded on or after the day it was made, in or after "
                           "its year."), concerns="year")
    sheet = assessment_sheet()
    try:
        points, score = assessment_score(dict(scores or {}), sheet)
    except ValueError as exc:
        raise BadRequest(_("The scores do not fit the assessment sheet: %(reason)s."),
                         reason=str(exc)) from None
    if session.scalar(select(ProviderAssessment.id).where(
            ProviderAssessment.provider_id == provider.id, ProviderAssessment.year == year,
            ProviderAssessment.period == period)) is not None:
        raise Conflict(_("%(name)s was already assessed for %(year)s (%(period)s)."),
                       name=provider.name, year=year, period=period, concerns="year")
    outcome = None
    if period == "year_end" and provider.deposit_status == HELD:
        outcome = "returned" if score >= sheet.pass_score else "forfeited"
        provider.deposit_status = outcome
    assessment = ProviderAssessment(provider_id=provider.id, year=year, period=period, scores=points,
                                    score=score, assessed_on=day,
                                    assessor_name=user.display_name or user.username,
                                    deposit_outcome=outcome)
    session.add(assessment)
    session.flush()
    audit.record(session, "provider.assessed", actor=user, target=provider, details={
        "provider": provider.id, "assessment": assessment.id, "year": year, "period": period,
        "scores": points, "score": score, "pass_score": sheet.pass_score,
        "deposit_outcome": outcome, "deposit_fen": provider.deposit_fen if outcome else None})
    return assessment


def lodge_deposit(session: Session, user, provider_id, *, amount):
    """A provider lodges its deposit (保证金) for the year: held until the year-end assessment.
    Refused while one is held: it is returned or forfeited first."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    fen = inputs.fen(amount, "amount")
    if fen <= 0:
        raise BadRequest(_("%(what)s: the amount must be in yuan with at most two decimals, e.g. 1234.50."),
                         what="amount", concerns="amount")
    if provider.deposit_status == HELD:
        raise Conflict(_("%(name)s's deposit is still held; the year-end assessment decides it first."),
                       name=provider.name)
    previous = provider.deposit_status
    provider.deposit_fen, provider.deposit_status = fen, HELD
    session.flush()
    audit.record(session, "provider.deposit_lodged", actor=user, target=provider, details={
        "provider": provider.id, "deposit_fen": fen, "previous_status": previous})
    return provider


def assessments_of(session: Session, provider) -> list[ProviderAssessment]:
    return list(session.scalars(select(ProviderAssessment)
                                .where(ProviderAssessment.provider_id == provider.id)
                                .order_by(ProviderAssessment.year.desc(), ProviderAssessment.period.desc())))
