from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class FindingResolution(Base):
    """A reviewer's resolution of a blocking (ERROR) finding on a case (e.g. a duplicate
    invoice): who, when, and why it may go on. Append-only; the sign-off after it covers it."""

    __tablename__ = "finding_resolutions"
    __table_args__ = (Index("ix_finding_resolutions_case", "case_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    finding_id: Mapped[str] = mapped_column(String(160))  # archive.workflows.findings: code[:key]
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)  # the finding as it read when resolved
    reason: Mapped[str] = mapped_column(Text)
    resolved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolved_by_name: Mapped[str] = mapped_column(String(128))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


event.listen(FindingResolution, "before_update", _refuse_change)
event.listen(FindingResolution, "before_delete", _refuse_change)
