"""Months as the sign-off counts them: YYYY-MM in China time (batches, spot checks, notices)."""

from __future__ import annotations

import re
from datetime import datetime

from archive.signoff.errors import BadRequest, _
from archive.signoff.workdays import CHINA, today_in_china

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str | None) -> str:
    """YYYY-MM as given, or this month in China when none is given."""
    if text is None or not str(text).strip():
        return today_in_china().strftime("%Y-%m")
    if not _MONTH.match(str(text).strip()):
        raise BadRequest(_("The month must be given as YYYY-MM (e.g. 2026-11), not %(month)s."),
                         month=str(text)[:20])
    return str(text).strip()


def month_of(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, China time."""
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=CHINA)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CHINA)
    return start, end
