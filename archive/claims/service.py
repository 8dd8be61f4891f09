"""The money of one case: claimed (from its invoices), computed (from the policy), approved
(computed, or as a reviewer adjusted it with a reason) — and what a signature covers of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.access import get_case
from archive.claims.money import Claimed, amount_findings, claimed_amount, fen_of
from archive.claims.policy import Claim, Computation, Line, compute, policy_book, yuan_text
from archive.hospital_levels import hospital_level
from archive.models import AmountAdjustment, Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.signoff.hospitals import read_hospital
from archive.signoff.months import month_bounds
from archive.signoff.steps import Label

# Which rules of the policy a claim type is computed under.
BENEFIT_OF = {"inpatient": "inpatient", "trauma": "inpatient", "maternity": "inpatient",
              "referral": "inpatient", "outpatient": "outpatient", "other": "outpatient"}
# A provider settlement (内报) claims back the fund's share the provider already computed under
# the same policy at discharge (即时结报): approved as settled, line items checked by review.
AS_SETTLED = ("settlement",)
AMOUNT_PAID = "amount_paid"  # the payment chain's cashier finding (definitions/payment.toml)


@dataclass(frozen=True)
class CaseMoney:
    claimed: Claimed
    findings: list[dict[str, Any]]
    computation: Computation | None
    unavailable: Label | None  # why there is no computation
    adjustment: AmountAdjustment | None  # the one in force

    @property
    def approved_fen(self) -> int | None:
        if self.adjustment is not None and self.adjustment.approved_fen is not None:
            return self.adjustment.approved_fen
        return None if self.computation is None else self.computation.approved_fen

    def as_json(self) -> dict[str, Any]:
        adjusted = self.adjustment if self.adjustment and self.adjustment.approved_fen is not None else None
        return {
            "claimed": yuan_text(self.claimed.fen), "claimed_from": self.claimed.source,
            "typed": yuan_text(self.claimed.typed_fen), "documented": yuan_text(self.claimed.documented_fen),
            "invoices_counted": list(self.claimed.counted),
            "duplicates": [{"document": a, "repeats": b} for a, b in self.claimed.duplicates],
            "findings": self.findings,
            "computation": None if self.computation is None else self.computation.as_json(),
            "unavailable": None if self.unavailable is None else {"zh": self.unavailable.zh,
                                                                  "en": self.unavailable.en},
            "computed": yuan_text(self.computation.approved_fen) if self.computation else None,
            "approved": yuan_text(self.approved_fen),
            "adjustment": None if adjusted is None else {
                "amount": yuan_text(adjusted.approved_fen), "reason": adjusted.reason,
                "by": adjusted.adjusted_by_name, "at": adjusted.adjusted_at.isoformat()},
        }


def case_money(session: Session, case: Case) -> CaseMoney:
    claimed = claimed_amount(case)
    computation, unavailable = _computation(session, case, claimed)
    adjustment = session.scalar(select(AmountAdjustment).where(AmountAdjustment.case_id == case.id)
                                .order_by(AmountAdjustment.id.desc()).limit(1)) if case.id else None
    return CaseMoney(claimed, amount_findings(claimed), computation, unavailable, adjustment)


def view_money(session: Session, actor, case_no: str) -> CaseMoney:
    return case_money(session, get_case(session, actor, case_no))


def money_content(session: Session, case: Case) -> dict[str, Any]:
    """What a signature covers of the case's money (archive.workflows.content): the claimed
    amount and where it came from, the computation's result and the adjustment in force.
    Absent while there is nothing to compute, so such a case's content is as it was before."""
    money = case_money(session, case)
    if money.computation is None and money.adjustment is None:
        return {}
    computed = money.computation
    adjusted = money.adjustment if money.adjustment and money.adjustment.approved_fen is not None else None
    return {"money": {
        "claimed": yuan_text(money.claimed.fen), "claimed_from": money.claimed.source,
        "policy": f"{computed.scheme}/{computed.year}" if computed else None,
        "eligible": yuan_text(computed.eligible_fen) if computed else None,
        "computed": yuan_text(computed.approved_fen) if computed else None,
        "approved": yuan_text(money.approved_fen),
        "adjustment": None if adjusted is None else {"amount": yuan_text(adjusted.approved_fen),
                                                    "reason": adjusted.reason},
    }}


