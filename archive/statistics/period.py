"""The period a report covers: a month (一月一通报) or a quarter (一季一分析), China time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from archive.signoff import BadRequest
from archive.signoff.errors import _
from archive.signoff.workdays import CHINA

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter"
    label: str  # 2026-03 | 2026-Q1
    year: int
    first_month: int
    months: int  # 1 or 3

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_day(self) -> date:
        """The first day after the period."""
        month = self.first_month + self.months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=CHINA)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day, datetime.min.time(), tzinfo=CHINA)

    @property
    def month_labels(self) -> list[str]:
        """YYYY-MM of each month of the period (spot-check draws are by month)."""
        return [f"{self.year}-{self.first_month + n:02d}" for n in range(self.months)]


def parse_period(month: str | None = None, quarter: str | None = None) -> Period:
    """`month` as YYYY-MM or `quarter` as YYYY-Qn (exactly one of them)."""
    month, quarter = (month or "").strip(), (quarter or "").strip()
    if bool(month) == bool(quarter):
        raise BadRequest(_("Give either a month (YYYY-MM) or a quarter (YYYY-Qn)."))
    if month:
        match = _MONTH.fullmatch(month)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise BadRequest(_("The month must be given as YYYY-MM (e.g. 2026-03), not %(value)s."),
                             value=month[:20])
        year, number = int(match.group(1)), int(match.group(2))
        return Period("month", f"{year}-{number:02d}", year, number, 1)
    match = _QUARTER.fullmatch(quarter)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise BadRequest(_("The quarter must be given as YYYY-Qn (e.g. 2026-Q1), not %(value)s."),
                         value=quarter[:20])
    year, number = int(match.group(1)), int(match.group(2))
    return Period("quarter", f"{year}-Q{number}", year, 3 * number - 2, 3)
