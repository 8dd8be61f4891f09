"""Each desk's dashboard (工作台): what waits for the user, and the work done week by week.

Counts come from aggregate queries — one for the deadlines, one per series grouped by local
day — so the page costs the same with ten cases or a million. Weeks are ISO weeks in the
agency's time zone; days are folded into weeks here because SQLite and PostgreSQL name weeks
differently (and SQLite's %W is not the ISO week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from archive.access import case_condition, scope_condition
from archive.auth import can
from archive.models import ArchiveRecord, Case, SignOff, WorkflowInstance
from archive.signoff.definitions import registry
from archive.signoff.workdays import today_in_china
from archive.workflows.worklist import Queue, queue_conditions, work_queue

DEFAULT_WEEKS = 10


@dataclass(frozen=True)
class Deadlines:
    """The user's work queue in three numbers."""

    waiting: int
    overdue: int  # the step's deadline has passed
    due_this_week: int  # due from today to Sunday of this ISO week, not yet overdue


@dataclass(frozen=True)
class Week:
    monday: date
    count: int

    @property
    def label(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Series:
    """One thing counted per week: `name` is one of SERIES (the page translates it)."""

    name: str
    weeks: list[Week]

    @property
    def total(self) -> int:
        return sum(week.count for week in self.weeks)

    @property
    def peak(self) -> int:
        return max((week.count for week in self.weeks), default=0)


SERIES = ("signed_by_me", "signed_by_role", "opened_by_me", "opened", "filed")


@dataclass(frozen=True)
class Dashboard:
    deadlines: Deadlines
    urgent: Queue  # the first few cases of the queue, most urgent first
    series: list[Series]


def dashboard(session: Session, user, *, zone: str = "Asia/Shanghai", weeks: int = DEFAULT_WEEKS,
              today: date | None = None, urgent: int = 5) -> Dashboard:
    today = today or today_in_china()
    deadlines = deadline_counts(session, user, today=today)
    first = work_queue(session, user, today=today, limit=urgent, total=deadlines.waiting,
                       dated_only=True) if deadlines.waiting else Queue([], 0)
    return Dashboard(deadlines, first, throughput(session, user, zone=zone, weeks=weeks, today=today))


def deadline_counts(session: Session, user, *, today: date | None = None) -> Deadlines:
    """Waiting for the user, overdue, due this week — the work queue's rows and flags, counted."""
    today = today or today_in_china()
    sunday = today + timedelta(days=6 - today.weekday())
    due = WorkflowInstance.due_on
    row = session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((due < today, 1), else_=0)), 0),
               func.coalesce(func.sum(case((due.between(today, sunday), 1), else_=0)), 0))
        .select_from(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
        .where(*queue_conditions(user))).one()
    return Deadlines(int(row[0]), int(row[1]), int(row[2]))


def throughput(session: Session, user, *, zone: str = "Asia/Shanghai", weeks: int = DEFAULT_WEEKS,
               today: date | None = None) -> list[Series]:
    """The series that fit the user's desk: sign-offs (by the user and by the user's role) for
    roles that sign a step, cases opened at intake, cases filed in the archive."""
    today = today or today_in_china()
    first_monday = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    counted = []
    if user.role in signing_roles():
        counted.append(("signed_by_me", SignOff.signed_at, (SignOff.signer_id == user.id,)))
        by_role = (SignOff.role == user.role,)
        if scope_condition(user) is not None:  # a hospital's clerk counts their hospital's only
            by_role += (SignOff.case_id.in_(select(Case.id).where(case_condition(user))),)
        counted.append(("signed_by_role", SignOff.signed_at, by_role))
    if can(user, "case.create"):
        counted.append(("opened_by_me", Case.created_at, (Case.created_by_id == user.id,)))
        counted.append(("opened", Case.created_at, (case_condition(user),)))
    if can(user, "records.file"):
        counted.append(("filed", ArchiveRecord.archived_at, (ArchiveRecord.archived_at.is_not(None),)))
    return [Series(name, weekly_counts(session, column, conditions, zone=zone,
                                       first_monday=first_monday, weeks=weeks))
            for name, column, conditions in counted]


def weekly_counts(session: Session, column, conditions, *, zone: str, first_monday: date,
                  weeks: int) -> list[Week]:
    """Rows per ISO week from `first_monday` on, by `column` (a UTC timestamp) in local time."""
    start = datetime.combine(first_monday, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    day = _local_day(column, session.get_bind().dialect.name, zone).label("day")
    query = select(day, func.count()).where(column >= start, *conditions).group_by("day")
    if column.class_ is ArchiveRecord:
        query = query.select_from(ArchiveRecord)
    per_week = [0] * weeks
    for local_day, count in session.execute(query):
        index = (_as_date(local_day) - first_monday).days // 7
        if 0 <= index < weeks:
            per_week[index] += count
    return [Week(first_monday + timedelta(weeks=n), per_week[n]) for n in range(weeks)]


@cache
def signing_roles() -> frozenset[str]:
    """Roles that sign at least one step of a shipped chain."""
    return frozenset(step.role for definition in registry().definitions.values()
                     for step in definition.steps)


def _local_day(column, dialect: str, zone: str):
    if dialect == "postgresql":
        return func.date(func.timezone(zone, column))
    # SQLite keeps UTC text; the agency's zone (China) has no daylight saving, so one offset holds.
    offset = ZoneInfo(zone).utcoffset(datetime.now())
    return func.date(column, f"{int(offset.total_seconds()):+d} seconds")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
