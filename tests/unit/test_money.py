"""Amounts on the desks: `¥1,234.50` whatever form they were stored in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from archive.web.i18n import money


@pytest.mark.parametrize(("stored", "shown"), [
    (Decimal("1234.5"), "¥1,234.50"), ("1234.50", "¥1,234.50"), ("1,234.5", "¥1,234.50"),
    (0, "¥0.00"), ("-12.5", "-¥12.50"), (Decimal("1000000"), "¥1,000,000.00"),
    (None, "—"), ("", "—"), ("12.3O", "12.3O"), ("NaN", "NaN"),
])
def test_money(stored, shown):
    assert money(stored) == shown
