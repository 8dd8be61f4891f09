"""A provider's month computed from its claims (内报), not typed: the claims the provider filed
(filed_by "provider") for care it gave, settled in the month, each with the figures its case
already carries — the invoices' total and self-funded part (个人自费) as read or corrected, and the
fund's share computed under the policy or approved by a reviewer (archive.claims).

A claim's settlement day is the discharge of its stay (即时结报 at discharge), else its treatment
day; the hospital is the invoices' (as read), else the case's. The provider's batch case (claim
type "settlement", its own 内报 submission) and rejected claims are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.claims import case_money
from archive.claims.service import AS_SETTLED
from archive.models import Case, ClaimKey, Provider

PROVIDER = "provider"
LEFT_OUT_STATUSES = ("rejected",)
DAY_KINDS = ("stay", "visit")


@dataclass(frozen=True)
class MonthClaim:
    case_id: int
    case_no: str
    treated_on: date
    total_cost_fen: int | None  # None: no invoice read, so nothing to count
    self_pay_fen: int
    fund_fen: int | None  # None: the policy computed nothing (why: the case's money page)

    @property
    def computed(self) -> bool:
        return self.total_cost_fen is not None and self.fund_fen is not None


@dataclass(frozen=True)
class MonthClaims:
    claims: tuple[MonthClaim, ...]

    @property
    def counted(self) -> tuple[MonthClaim, ...]:
        return tuple(c for c in self.claims if c.computed)

    @property
    def not_computed(self) -> tuple[MonthClaim, ...]:
        return tuple(c for c in self.claims if not c.computed)

    @property
    def total_cost_fen(self) -> int:
        return sum(c.total_cost_fen for c in self.counted)

    @property
    def self_pay_fen(self) -> int:
        return sum(c.self_pay_fen for c in self.counted)

    @property
    def fund_fen(self) -> int:
        return sum(c.fund_fen for c in self.counted)


def month_days(month: str) -> tuple[date, date]:
    """The first and last day of `month` (YYYY-MM)."""
    year, number = int(month[:4]), int(month[5:])
    following = date(year + number // 12, number % 12 + 1, 1)
    return date(year, number, 1), date.fromordinal(following.toordinal() - 1)


def month_claims(session: Session, provider: Provider, month: str) -> MonthClaims:
    """The provider's claims settled in `month`, with their figures, in the order of their day."""
    first, last = month_days(month)
    # Candidates by the indexed columns: the case's hospital, or a stay/visit key of the
    # provider's that touches the month; each is then decided on its own days below.
    touching = (select(ClaimKey.case_id).where(
        ClaimKey.kind.in_(DAY_KINDS), ClaimKey.hospital == provider.name, ClaimKey.admitted <= last,
        or_(ClaimKey.discharged >= first, ClaimKey.admitted >= first)))
    cases = session.scalars(select(Case).where(
        Case.filed_by == PROVIDER, Case.claim_type.not_in(AS_SETTLED), Case.status.not_in(LEFT_OUT_STATUSES),
        or_(Case.hospital == provider.name, Case.id.in_(touching))).order_by(Case.id))
    found = []
    for case in cases:
        on = settlement_day(session, case.id)
        if on is None or not first <= on <= last:
            continue
        money = case_money(session, case)
        hospital = money.claimed.hospital or case.hospital
        if (hospital or "").strip() != provider.name:
            continue
        documented = money.claimed.documented_fen
        found.append(MonthClaim(case.id, case.case_no, on, documented, money.claimed.self_funded_fen,
                                money.approved_fen if documented is not None else None))
    return MonthClaims(tuple(sorted(found, key=lambda c: (c.treated_on, c.case_id))))


def settlement_day(session: Session, case_id: int) -> date | None:
    """The discharge of the case's (last) stay, else its treatment day, from its claim keys."""
    rows = session.execute(select(ClaimKey.kind, ClaimKey.admitted, ClaimKey.discharged)
                           .where(ClaimKey.case_id == case_id, ClaimKey.kind.in_(DAY_KINDS))).all()
    discharges = [d for kind, _a, d in rows if kind == "stay" and d is not None]
    if discharges:
        return max(discharges)
    visits = [a for kind, a, _d in rows if kind == "visit" and a is not None]
    return min(visits) if visits else None
