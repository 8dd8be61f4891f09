"""Loans (借阅) of a case file to one person, for a limited time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.cases import Case
from archive.models.types import UTCDateTime, utcnow
from archive.models.users import User


class LoanStatus:
    PENDING = "pending"  # registered, waiting for approval
    ACTIVE = "active"  # approved and not yet over
    EXPIRED = "expired"  # its end passed (approved or not)
    REVOKED = "revoked"  # ended early by an archivist


class Loan(Base):
    """A loan (借阅) of one case to one person until `until`: registered by an archivist, in
    force once approved by someone else, over at `until` (checked at every access, no job) or
    when revoked. The status is computed, so nothing has to run for a loan to expire."""

    __tablename__ = "loans"
    __table_args__ = (Index("ix_loans_borrower_case", "borrower_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_by_name: Mapped[str] = mapped_column(String(128))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_name: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_by_name: Mapped[str | None] = mapped_column(String(128))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    borrower: Mapped[User] = relationship(foreign_keys=[borrower_id])

    __mapper_args__ = {"version_id_col": version}

    def status_at(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return LoanStatus.REVOKED
        if self.until <= (now or utcnow()):
            return LoanStatus.EXPIRED
        return LoanStatus.ACTIVE if self.approved_at is not None else LoanStatus.PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def last_day(self) -> date:
        """The last day (in China) the loan may be used: it ends at the following midnight."""
        return (self.until.astimezone(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date()
