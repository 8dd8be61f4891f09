"""Statutory holidays computed from the law (rules as revised in 2024) for any year."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from archive.signoff import WorkCalendar
from archive.signoff.statutory import english_name, statutory_holidays

CAL = WorkCalendar()


@pytest.mark.parametrize("year", [2025, 2026])
def test_computed_holidays_match_the_published_calendar(year):
    # The published calendar (chinesecalendar's data) minus its bridging days (调休, in lieu)
    # and weekends is exactly what the law fixes: the computed weekday holidays, same names.
    published = {day: chinese_calendar.get_holiday_detail(day)[1] for day in chinese_calendar.holidays
                 if day.year == year and day.weekday() < 5 and not chinese_calendar.is_in_lieu(day)}
    computed = {day: english_name(name).removesuffix(" (make-up day)")
                for day, name in statutory_holidays(year).items() if day.weekday() < 5}
    assert computed == published


def test_spring_festival_starts_on_new_years_eve_whether_the_29th_or_the_30th():
    # 2026: the twelfth lunar month of 2025 has 29 days, so 除夕 is 16 Feb (腊月二十九).
    assert [d for d, n in statutory_holidays(2026).items() if n == "春节"] == [
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19)]
    # 2027: 除夕 on 5 Feb (腊月三十), a Friday: Saturday and Sunday are made up on 9 and 10 Feb.
    days = statutory_holidays(2027)
    assert [d for d, n in days.items() if n == "春节"] == [date(2027, 2, 5) + timedelta(n) for n in range(4)]
    assert days[date(2027, 2, 9)] == days[date(2027, 2, 10)] == "春节补休"


def test_every_year_has_the_thirteen_statutory_days():
    for year in range(2025, 2061):
        days = statutory_holidays(year)
        assert sum(not n.endswith("补休") for n in days.values()) == 13, year
        assert date(year, 1, 1) in days and date(year, 5, 2) in days and date(year, 10, 3) in days
        qingming = next(d for d, n in days.items() if n == "清明节")
        assert qingming.month == 4 and 4 <= qingming.day <= 6


def test_mid_autumn_on_national_day_still_gives_four_days():
    # 2028: 中秋 is 3 October; the festival days together are 1–4 October, plus a 补休 for Sunday 1st.
    days = statutory_holidays(2028)
    assert [d.day for d in days if d.month == 10] == [1, 2, 3, 4, 5]


def test_deadlines_in_2027_and_later_skip_new_year_spring_festival_and_national_day():
    assert CAL.is_workday(date(2027, 1, 1)) == (False, True)  # Friday, 元旦: off, year an estimate
    assert CAL.is_workday(date(2027, 1, 4)) == (True, True)
    assert CAL.add(date(2027, 2, 4), 1).on == date(2027, 2, 11)  # 春节 5–8, 补休 9–10 Feb
    assert CAL.add(date(2027, 9, 30), 1).on == date(2027, 10, 6)  # 国庆 1–3, 补休 4–5 Oct
    due = CAL.add(date(2031, 12, 31), 1)
    assert due.on == date(2032, 1, 2) and due.estimated  # 1 Jan 2032, a Thursday, is off
    assert not CAL.add(date(2026, 3, 2), 5).estimated  # inside the published calendar
