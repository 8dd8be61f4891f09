"""Chinese working days (工作日) for deadlines.

Weekends and public holidays are off, make-up working days (调休) are on, as the State Council
announces them. What decides a day, first match wins:

1. the year's arrangement an administrator entered (the admin desk, `archive holidays`, the
   API; table holiday_arrangements, the latest entry of a year), read again whenever one is added;
2. storage_config/holidays.toml (preloaded years; a listed day also corrects the package);
3. the `chinesecalendar` package, which knows every year up to its last release;
4. for a year nobody has published yet, the statutory holidays the law fixes (statutory.py:
   元旦, 春节 from 除夕, 清明, 劳动节, 端午, 中秋, 国庆 and their 补休) and weekends are off. Only
   the yearly 调休 is unknown there, so every day of such a year counts as an estimate and a
   deadline that reaches it says so ("calendar not yet published").

In a year that is entered or marked published, the statutory holidays stay off unless listed
as working days: the law fixes them whatever a notice forgets to repeat.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.config import REPO_ROOT
from archive.models.calendar import HolidayArrangement
from archive.models.types import utcnow
from archive.signoff.statutory import statutory_holidays

HOLIDAYS_FILE = REPO_ROOT / "storage_config" / "holidays.toml"
CHINA = ZoneInfo("Asia/Shanghai")  # working days are days in China, wherever the server runs


class CalendarError(ValueError):
    """A holiday file that cannot be used."""


@dataclass(frozen=True)
class YearOverride:
    published: bool = False
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    origin: str = "file"  # "file": storage_config/holidays.toml; "entered": by an administrator


@dataclass(frozen=True)
class Due:
    on: date
    estimated: bool  # counted Monday–Friday for a year whose calendar is not yet published


@dataclass(frozen=True, eq=False)  # hashed by identity: caches key on the calendar in force
class WorkCalendar:
    overrides: dict[int, YearOverride] = field(default_factory=dict)
    version: tuple = ()  # of the entered arrangements it includes

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(whether `day` is a working day, whether that is an estimate)."""
        override = self.overrides.get(day.year, YearOverride())
        if day in override.holidays:
            return False, False
        if day in override.workdays:
            return True, False
        if override.published:
            return day.weekday() < 5 and day not in statutory_holidays(day.year), False
        return _official_workday(day)

    def source(self, year: int) -> str:
        """Where the year's days come from: entered, file, package or computed (an estimate)."""
        if year in self.overrides:
            origin = self.overrides[year].origin
            if origin == "entered" or self.overrides[year].published:
                return origin
        return "computed" if _official_workday(date(year, 1, 2))[1] else "package"

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
    except NotImplementedError:  # beyond the package's last year: the law's holidays, 调休 unknown
        return day.weekday() < 5 and day not in statutory_holidays(day.year), True


def today_in_china(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


_in_force: WorkCalendar | None = None  # the file merged with the latest entered arrangements


def calendar(session: Session | None = None) -> WorkCalendar:
    """The calendar in force. With a session, entered arrangements are checked (one small query)
    and a new one takes effect at once, in every process; without, the last one this process saw."""
    global _in_force
    if session is None:
        return _in_force or file_calendar()
    with session.no_autoflush:  # called mid-change (a step being entered): read, don't flush
        version = _version(session)
        current = _in_force
        if current is None or current.version != version:
            current = WorkCalendar({**file_calendar().overrides, **entered_overrides(session)}, version)
            _in_force = current
    return current


def _version(session: Session) -> tuple:
    count, last, at = session.execute(select(
        func.count(HolidayArrangement.id), func.max(HolidayArrangement.id),
        func.max(HolidayArrangement.entered_at))).one()
    return (str(session.get_bind().url), count, last, str(at))


def entered_overrides(session: Session) -> dict[int, YearOverride]:
    latest: dict[int, HolidayArrangement] = {}
    for row in session.scalars(select(HolidayArrangement).order_by(HolidayArrangement.id)):
        latest[row.year] = row
    return {year: YearOverride(
        published=True, origin="entered",
        holidays=frozenset(date.fromisoformat(d["day"]) for d in row.holidays),
        workdays=frozenset(date.fromisoformat(d["day"]) for d in row.workdays))
        for year, row in latest.items()}


@cache
def file_calendar() -> WorkCalendar:
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
