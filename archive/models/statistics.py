from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class InsuredCount(Base):
    """How many people of a township are insured in a year (参合人数): the denominator of the
    beneficiary rate (受益率) in the statistics (archive.statistics). Entered by hand each year
    from the enrolment figures; a later entry for the same year and township replaces the count
    (the audit trail keeps the old one)."""

    __tablename__ = "insured_counts"
    __table_args__ = (UniqueConstraint("year", "township", name="uq_insured_counts_year_township"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    township: Mapped[str] = mapped_column(String(64))
    insured: Mapped[int]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# The keys a fact and a day's totals are counted under; "" where a key does not apply (a decision
# has no township, a claim no step), so the totals' unique key never holds a NULL.
KEYS = ("day", "kind", "claim_type", "township", "village", "hospital", "definition", "step")


class StatisticsFact(Base):
    """One countable event of a case as the statistics count it (archive.statistics.totals):
    kind "received" (the case opened, its claim keys), "paid" (a payment run approved: paid,
    cost, self-funded, the person paid), "finished" (a chain run ended; flagged = late) or
    "decision" (a sign-off: its step, seconds since the decision before it; flagged = a return).
    Kept per case so that a change to the case replaces exactly its own contribution to the
    day totals; the distinct people paid (受益人次) and cases returned are counted over these."""

    __tablename__ = "statistics_facts"
    # The period's facts of a kind (people paid, cases returned: counted distinct over them).
    __table_args__ = (Index("ix_statistics_facts_kind_day", "kind", "flagged", "day", "case_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(index=True)  # no foreign key: a destroyed case's facts go too
    # The workflow run or sign-off counted (None for "received").
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)  # China date
    kind: Mapped[str] = mapped_column(String(16))
    claim_type: Mapped[str] = mapped_column(String(32), default="")
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    hospital: Mapped[str] = mapped_column(String(255), default="")
    definition: Mapped[str] = mapped_column(String(64), default="")
    step: Mapped[str] = mapped_column(String(64), default="")
    flagged: Mapped[int] = mapped_column(default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_fen: Mapped[int | None] = mapped_column(BigInteger)
    self_funded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    person: Mapped[str] = mapped_column(String(64), default="")


class StatisticsDayTotal(Base):
    """The facts of a day summed per key: what the statistics page reads for every figure that
    adds up (archive.statistics.totals keeps it in the transaction that changes the facts)."""

    __tablename__ = "statistics_day_totals"
    __table_args__ = (UniqueConstraint(*KEYS, name="uq_statistics_day_totals_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    claim_type: Mapped[str] = mapped_column(String(32), default="")
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    hospital: Mapped[str] = mapped_column(String(255), default="")
    definition: Mapped[str] = mapped_column(String(64), default="")
    step: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    flagged: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    costed: Mapped[int] = mapped_column(BigInteger, default=0)
    self_funded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds_sum: Mapped[float] = mapped_column(Float, default=0.0)
    seconds_max: Mapped[float] = mapped_column(Float, default=0.0)


# A period total's keys: a fact's keys with its day's month (2026-03) or quarter (2026-Q1) for
# the day, the labels archive.statistics.Period gives.
PERIOD_KEYS = ("period", *KEYS[1:])


class StatisticsPeriodTotal(Base):
    """The facts of a month, and those of a quarter, summed per key: what the statistics page
    reads, one row per key whatever the period's length (the day totals of a quarter are ~90
    rows per key). Kept with the day totals (archive.statistics.periods)."""

    __tablename__ = "statistics_period_totals"
    __table_args__ = (UniqueConstraint(*PERIOD_KEYS, name="uq_statistics_period_totals_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    claim_type: Mapped[str] = mapped_column(String(32), default="")
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    hospital: Mapped[str] = mapped_column(String(255), default="")
    definition: Mapped[str] = mapped_column(String(64), default="")
    step: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    flagged: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    costed: Mapped[int] = mapped_column(BigInteger, default=0)
    self_funded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds_sum: Mapped[float] = mapped_column(Float, default=0.0)
    seconds_max: Mapped[float] = mapped_column(Float, default=0.0)


class StatisticsMember(Base):
    """One member of a set the statistics count distinct, per period: a person paid in a
    township ("person"), in the whole county ("person_all", township ""), a case returned for
    correction ("returned", township ""). `facts` is how many of the period's facts name the
    member; the row goes when none does. Distinct counts do not add up across days or months,
    so each month and quarter keeps its own set."""

    __tablename__ = "statistics_members"
    __table_args__ = (UniqueConstraint("period", "kind", "township", "member",
                                       name="uq_statistics_members_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    township: Mapped[str] = mapped_column(String(64), default="")
    member: Mapped[str] = mapped_column(String(64))
    facts: Mapped[int] = mapped_column(BigInteger, default=0)


class StatisticsDistinctCount(Base):
    """How many members a period's set holds (StatisticsMember rows of the period, kind and
    township): the page reads these few rows rather than counting tens of thousands."""

    __tablename__ = "statistics_distinct_counts"
    __table_args__ = (UniqueConstraint("period", "kind", "township",
                                       name="uq_statistics_distinct_counts_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    township: Mapped[str] = mapped_column(String(64), default="")
    members: Mapped[int] = mapped_column(BigInteger, default=0)
