"""Deadlines in Chinese working days: holidays off, 调休 make-up days on, unknown years estimated."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from archive.signoff import WorkCalendar, load_calendar
from archive.signoff.workdays import HOLIDAYS_FILE, CalendarError, today_in_china

CAL = WorkCalendar()


def test_spring_festival_2026_and_its_make_up_saturdays():
    # 2026: Spring Festival off 15–23 February; Saturdays 14 and 28 February are working days.
    assert CAL.is_workday(date(2026, 2, 14)) == (True, False)  # Saturday, 调休
    assert CAL.is_workday(date(2026, 2, 16)) == (False, False)  # Monday, holiday
    assert CAL.is_workday(date(2026, 2, 21)) == (False, False)  # Saturday, ordinary weekend
    assert CAL.add(date(2026, 2, 13), 1).on == date(2026, 2, 14)
    assert CAL.add(date(2026, 2, 13), 2).on == date(2026, 2, 24)
    # 7 working days from Friday 13 Feb: 14, 24, 25, 26, 27, 28 (Saturday, 调休), 2 March.
    assert CAL.add(date(2026, 2, 13), 7).on == date(2026, 3, 2)
    assert not CAL.add(date(2026, 2, 13), 7).estimated


def test_national_day_week_2026():
    # Off 1–7 October; Sunday 20 September and Saturday 10 October are working days.
    assert CAL.is_workday(date(2026, 9, 20)) == (True, False)
    assert CAL.add(date(2026, 9, 30), 1).on == date(2026, 10, 8)
    assert CAL.add(date(2026, 10, 9), 1).on == date(2026, 10, 10)
    assert CAL.between(date(2026, 9, 30), date(2026, 10, 10)) == 3  # 8, 9 and 10 October


def test_past_the_published_calendar_skips_statutory_holidays_and_says_so():
    # The package's data ends with 2026; New Year's Day 2027 is a Friday and stays a holiday.
    due = CAL.add(date(2026, 12, 30), 3)
    assert due.on == date(2027, 1, 5)  # 31 Dec, (1 Jan off, weekend), 4 Jan, 5 Jan
    assert due.estimated
    assert not CAL.add(date(2026, 12, 1), 5).estimated


def test_an_announced_year_in_the_override_file_counts_exactly(tmp_path):
    holidays = tmp_path / "holidays.toml"
    holidays.write_text("""
[2027]
published = true
holidays = [2027-01-01, "2027-02-08"]
workdays = [2027-02-06]   # a Saturday made a working day (调休)
""", encoding="utf-8")
    calendar = load_calendar(holidays)
    due = calendar.add(date(2026, 12, 30), 3)
    assert due == type(due)(date(2027, 1, 5), False)  # 31 Dec, (1 Jan off), 4 Jan, 5 Jan
    assert calendar.is_workday(date(2027, 2, 6)) == (True, False)
    assert calendar.is_workday(date(2027, 2, 8)) == (False, False)
    assert calendar.is_workday(date(2027, 3, 1)) == (True, False)  # published year: no estimate


def test_the_override_file_also_corrects_a_known_year(tmp_path):
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('[2026]\nholidays = ["2026-12-31"]\n', encoding="utf-8")
    assert load_calendar(holidays).is_workday(date(2026, 12, 31)) == (False, False)
    assert load_calendar(holidays).is_workday(date(2026, 12, 30)) == (True, False)


@pytest.mark.parametrize("text", [
    '[2027]\nholidays = ["2027-13-01"]\n',
    '[2027]\nholidays = ["2028-01-01"]\n',
    '[2027]\nholliday = []\n',
    'holidays = ["2027-01-01"]\n',
])
def test_a_broken_override_file_is_refused_with_its_name(tmp_path, text):
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError, match="holidays.toml"):
        load_calendar(holidays)


def test_the_shipped_override_file_loads_and_a_missing_one_is_empty(tmp_path):
    assert isinstance(load_calendar(HOLIDAYS_FILE), WorkCalendar)
    assert load_calendar(tmp_path / "absent.toml").overrides == {}


def test_today_is_the_date_in_china():
    assert today_in_china(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == date(2026, 11, 24)
    assert today_in_china(datetime(2026, 11, 23, 15, 59, tzinfo=UTC)) == date(2026, 11, 23)


def test_due_soon_agrees_with_counting_the_working_days_left():
    # The queue decides "due soon" with one date per day instead of counting each row's days.
    from datetime import timedelta

    from archive.signoff import calendar, registry
    from archive.workflows.worklist import deadline_flags

    days = registry().due_soon_days
    for today in (date(2026, 2, 10) + timedelta(days=n) for n in range(0, 300, 3)):
        for ahead in range(0, 15):
            due = today + timedelta(days=ahead)
            expected = calendar().between(today, due) <= days
            assert deadline_flags(due, False, today).due_soon == expected, (today, due)
