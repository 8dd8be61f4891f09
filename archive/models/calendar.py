from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class HolidayArrangement(Base):
    """A year's holiday arrangement as the State Council published it (节假日安排), entered by an
    administrator: the days off and the make-up working days (调休), each with its name.

    Append-only: the latest row of a year is in force and replaces the computed estimate, the
    chinesecalendar data and storage_config/holidays.toml for that year
    (archive.signoff.workdays). `holidays` and `workdays` are [{"day": "YYYY-MM-DD", "name"}].
    """

    __tablename__ = "holiday_arrangements"
    __table_args__ = (Index("ix_holiday_arrangements_year", "year", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    holidays: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    workdays: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    notice: Mapped[str | None] = mapped_column(Text)  # the notice it comes from (国办发明电…)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by_name: Mapped[str] = mapped_column(String(128))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


event.listen(HolidayArrangement, "before_update", _refuse_change)
event.listen(HolidayArrangement, "before_delete", _refuse_change)
