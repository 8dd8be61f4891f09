from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
