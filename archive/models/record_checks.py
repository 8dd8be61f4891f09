"""Records whose latest four-property check (四性检测) failed: one row while the failure stands.

The reports are the audit trail's (`records.four_properties`); this row only says which case's
latest report failed, so /healthz and the archive desk need not read the trail. A passing check
deletes it (archive/records/record_checks.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class RecordCheckFailure(Base):
    __tablename__ = "record_check_failures"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))  # the report
    failures: Mapped[int]  # findings that failed
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
