"""The provider register's computations (archive/providers/rules.py): the USCC check, the
self-pay cap's monthly deduction and its year-end return (seed 003), renewal reminders at 60 and
30 days, and an assessment's score on the 管理评分细则 sheet."""

from __future__ import annotations

import random
from datetime import date

import pytest

from archive.demo.documents import credit_code
from archive.providers.rules import (
    assessment_score,
    assessment_sheet,
    cap_deduction,
    register_settings,
    reminder_stage,
    uscc_reason,
    year_end,
)

YUAN = 100  # fen


def test_caps_are_the_seeds_by_level():
    caps = register_settings().caps
    assert caps == {"county": 20, "township": 16}  # 区级 ≤ 20 %, 镇级 ≤ 16 %
    assert register_settings().reminder_days == (60, 30)
    assert register_settings().settlement_working_days == 20


def test_monthly_deduction_is_the_self_paid_part_beyond_the_cap():
    total = 10_000 * YUAN
    assert cap_deduction(total, 2_200 * YUAN, 20) == 200 * YUAN  # 22 % at a county hospital
    assert cap_deduction(total, 2_000 * YUAN, 20) == 0  # exactly at the cap
    assert cap_deduction(total, 1_700 * YUAN, 16) == 100 * YUAN  # 17 % at a township centre
    assert cap_deduction(total, 9_000 * YUAN, None) == 0  # a level without a cap
    # The allowance is rounded down to the fen: 16 % of 9.99 yuan is 159.84 fen -> 159.
    assert cap_deduction(999, 160, 16) == 1


@pytest.mark.parametrize(("months", "kept", "returned"), [
    # The year's share 18.5 % is within 20 %: March's deduction comes back whole.
    ([(1_000_000, 220_000, 20_000), (1_000_000, 150_000, 0)], 0, 20_000),
    # Both months over: the year's excess (60,000 fen) equals what was deducted; nothing returned.
    ([(1_000_000, 250_000, 50_000), (1_000_000, 210_000, 10_000)], 60_000, 0),
    # One month far over, the year at 22.5 %: the year's actual excess is kept, the rest returned.
    ([(1_000_000, 300_000, 100_000), (1_000_000, 150_000, 0)], 50_000, 50_000),
    ([], 0, 0),
])
def test_year_end_returns_the_deductions_when_the_annual_share_holds(months, kept, returned):
    result = year_end(months, 20)
    assert (result.kept_fen, result.returned_fen) == (kept, returned)
    assert result.kept_fen + result.returned_fen == result.deducted_fen
    assert result.share_holds == (kept == 0)


@pytest.mark.parametrize(("today", "stage"), [
    (date(2026, 10, 1), None),  # 91 days off: no reminder yet
    (date(2026, 11, 1), 60),  # 60 days before valid_to
    (date(2026, 11, 30), 60),
    (date(2026, 12, 1), 30),  # 30 days before
    (date(2026, 12, 31), 30),  # the last valid day
    (date(2027, 1, 1), 0),  # ended
])
def test_renewal_reminders_at_60_and_30_days(today, stage):
    assert reminder_stage(date(2026, 12, 31), today, (60, 30)) == stage


def test_uscc_check_gives_the_reason():
    rng = random.Random(5)
    assert uscc_reason(credit_code(rng)) is None
    assert uscc_reason(credit_code(rng).lower()) is None  # typed in lower case
    assert "checksum" in str(uscc_reason(credit_code(rng, valid=False))).lower()
    assert "length" in str(uscc_reason("12345")).lower()
    assert str(uscc_reason("  ")) == "missing"


def test_assessment_score_is_the_sum_of_items_within_their_maximum():
    sheet = assessment_sheet()
    full = {item.code: item.max for item in sheet.items}
    assert assessment_score(full, sheet) == (full, 100)
    assert sheet.pass_score == 60
    half = {code: str(points // 2) for code, points in full.items()}
    assert assessment_score(half, sheet)[1] == sum(p // 2 for p in full.values())
    with pytest.raises(ValueError, match="outpatient"):
        assessment_score({**full, "outpatient": 21}, sheet)
    with pytest.raises(ValueError, match="unknown item bogus"):
        assessment_score({**full, "bogus": 1}, sheet)
    with pytest.raises(ValueError, match="inpatient"):
        assessment_score({k: v for k, v in full.items() if k != "inpatient"}, sheet)
