"""Statutory public holidays (法定节假日) of any year, computed from the law.

The State Council's 全国年节及纪念日放假办法 as revised in 2024 (in force from 2025) gives every
citizen 13 days off:

    元旦 New Year's Day       1 day   1 January
    春节 Spring Festival      4 days  from 除夕, the last day of the lunar year (the 29th or the
                                      30th of the twelfth month: the day before 正月初一)
    清明节 Tomb-sweeping Day  1 day   the day of the solar term 清明
    劳动节 Labour Day         2 days  1–2 May
    端午节 Dragon Boat        1 day   the 5th of the fifth lunar month
    中秋节 Mid-autumn         1 day   the 15th of the eighth lunar month
    国庆节 National Day       3 days  1–3 October

and (article 6) a holiday that falls on a Saturday or Sunday is made up on a working day (补休):
here the first weekdays after the run of holidays, as the State Council's notices have done. Two
festivals on one day (中秋 on 1–3 October) still give their full count: the later one moves on
to the next free day.

What the law leaves open is the yearly arrangement that bridges holidays to weekends by moving
working days to Saturdays or Sundays (调休). Only the State Council's notice for the year tells
those, so a year computed here is an estimate until its notice is entered (workdays.py).

Lunar dates and the solar term come from lunar-python (MIT), which computes them
astronomically, not from a table that ends.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

# Chinese name → English name, in the order of the year.
FESTIVALS = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午节": "Dragon Boat Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day",
}
MAKE_UP = "补休"  # suffix of a weekday given for a holiday that fell on a weekend


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # 清明 falls on 4, 5 or 6 April (3 April before 1900 and after 2100 only in theory).
    for day in range(3, 8):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return date(year, 4, day)
    raise ValueError(f"no solar term 清明 found in April {year}")  # pragma: no cover


def festival_starts(year: int) -> list[tuple[str, date, int]]:
    """(name, first day, days) of each festival of `year`."""
    eve = _solar(Lunar.fromYmd(year, 1, 1)) - timedelta(days=1)  # 除夕: 29th or 30th, whichever is last
    return [("元旦", date(year, 1, 1), 1), ("春节", eve, 4), ("清明节", _qingming(year), 1),
            ("劳动节", date(year, 5, 1), 2), ("端午节", _solar(Lunar.fromYmd(year, 5, 5)), 1),
            ("中秋节", _solar(Lunar.fromYmd(year, 8, 15)), 1), ("国庆节", date(year, 10, 1), 3)]


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """Every day off that the law fixes for `year`, with its festival's name (补休 marked).

    A 除夕 in the last days of the previous solar year is not in the result (it belongs to
    that year's list only if the lunar new year starts there)."""
    days: dict[date, str] = {}
    for name, first, count in festival_starts(year):
        day = first
        for _ in range(count):
            while day in days:  # two festivals on one day: the later one moves on
                day += timedelta(days=1)
            days[day] = name
            day += timedelta(days=1)
    for run in _runs(sorted(days)):
        weekend = sum(day.weekday() >= 5 for day in run)
        day = run[-1]
        while weekend:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in days:
                days[day] = days[run[-1]] + MAKE_UP
                weekend -= 1
    return {day: name for day, name in sorted(days.items()) if day.year == year}


def _runs(days: list[date]) -> list[list[date]]:
    """Consecutive days grouped, weekends in between joining two runs (Fri + Mon is one block)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and all(
                (runs[-1][-1] + timedelta(days=n)).weekday() >= 5
                for n in range(1, (day - runs[-1][-1]).days)):
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def english_name(name: str) -> str:
    base = name.removesuffix(MAKE_UP)
    english = FESTIVALS.get(base, base)
    return f"{english} (make-up day)" if name.endswith(MAKE_UP) else english
