"""One parser for sums of money on every path (issue 20, point 14): the ways people and
documents write yuan are accepted, malformed ones refused."""

from decimal import Decimal

import pytest

from archive.amounts import parse_yuan, yuan_to_fen


@pytest.mark.parametrize(("written", "yuan"), [
    ("3521.78", "3521.78"), ("3,521.78", "3521.78"), ("￥3,521.78", "3521.78"),
    ("¥ 3521.78", "3521.78"), ("3521.78元", "3521.78"), ("３，５２１．７８", "3521.78"),
    ("人民币1,234.50元", "1234.50"), ("RMB 1234.5", "1234.50"), ("12元整", "12.00"),
    ("0", "0.00"), (12, "12.00"), (Decimal("7.1"), "7.10"),
])
def test_written_amounts_are_read(written, yuan):
    assert parse_yuan(written) == Decimal(yuan)


@pytest.mark.parametrize("written", [
    None, "", "  ", True, "1,23.4", "12.345", "1e5", "NaN", "Infinity", "-3", "3 521.78", "¥¥3",
    "三千元", "12.5.1", "0x10",
])
def test_malformed_amounts_are_refused(written):
    assert parse_yuan(written) is None


def test_fen_and_zero():
    assert yuan_to_fen("￥1,234.56") == 123456
    assert parse_yuan("0.00", allow_zero=False) is None
