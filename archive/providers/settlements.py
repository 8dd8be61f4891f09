"""A provider's monthly settlement (内报): computed from the month's claims and checked against the
provider's own figure, the self-pay cap checked with the excess deducted (seed
003), the deductions (审扣) the audit records, the due date 20 working days after receipt (seed
002), and the year-end reckoning that returns the months' cap deductions when the year's share
holds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import case_condition, get_case
from archive.auth import require
from archive.errors import n_
from archive.models import (
    Case,
    Provider,
    ProviderDeduction,
    ProviderSettlement,
    ProviderSettlementClaim,
    ProviderSettlementFinding,
    ProviderYearEnd,
)
from archive.models.types import utcnow
from archive.providers import inputs
from archive.providers.monthly import month_claims
from archive.providers.register import get_provider
from archive.providers.rules import cap_deduction, register_settings, year_end
from archive.signoff import BadRequest, Conflict, Incomplete
from archive.signoff.errors import _
from archive.signoff.workdays import calendar, today_in_china

MISMATCH = "claimed_mismatch"  # the provider's figure differs from the computed one
NOT_COMPUTED = "claim_not_computed"  # a claim of the month with no invoice read or nothing computed
AMBIGUOUS = "claim_provider_ambiguous"  # a claim of the month whose hospital fits another provider too


class UnresolvedFindings(Incomplete):
    code = "unresolved_findings"


def record_settlement(session: Session, user, provider_id, *, month, claimed, received_on=None,
                      case_no=None) -> ProviderSettlement:
    """Receive a month's settlement: the provider's figure (`claimed`, its 内报 claim) is checked
    against the fund's share computed from the month's claims (archive/providers/monthly.py); a
    difference, or a claim with nothing computed, is a finding that holds settling until it is
    explained; so is a claim whose hospital fits this provider and another (not counted until
    the register tells them apart). The self-pay share of those claims is checked against the
    level's cap and the excess deducted; the due date is set."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    month = inputs.month(month)
    submitted = inputs.fen(claimed, "claimed")
    received = inputs.day(received_on, "received_on") if received_on else today_in_china()
    if received > today_in_china() or received.isoformat()[:7] < month:
        raise BadRequest(_("A settlement is received in or after its month and not after today."),
                         concerns="received_on")
    case = get_case(session, user, str(case_no).strip()) if case_no and str(case_no).strip() else None
    if session.scalar(select(ProviderSettlement.id).where(ProviderSettlement.provider_id == provider.id,
                                                          ProviderSettlement.month == month)) is not None:
        raise Conflict(_("The settlement of %(name)s for %(month)s was already received."),
                       name=provider.name, month=month, concerns="month")
    month_of = month_claims(session, provider, month)
    if not month_of.claims and not month_of.ambiguous:
        raise Incomplete(_("No claim %(name)s filed for care settled in %(month)s is in the archive: "
                           "the settlement is computed from them, so file them first."),
                         name=provider.name, month=month, concerns="month")
    settings = register_settings()
    cap = settings.caps.get(provider.level)
    due = calendar(session).add(received, settings.settlement_working_days)
    computed = month_of.fund_fen
    settlement = ProviderSettlement(
        provider_id=provider.id, month=month, case_id=None if case is None else case.id,
        received_on=received, due_on=due.on, due_estimated=due.estimated,
        total_cost_fen=month_of.total_cost_fen, self_pay_fen=month_of.self_pay_fen, claimed_fen=submitted,
        computed_fen=computed, cap_percent=cap,
        cap_deduction_fen=min(computed, cap_deduction(month_of.total_cost_fen, month_of.self_pay_fen, cap)),
        recorded_by_name=user.display_name or user.username)
    session.add(settlement)
    session.flush()
    session.add_all(ProviderSettlementClaim(
        settlement_id=settlement.id, case_id=c.case_id, treated_on=c.treated_on,
        total_cost_fen=c.total_cost_fen, self_pay_fen=c.self_pay_fen, fund_fen=c.fund_fen)
        for c in month_of.claims)
    found = [ProviderSettlementFinding(settlement_id=settlement.id, code=NOT_COMPUTED, case_id=c.case_id)
             for c in month_of.not_computed]
    found += [ProviderSettlementFinding(settlement_id=settlement.id, code=AMBIGUOUS, case_id=case_id)
              for case_id in month_of.ambiguous]
    if submitted != computed:
        found.append(ProviderSettlementFinding(settlement_id=settlement.id, code=MISMATCH,
                                               submitted_fen=submitted, computed_fen=computed))
    session.add_all(found)
    session.flush()
    audit.record(session, "provider.settlement_received", actor=user, target=provider, details={
        "provider": provider.id, "settlement": settlement.id, "month": month,
        "claims": [c.case_no for c in month_of.claims], "total_cost_fen": settlement.total_cost_fen,
        "self_pay_fen": settlement.self_pay_fen, "claimed_fen": submitted, "computed_fen": computed,
        "cap_percent": cap, "cap_deduction_fen": settlement.cap_deduction_fen, "due_on": due.on.isoformat(),
        "findings": [f.code for f in found], "case_no": None if case is None else case.case_no})
    return settlement


