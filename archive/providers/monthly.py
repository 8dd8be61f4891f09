"""A provider's month computed from its claims (内报), not typed: the claims the provider filed
(filed_by "provider") for care it gave, settled in the month, each with the figures its case
already carries — the invoices' total and self-funded part (个人自费) as read or corrected, and the
fund's share computed under the policy or approved by a reviewer (archive.claims).

A claim's settlement day is the discharge of its stay (即时结报 at discharge), else its treatment
day; the hospital is the invoices' (as read), else the case's, matched to the register on the
invoices' seller tax id, else the name normalised or an alias (archive/providers/matching.py): an
invoice printing 「县人民医院（章）」 is the register's 县人民医院. A claim whose hospital fits this
provider and another is not counted but listed (`ambiguous`), for the settlement to show. The
provider's batch case (claim type "settlement", its own 内报 submission) and rejected claims are
not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.claims import case_money
from archive.claims.service import AS_SETTLED
from archive.models import Case, ClaimKey, Provider
from archive.providers.matching import Directory

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
    ambiguous: tuple[int, ...] = ()  # case ids of claims whose hospital fits other providers too

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
    directory = Directory.load(session)
    touches = (ClaimKey.kind.in_(DAY_KINDS), ClaimKey.admitted <= last,
               or_(ClaimKey.discharged >= first, ClaimKey.admitted >= first))
    # Candidates by the indexed columns: the hospitals as printed (on the month's stays and
    # visits, and on provider-filed cases) that may be this provider, or its codes; each case is
    # then decided on its own days and evidence below.
    printed = session.execute(select(ClaimKey.hospital, ClaimKey.value).where(*touches).distinct()).all()
    key_names = {h for h, code in printed if h and provider.id in directory.match(h, [code]).provider_ids}
    codes = [c for c in (provider.uscc, provider.insurance_code) if c]
    typed = session.scalars(select(Case.hospital).where(Case.filed_by == PROVIDER).distinct()).all()
    case_names = {h for h in typed if h and provider.id in directory.match(h).provider_ids}
    touching = select(ClaimKey.case_id).where(*touches, or_(ClaimKey.hospital.in_(key_names),
                                                            ClaimKey.value.in_(codes)))
    cases = session.scalars(select(Case).where(
        Case.filed_by == PROVIDER, Case.claim_type.not_in(AS_SETTLED), Case.status.not_in(LEFT_OUT_STATUSES),
        or_(Case.hospital.in_(case_names), Case.id.in_(touching))).order_by(Case.id))
    found, ambiguous = [], []
    for case in cases:
        keys = session.execute(select(ClaimKey.kind, ClaimKey.admitted, ClaimKey.discharged, ClaimKey.value)
                               .where(ClaimKey.case_id == case.id, ClaimKey.kind.in_(DAY_KINDS))).all()
        on = settlement_day(keys)
        if on is None or not first <= on <= last:
            continue
        money = case_money(session, case)
        match = directory.match(money.claimed.hospital or case.hospital, {k.value for k in keys if k.value})
        if match.provider_id != provider.id:
            if provider.id in match.provider_ids:
                ambiguous.append(case.id)
            continue
        documented = money.claimed.documented_fen
        found.append(MonthClaim(case.id, case.case_no, on, documented, money.claimed.self_funded_fen,
                                money.approved_fen if documented is not None else None))
    return MonthClaims(tuple(sorted(found, key=lambda c: (c.treated_on, c.case_id))), tuple(ambiguous))


def settlement_day(rows) -> date | None:
    """The discharge of the (last) stay, else the treatment day, from a case's stay and visit keys."""
    discharges = [d for kind, _a, d, *_ in rows if kind == "stay" and d is not None]
    if discharges:
        return max(discharges)
    visits = [a for kind, a, _d, *_ in rows if kind == "visit" and a is not None]
    return min(visits) if visits else None
