"""The posted notice (公示) of a month's claims, its objections (异议), and the fund's income
ledger behind the quarterly fund report (基金收支情况, seed 000)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class Publication(Base):
    """One posting of a month's notice: where and from when to when it hangs. Its lines are a
    snapshot of what was posted (masked as posted), so a later change to a case does not rewrite
    a notice the village already read."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM, China time
    posted_from: Mapped[date] = mapped_column(Date)
    posted_to: Mapped[date] = mapped_column(Date)  # the last day it hangs, inclusive
    posted_where: Mapped[str] = mapped_column(Text)  # 公示地点: the notice boards
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[PublicationLine]] = relationship(
        back_populates="publication", order_by="PublicationLine.line_no")


class PublicationLine(Base):
    """A line of a posted notice: a claimant's benefit (masked name and ID), or a designated
    provider's settlement (定点医疗机构即时结报), which is the provider's and no village's."""

    __tablename__ = "publication_lines"
    __table_args__ = (Index("ix_publication_lines_case", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    line_no: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))  # "claimant" | "provider"
    name: Mapped[str] = mapped_column(String(128))  # masked claimant name, or the provider's name
    id_number: Mapped[str | None] = mapped_column(String(32))  # masked, claimants only
    township: Mapped[str | None] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(String(64))
    claim_type: Mapped[str] = mapped_column(String(32))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    paid: Mapped[bool] = mapped_column(default=False)  # paid when posted, else awaiting payment

    publication: Mapped[Publication] = relationship(back_populates="lines")


class Objection(Base):
    """An objection raised against a posted line or a case (公示异议): who raised it, what, when;
    open until someone closes it as upheld or dismissed, with the reason. While open it holds
    the payment of its case (archive.notices.objections.refuse_held_payment)."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_case_status", "case_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("publication_lines.id"))
    raised_by: Mapped[str] = mapped_column(String(128))  # the person who objected, as they gave it
    raised_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | upheld | dismissed
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_name: Mapped[str | None] = mapped_column(String(128))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FundIncome(Base):
    """An entry of the fund's income (基金收入): contributions and subsidies as the accountant
    books them. Append-only; a wrong entry is corrected by a negative one with its reason."""

    __tablename__ = "fund_income"
    __table_args__ = (Index("ix_fund_income_received_on", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(128))  # e.g. 个人缴费, 中央财政补助
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


for _model in (Publication, PublicationLine, FundIncome):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
