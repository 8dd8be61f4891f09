"""Amounts and times on the desks, through Babel in the reader's locale: `¥1,234.50` whatever
form the amount was stored in, always two decimals; times in the agency's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask, request
from flask_babel import Babel

from archive.web.i18n import local_time, money


@pytest.fixture
def reader():
    """A request context whose reader reads `lang` (the app's own selector needs a database)."""
    app = Flask(__name__)
    app.config.update(BABEL_DEFAULT_LOCALE="zh_CN", DISPLAY_TIMEZONE="Asia/Shanghai")
    Babel(app, locale_selector=lambda: request.args.get("lang"))
    return lambda lang: app.test_request_context(f"/?lang={lang}")


@pytest.mark.parametrize(("stored", "shown"), [
    (Decimal("1234.5"), "¥1,234.50"), ("1234.50", "¥1,234.50"), ("1,234.5", "¥1,234.50"),
    (0, "¥0.00"), ("-12.5", "-¥12.50"), (Decimal("1000000"), "¥1,000,000.00"),
    (None, "—"), ("", "—"), ("12.3O", "12.3O"), ("NaN", "NaN"),
])
def test_money(stored, shown):
    assert money(stored) == shown


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_money_in_chinese_and_english(reader, lang):
    with reader(lang):
        assert money(Decimal("1234567.891")) == "¥1,234,567.89"
        assert money(Decimal("-1234.5")) == "-¥1,234.50"
        assert money(Decimal("0.125")) == "¥0.12"  # half to even, on the Decimal
        assert money(Decimal("12345678901234567.01")) == "¥12,345,678,901,234,567.01"  # no float


def test_money_takes_the_readers_separators(reader):
    with reader("de_DE"):
        assert money(Decimal("-1234.5")) == "-¥1.234,50"


def test_a_time_is_shown_in_the_agencys_zone(reader):
    late_evening_utc = datetime(2026, 12, 6, 16, 4, 5, tzinfo=UTC)
    for lang in ("zh_CN", "en"):
        with reader(lang):
            assert local_time(late_evening_utc) == "2026-12-07 00:04"
            assert local_time(late_evening_utc, "%Y-%m-%d %H:%M:%S") == "2026-12-07 00:04:05"
            assert local_time(late_evening_utc.replace(tzinfo=None)) == "2026-12-07 00:04"  # stored UTC
            assert local_time(None) == "—"
    with reader("zh_CN"):
        assert local_time(late_evening_utc, "MMMM") == "十二月"
    with reader("en"):
        assert local_time(late_evening_utc, "MMMM") == "December"