def resolve_finding(session: Session, user, finding_id, *, explanation) -> ProviderSettlementFinding:
    """Explain a settlement's finding (e.g. the provider's figure was wrong and it agreed to the
    computed one; the claim was left out on purpose): once, with who and when, in the trail."""
    require(user, "providers.manage")
    finding = session.get(ProviderSettlementFinding, inputs.number(finding_id, "finding"))
    if finding is None:
        raise inputs.ProviderNotFound(_("There is no settlement finding %(id)s."), id=finding_id)
    if finding.resolved_at is not None:
        raise Conflict(_("This finding was already explained by %(name)s."), name=finding.resolved_by_name)
    explanation = inputs.text(explanation, "explanation", limit=2000)
    finding.explanation = explanation
    finding.resolved_by_name = user.display_name or user.username
    finding.resolved_at = utcnow()
    session.flush()
    settlement = session.get(ProviderSettlement, finding.settlement_id)
    audit.record(session, "provider.settlement_finding_resolved", actor=user,
                 target=session.get(Provider, settlement.provider_id),
                 details={"settlement": settlement.id, "month": settlement.month, "finding": finding.id,
                          "code": finding.code, "submitted_fen": finding.submitted_fen,
                          "computed_fen": finding.computed_fen, "explanation": explanation})
    return finding


def findings_of(session: Session, settlement: ProviderSettlement,
                reader) -> list[tuple[ProviderSettlementFinding, str | None]]:
    """The settlement's findings, each with its claim's case number where `reader` may see it."""
    rows = session.execute(select(ProviderSettlementFinding, Case.case_no, case_condition(reader))
                           .outerjoin(Case, Case.id == ProviderSettlementFinding.case_id)
                           .where(ProviderSettlementFinding.settlement_id == settlement.id)
                           .order_by(ProviderSettlementFinding.id))
    return [(finding, case_no if seen else None) for finding, case_no, seen in rows]


def claims_of(session: Session, settlement: ProviderSettlement,
              reader) -> list[tuple[ProviderSettlementClaim, str | None]]:
    """The claims a settlement was computed from, each with its case number where `reader` may
    see that case (a case above their grade or outside their scope is counted, not named)."""
    visible = case_condition(reader)
    rows = session.execute(select(ProviderSettlementClaim, Case.case_no, visible)
                           .join(Case, Case.id == ProviderSettlementClaim.case_id)
                           .where(ProviderSettlementClaim.settlement_id == settlement.id)
                           .order_by(ProviderSettlementClaim.treated_on, ProviderSettlementClaim.case_id))
    return [(claim, case_no if seen else None) for claim, case_no, seen in rows]


def add_deduction(session: Session, user, settlement_id, *, amount, reason) -> ProviderDeduction:
    """A deduction (审扣) from a settlement with its reason; what is paid never goes below zero."""
    require(user, "providers.manage")
    settlement = _settlement(session, user, settlement_id)
    if settlement.settled_on is not None:  # what was paid is what was paid
        raise Conflict(_("The settlement %(id)s was already settled on %(day)s."), id=settlement.id,
                       day=settlement.settled_on.isoformat())
    fen = inputs.fen(amount, "amount")
    if fen <= 0:
        raise BadRequest(_("%(what)s: the amount must be in yuan with at most two decimals, e.g. 1234.50."),
                         what="amount", concerns="amount")
    reason = inputs.text(reason, "reason", limit=2000)
    if fen > payable_fen(session, settlement):
        raise BadRequest(_("The deductions cannot exceed what the settlement would pay (%(left)s fen left)."),
                         left=payable_fen(session, settlement), concerns="amount")
    deduction = ProviderDeduction(settlement_id=settlement.id, amount_fen=fen, reason=reason,
                                  recorded_by_name=user.display_name or user.username)
    session.add(deduction)
    session.flush()
    provider = session.get(Provider, settlement.provider_id)
    audit.record(session, "provider.deduction", actor=user, target=provider,
                 details={"settlement": settlement.id, "month": settlement.month, "deduction": deduction.id,
                          "amount_fen": fen, "reason": reason})
    return deduction


def deductions_of(session: Session, settlement: ProviderSettlement) -> list[ProviderDeduction]:
    return list(session.scalars(select(ProviderDeduction)
                                .where(ProviderDeduction.settlement_id == settlement.id)
                                .order_by(ProviderDeduction.id)))


def payable_fen(session: Session, settlement: ProviderSettlement) -> int:
    deducted = session.scalar(select(func.coalesce(func.sum(ProviderDeduction.amount_fen), 0))
                              .where(ProviderDeduction.settlement_id == settlement.id))
    return basis_fen(settlement) - settlement.cap_deduction_fen - int(deducted)


def basis_fen(settlement: ProviderSettlement) -> int:
    """What the settlement pays before deductions: the computed fund share; the typed figure on
    a settlement received before the computation existed."""
    return settlement.claimed_fen if settlement.computed_fen is None else settlement.computed_fen


