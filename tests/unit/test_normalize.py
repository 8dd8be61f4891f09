import random

import pytest

from archive.ocr.normalize import amount_to_capital, parse_amount, parse_capital_amount, parse_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2024年3月5日", "2024-03-05"), ("开票日期：2024.03.05", "2024-03-05"), ("24-3-5", "2024-03-05"),
    ("2024 年 3 月 5 日", "2024-03-05"), ("2024/12/31", "2024-12-31"),
    ("2024-13-01", None), ("2024-02-30", None), ("三月五日", None), ("", None), (None, None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("￥1,234.56", "1234.56"), ("1234.5元", "1234.50"), ("¥ 80", "80.00"),
    ("合计 12,345,678.9", "12345678.90"),
    ("无", None), ("", None),
])
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("壹仟贰佰叁拾肆元伍角陆分", "1234.56"), ("壹万元整", "10000.00"), ("叁佰元零伍分", "300.05"),
    ("玖拾捌元柒角", "98.70"), ("伍角", "0.50"), ("壹拾万零叁佰元整", "100300.00"),
    ("人民币（大写）：贰佰叁拾元伍角", "230.50"), ("壹佰元伍毛", None), ("abc", None),
])
def test_capital_amounts(text, expected):
    assert parse_capital_amount(text) == expected


def test_capital_amounts_round_trip_for_many_values():
    rng = random.Random(11)
    for _ in range(2000):
        amount = f"{rng.randrange(0, 10**9) / 100:.2f}"
        if amount == "0.00":
            continue
        assert parse_capital_amount(amount_to_capital(amount)) == amount, amount
