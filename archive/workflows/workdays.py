"""Chinese working days (工作日) for deadlines.

Weekends and public holidays are off, make-up working days (调休) are on, as the State Council
announces them; the `chinesecalendar` package knows every year up to its last release. Days
in storage_config/holidays.toml come first (an admin adds a newly announced year there). For a
year nobody has published yet, Monday to Friday count, and the result says it is an estimate,
so the case page can warn "calendar not yet published" instead of failing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

from archive.config import REPO_ROOT
from archive.models.types import utcnow

HOLIDAYS_FILE = REPO_ROOT / "storage_config" / "holidays.toml"
CHINA = ZoneInfo("Asia/Shanghai")  # working days are days in China, wherever the server runs


class CalendarError(ValueError):
    """A holiday file that cannot be used."""


@dataclass(frozen=True)
class YearOverride:
    published: bool = False
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Due:
    on: date
    estimated: bool  # counted Monday–Friday for a year whose calendar is not yet published


@dataclass(frozen=True)
class WorkCalendar:
    overrides: dict[int, YearOverride] = field(default_factory=dict)

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(whether `day` is a working day, whether that is an estimate)."""
        override = self.overrides.get(day.year, YearOverride())
        if day in override.holidays:
            return False, False
        if day in override.workdays:
            return True, False
        if override.published:
            return day.weekday() < 5, False
        return _official_workday(day)

    def add(self, start: date, days: int) -> Due:
        """The `days`-th working day after `start` (`start` itself not counted)."""
        day, counted, estimated = start, 0, False
        while counted < days:
            day += timedelta(days=1)
            working, guess = self.is_workday(day)
            estimated = estimated or guess
            counted += working
        return Due(day, estimated)

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
        if end < start:
            return -self.between(end, start)
        return sum(self.is_workday(start + timedelta(days=n))[0] for n in range(1, (end - start).days + 1))


@lru_cache(maxsize=20_000)
def _official_workday(day: date) -> tuple[bool, bool]:
    # Cached: queues count working days for every waiting case (measured: 76 % of a queue page).
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:  # beyond the package's last year
        return day.weekday() < 5, True


def today_in_china(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


@cache
def calendar() -> WorkCalendar:
    return load_calendar(HOLIDAYS_FILE)


def load_calendar(path: Path) -> WorkCalendar:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return WorkCalendar()
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"{path}: {exc}") from exc
    overrides = {}
    for year_text, table in raw.items():
        if not (year_text.isdigit() and isinstance(table, dict)):
            raise CalendarError(f"{path}: [{year_text}] is not a year table like [2027]")
        year = int(year_text)
        unknown = set(table) - {"published", "holidays", "workdays"}
        if unknown:
            raise CalendarError(f"{path}: [{year}] has unknown key {sorted(unknown)[0]!r}")
        overrides[year] = YearOverride(
            published=bool(table.get("published", False)),
            holidays=_days(path, year, table.get("holidays", []), "holidays"),
            workdays=_days(path, year, table.get("workdays", []), "workdays"),
        )
    return WorkCalendar(overrides)


def _days(path: Path, year: int, values, key: str) -> frozenset[date]:
    days = set()
    for value in values:
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError as exc:
            raise CalendarError(f"{path}: [{year}] {key}: {value!r} is not a date") from exc
        if day.year != year:
            raise CalendarError(f"{path}: [{year}] {key}: {day} is not in {year}")
        days.add(day)
    return frozenset(days)