def settlements_of(session: Session, provider: Provider) -> list[ProviderSettlement]:
    return list(session.scalars(select(ProviderSettlement)
                                .where(ProviderSettlement.provider_id == provider.id)
                                .order_by(ProviderSettlement.month.desc())))


def reckon_year(session: Session, user, provider_id, *, year) -> ProviderYearEnd:
    """The year-end reckoning of the self-pay cap, once per provider and year, after December."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    year = inputs.number(year, "year")
    if today_in_china() < date(year + 1, 1, 1):
        raise BadRequest(_("The year %(year)s is reckoned after it has ended."), year=year,
                         concerns="year")
    if session.scalar(select(ProviderYearEnd.id).where(ProviderYearEnd.provider_id == provider.id,
                                                       ProviderYearEnd.year == year)) is not None:
        raise Conflict(_("%(name)s's year %(year)s was already reckoned."), name=provider.name, year=year,
                       concerns="year")
    months = [(s.total_cost_fen, s.self_pay_fen, s.cap_deduction_fen) for s in session.scalars(
        select(ProviderSettlement).where(ProviderSettlement.provider_id == provider.id,
                                         ProviderSettlement.month.like(f"{year:04d}-%")))]
    cap = register_settings().caps.get(provider.level)
    result = year_end(months, cap)
    reckoned = ProviderYearEnd(provider_id=provider.id, year=year, total_cost_fen=result.total_cost_fen,
                               self_pay_fen=result.self_pay_fen, cap_percent=cap,
                               deducted_fen=result.deducted_fen, kept_fen=result.kept_fen,
                               returned_fen=result.returned_fen,
                               recorded_by_name=user.display_name or user.username)
    session.add(reckoned)
    session.flush()
    audit.record(session, "provider.year_end", actor=user, target=provider, details={
        "provider": provider.id, "year": year, "months": len(months), "total_cost_fen": result.total_cost_fen,
        "self_pay_fen": result.self_pay_fen, "cap_percent": cap, "deducted_fen": result.deducted_fen,
        "kept_fen": result.kept_fen, "returned_fen": result.returned_fen})
    return reckoned


def year_ends_of(session: Session, provider: Provider) -> list[ProviderYearEnd]:
    return list(session.scalars(select(ProviderYearEnd).where(ProviderYearEnd.provider_id == provider.id)
                                .order_by(ProviderYearEnd.year.desc())))


def settle(session: Session, user, settlement_id, *, settled_on=None) -> ProviderSettlement:
    """Record that the settlement was paid (结算), on a day; once."""
    require(user, "providers.manage")
    settlement = _settlement(session, user, settlement_id)
    day = inputs.day(settled_on, "settled_on") if settled_on else today_in_china()
    if settlement.settled_on is not None:
        raise Conflict(_("The settlement %(id)s was already settled on %(day)s."), id=settlement.id,
                       day=settlement.settled_on.isoformat())
    if day < settlement.received_on or day > today_in_china():
        raise BadRequest(_("A settlement is settled after it was received and not after today."))
    open_findings = session.scalars(select(ProviderSettlementFinding.id).where(
        ProviderSettlementFinding.settlement_id == settlement.id,
        ProviderSettlementFinding.resolved_at.is_(None))).all()
    if open_findings:
        raise UnresolvedFindings(n_("The settlement %(id)s waits for %(count)s finding to be explained "
                                    "before it is settled.",
                                    "The settlement %(id)s waits for %(count)s findings to be "
                                    "explained before it is settled."),
                                 id=settlement.id, count=len(open_findings))
    settlement.settled_on = day
    session.flush()
    provider = session.get(Provider, settlement.provider_id)
    audit.record(session, "provider.settled", actor=user, target=provider,
                 details={"settlement": settlement.id, "month": settlement.month,
                          "settled_on": day.isoformat(),
                          "due_on": settlement.due_on.isoformat(), "late": day > settlement.due_on,
                          "payable_fen": payable_fen(session, settlement)})
    return settlement


def settlements_due(session: Session, user, *, within: int | None = 5,
                    today: date | None = None) -> list[tuple[ProviderSettlement, str, bool]]:
    """Unsettled settlements due within `within` working days (None: all of them) or overdue, the
    soonest first: (settlement, provider name, overdue). For the dashboards of those who see the
    register, and the due list."""
    require(user, "providers.view")
    today = today or today_in_china()
    work = calendar(session)
    rows = session.execute(select(ProviderSettlement, Provider.name)
                           .join(Provider, Provider.id == ProviderSettlement.provider_id)
                           .where(ProviderSettlement.settled_on.is_(None))
                           .order_by(ProviderSettlement.due_on, ProviderSettlement.id))
    return [(settlement, name, settlement.due_on < today) for settlement, name in rows
            if within is None or work.between(today, settlement.due_on) <= within]


def _settlement(session: Session, user, settlement_id) -> ProviderSettlement:
    require(user, "providers.view")
    settlement = session.get(ProviderSettlement, inputs.number(settlement_id, "settlement"))
    if settlement is None:
        raise inputs.ProviderNotFound(_("There is no provider settlement %(id)s."), id=settlement_id)
    return settlement
