"""The provider register (定点医疗机构管理): designated providers, what was found against them,
their assessments with the deposit, and their monthly settlements (内报) with deductions (审扣).

A provider's agreements are not copied here: they are the `agreement` documents as read and
corrected, found through their claim keys (archive/providers/register.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class Provider(Base):
    """A designated provider (定点医疗机构): level 省/市/县/乡/村, type, unified social credit code
    (统一社会信用代码), its 医保 code, township, and the deposit (保证金) it lodged."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)  # as party B signs agreements
    level: Mapped[str] = mapped_column(String(16))  # storage_config/providers.toml [levels]
    kind: Mapped[str] = mapped_column(String(32))  # [types]
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    insurance_code: Mapped[str | None] = mapped_column(String(32), unique=True)  # 医保编码
    township: Mapped[str | None] = mapped_column(String(64))
    deposit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    deposit_status: Mapped[str] = mapped_column(String(16), default="held")  # held|returned|forfeited
    created_by_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderAlias(Base):
    """Another name a provider's papers print (its short name, an older name, 卫生院 for 医院): a
    claim is matched to the provider by it as by the register's name, after the same
    normalisation (archive/providers/matching.py), which `normal` holds and makes unique."""

    __tablename__ = "provider_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    alias: Mapped[str] = mapped_column(String(128))
    normal: Mapped[str] = mapped_column(String(128), unique=True)
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderSanction(Base):
    """A violation (违规), warning (告诫) or suspension (暂停) of a provider, from a date (a
    suspension until a date, inclusive), with the case or audit (稽核) that found it."""

    __tablename__ = "provider_sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # violation | warning | suspension
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderAssessment(Base):
    """A mid-year or year-end assessment (年中、年末考核) on the scored items of
    storage_config/provider_assessment.toml, with who assessed and, at year end, the deposit's fate."""

    __tablename__ = "provider_assessments"
    __table_args__ = (UniqueConstraint("provider_id", "year", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    year: Mapped[int]
    period: Mapped[str] = mapped_column(String(16))  # mid_year | year_end
    scores: Mapped[dict] = mapped_column(JSON)  # item code -> points
    score: Mapped[int]
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_name: Mapped[str] = mapped_column(String(128))
    deposit_outcome: Mapped[str | None] = mapped_column(String(16))  # returned | forfeited (year end)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderSettlement(Base):
    """A provider's monthly settlement (内报): what its patients' care cost, the part self-paid,
    the fund's share it advanced and claims back; the self-pay cap's deduction, its due date."""

    __tablename__ = "provider_settlements"
    __table_args__ = (UniqueConstraint("provider_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    due_estimated: Mapped[bool] = mapped_column(default=False)
    total_cost_fen: Mapped[int] = mapped_column(BigInteger)
    self_pay_fen: Mapped[int] = mapped_column(BigInteger)
    claimed_fen: Mapped[int] = mapped_column(BigInteger)  # the provider's figure (its 内报 claim)
    # The fund's share computed from the month's claims (archive/providers/monthly.py); None on
    # settlements received before it was computed, which are paid on the figure typed then.
    computed_fen: Mapped[int | None] = mapped_column(BigInteger)
    cap_percent: Mapped[int | None]
    cap_deduction_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_on: Mapped[date | None] = mapped_column(Date)  # paid to the provider
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderSettlementClaim(Base):
    """One claim a settlement was computed from, with its figures as they stood at receipt: the
    invoices' total and self-funded part (个人自费), and the fund's share under the policy."""

    __tablename__ = "provider_settlement_claims"
    __table_args__ = (UniqueConstraint("settlement_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("provider_settlements.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    treated_on: Mapped[date] = mapped_column(Date)
    total_cost_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: no invoice read
    self_pay_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    fund_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: nothing computed


class ProviderSettlementFinding(Base):
    """What the computation found against a settlement (the provider's figure differs from the
    computed one; a claim without a computed amount): settling waits until each is explained."""

    __tablename__ = "provider_settlement_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("provider_settlements.id"), index=True)
    # claimed_mismatch | claim_not_computed | claim_provider_ambiguous
    code: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    submitted_fen: Mapped[int | None] = mapped_column(BigInteger)
    computed_fen: Mapped[int | None] = mapped_column(BigInteger)
    explanation: Mapped[str | None] = mapped_column(Text)
    resolved_by_name: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProviderDeduction(Base):
    """A deduction (审扣) from a settlement, with its reason: an unreasonable charge found."""

    __tablename__ = "provider_deductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("provider_settlements.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderYearEnd(Base):
    """The year-end reckoning of the self-pay cap (年终结算): the year's share, what the months
    deducted, what is kept (the year's actual excess) and what is returned."""

    __tablename__ = "provider_year_ends"
    __table_args__ = (UniqueConstraint("provider_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    year: Mapped[int]
    total_cost_fen: Mapped[int] = mapped_column(BigInteger)
    self_pay_fen: Mapped[int] = mapped_column(BigInteger)
    cap_percent: Mapped[int | None]
    deducted_fen: Mapped[int] = mapped_column(BigInteger)
    kept_fen: Mapped[int] = mapped_column(BigInteger)
    returned_fen: Mapped[int] = mapped_column(BigInteger)
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


# What was found, scored, deducted and reckoned is kept as recorded; a mistake is a new entry.
for _model in (ProviderSanction, ProviderAssessment, ProviderDeduction, ProviderYearEnd,
               ProviderSettlementClaim):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