def _computation(session: Session, case: Case, claimed: Claimed) -> tuple[Computation | None, Label | None]:
    if claimed.fen is None:
        return None, Label("尚无已识别的票据，也未录入申报金额，无法核算",
                           "Nothing to compute: no invoice read and no amount typed")
    treated = claimed.treated_on or (case.created_at.date() if case.created_at else date.today())
    if case.claim_type in AS_SETTLED:
        lines = (Line("claimed", Label("申报金额（票据合计）", "Claimed (invoice totals)"), None, None,
                      claimed.fen),
                 Line("approved", Label("核定金额（定点机构即时结报，按结算）",
                                        "Approved (as the designated provider settled it)"),
                      None, None, claimed.fen))
        return Computation("settlement", treated.year, lines, claimed.fen, claimed.fen), None
    benefit = BENEFIT_OF.get(case.claim_type)
    if benefit is None:
        return None, Label("此类案卷不核算补偿", "This kind of case pays no benefit")
    book = policy_book()
    policy = book.find(None, treated.year)
    if policy is None:
        return None, Label(f"补偿方案（storage_config/policy.toml）没有 {treated.year} 年度",
                           f"The policy (storage_config/policy.toml) has no table for {treated.year}")
    claim = Claim(benefit=benefit, claimed_fen=claimed.fen, self_funded_fen=claimed.self_funded_fen,
                  class_b_fen=claimed.class_b_fen,
                  level=hospital_level(session, claimed.hospital or read_hospital(case.documents),
                                       scale="policy"),
                  out_of_county=bool(case.out_of_county), designated=bool(case.designated_provider),
                  age=_age(case.claimant_id_number, treated),
                  paid_this_year_fen=_paid_this_year(session, case, benefit, treated.year))
    return compute(policy, claim), None


def _age(id_number: str | None, on: date) -> int | None:
    """Age on `on` from an 18-digit ID number's birth date (digits 7–14)."""
    if not id_number or len(id_number) != 18:
        return None
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _paid_this_year(session: Session, case: Case, benefit: str, year: int) -> int:
    """What the person was paid under the same benefit in `year` on cases whose payment was
    approved before this case was opened (a fixed set, so this case's computation — and the
    signatures over it — does not change when another case is paid later)."""
    if case.claimant_id_number:
        same_person = Case.claimant_id_number == case.claimant_id_number
    elif case.insurance_number:
        same_person = Case.insurance_number == case.insurance_number
    else:
        return 0
    paying = [d.name for d in registry().definitions.values() if d.done_status == "paid"]
    start, end = month_bounds(f"{year}-01")[0], month_bounds(f"{year}-12")[1]
    if case.created_at is not None:
        end = min(end, case.created_at)
    types = [claim_type for claim_type, b in BENEFIT_OF.items() if b == benefit]
    instances = select(WorkflowInstance.id).join(Case, Case.id == WorkflowInstance.case_id).where(
        same_person, Case.id != case.id, Case.claim_type.in_(types),
        WorkflowInstance.definition.in_(paying), WorkflowInstance.status == WorkflowStatus.APPROVED,
        WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end)
    entry_steps = [step.id for d in registry().definitions.values() if d.name in paying
                   for step in d.steps if any(f.name == AMOUNT_PAID for f in step.findings)]
    latest = (select(func.max(SignOff.id)).where(SignOff.instance_id.in_(instances),
                                                  SignOff.step.in_(entry_steps),
                                                  SignOff.decision == "approve")
              .group_by(SignOff.instance_id))
    total = 0
    for findings in session.scalars(select(SignOff.findings).where(SignOff.id.in_(latest))):
        total += fen_of((findings or {}).get(AMOUNT_PAID)) or 0
    return total
