"""Entering a year's holiday arrangement (节假日安排) as the State Council published it.

One service for the admin desk, `archive holidays` and `POST /api/calendar/YEAR`. An entry
lists the year's days off and its make-up working days (调休), each with a name, and replaces
what was in force for that year (the computed estimate, the package's data, holidays.toml, an
earlier entry, which is kept). It takes effect at once: the calendar is read again at the next
deadline, and the deadlines of running chains are counted again now.

The text form, one line per day or range (the page, the CLI and the API accept it):

    2027-02-05..2027-02-11 春节
    2027-02-14 春节调休
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.models import WorkflowInstance, WorkflowStatus
from archive.models.calendar import HolidayArrangement
from archive.signoff.definitions import registry
from archive.signoff.errors import BadRequest, _
from archive.signoff.statutory import english_name, statutory_holidays
from archive.signoff.steps import Label
from archive.signoff.workdays import calendar
from archive.workflows.state import count_deadlines

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至)\s*(\d{4}-\d{2}-\d{2}))?\s+(\S.*)$")
OFF = Label("放假日", "Days off")
ON = Label("调休上班日", "Make-up working days")
MAX_RANGE_DAYS = 14  # the longest holiday run a notice has given is 9 days; 14 catches typos


@dataclass(frozen=True)
class YearView:
    year: int
    source: str  # entered, file, package or computed (an estimate)
    statutory: list[tuple[date, str, str]]  # day, 中文, English
    entry: HolidayArrangement | None  # the latest entered arrangement, if any


def parse_days(given: Any, year: int, what: Label | str) -> list[dict[str, str]]:
    """Lines "YYYY-MM-DD[..YYYY-MM-DD] NAME" (a text or a list of them), or a list of
    {"day" | "from", "to", "name"}: one {"day", "name"} per day, in date order."""
    if given is None:
        return []
    items = given.splitlines() if isinstance(given, str) else given
    if not isinstance(items, list):
        raise BadRequest(_("List the %(what)s as lines like 2027-02-05..2027-02-11 春节."), what=what)
    days: dict[date, str] = {}
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        first, last, name = _item(item, what)
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            raise BadRequest(_("%(what)s: %(first)s..%(last)s is not a range of at most 14 days."),
                             what=what, first=first.isoformat(), last=last.isoformat())
        day = first
        while day <= last:
            if day.year != year:
                raise BadRequest(_("%(what)s: %(day)s is not in %(year)s."), what=what,
                                 day=day.isoformat(), year=year)
            days[day] = name
            day += timedelta(days=1)
    return [{"day": day.isoformat(), "name": name} for day, name in sorted(days.items())]


def _item(item: Any, what: Label | str) -> tuple[date, date, str]:
    try:
        if isinstance(item, dict):
            first = date.fromisoformat(str(item.get("day") or item.get("from") or ""))
            last = date.fromisoformat(str(item["to"])) if item.get("to") else first
            name = str(item.get("name") or "").strip()
        else:
            text = str(item).strip()
            found = _LINE.match(text)
            if found is None:
                raise ValueError(text)
            first = date.fromisoformat(found[1])
            last = date.fromisoformat(found[2]) if found[2] else first
            name = found[3].strip()
    except (ValueError, KeyError, TypeError):
        raise BadRequest(_("%(what)s: %(line)s is not a line like 2027-02-05..2027-02-11 春节 "
                           "(a date or a range, then the name)."), what=what,
                         line=str(item)[:60]) from None
    if not name:
        raise BadRequest(_("%(what)s: every day needs its name (e.g. 春节)."), what=what)
    return first, last, name[:64]


def enter_arrangement(session: Session, user, year: int, *, holidays: Any, workdays: Any = None,
                      notice: str | None = None) -> HolidayArrangement:
    """Store `year`'s published arrangement (audited) and count running deadlines again."""
    require(user, "calendar.manage")
    _check_year(year)
    off = parse_days(holidays, year, OFF)
    on = parse_days(workdays, year, ON)
    if not off:
        raise BadRequest(_("List the year's days off (at least its statutory holidays)."))
    both = sorted({d["day"] for d in off} & {d["day"] for d in on})
    if both:
        raise BadRequest(_("%(day)s is listed both as a day off and as a working day."), day=both[0])
    weekday = next((d["day"] for d in on if date.fromisoformat(d["day"]).weekday() < 5), None)
    if weekday:
        raise BadRequest(_("%(day)s is a weekday: a make-up working day (调休) is a Saturday or "
                           "Sunday made a working day."), day=weekday)
    previous = session.scalar(select(HolidayArrangement.id).where(HolidayArrangement.year == year)
                              .order_by(HolidayArrangement.id.desc()).limit(1))
    entry = HolidayArrangement(year=year, holidays=off, workdays=on,
                               notice=(notice or "").strip()[:2000] or None, entered_by_id=user.id,
                               entered_by_name=getattr(user, "display_name", None) or user.username)
    session.add(entry)
    session.flush()
    recounted = recount_deadlines(session, year)
    audit.record(session, "calendar.arrangement_entered", actor=user, target=entry, details={
        "year": year, "holidays": off, "workdays": on, "notice": entry.notice,
        "replaces": previous, "deadlines_recounted": recounted})
    return entry


def recount_deadlines(session: Session, year: int) -> int:
    """Count again the deadlines of running chains that an arrangement of `year` can move."""
    calendar(session)  # take the new entry in
    start = date(year, 1, 1)
    instances = session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.status == WorkflowStatus.ACTIVE,
        WorkflowInstance.current_step.is_not(None),
        or_(WorkflowInstance.calendar_estimated.is_(True), WorkflowInstance.chain_due_on >= start,
            WorkflowInstance.due_on >= start))).all()
    for instance in instances:
        definition = registry().get(instance.definition)
        step = next((s for s in definition.steps if s.id == instance.current_step), None)
        if step is not None:
            count_deadlines(instance, definition, step)
    return len(instances)


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2200:
        raise BadRequest(_("The year must be given as four digits (e.g. 2027)."))


def year_view(session: Session, year: int) -> YearView:
    _check_year(year)
    entry = session.scalar(select(HolidayArrangement).where(HolidayArrangement.year == year)
                           .order_by(HolidayArrangement.id.desc()).limit(1))
    statutory = [(day, name, english_name(name)) for day, name in statutory_holidays(year).items()]
    return YearView(year, calendar(session).source(year), statutory, entry)
