"""Sums of money as people type them and documents print them: yuan, at most two decimals.

One parser for every path (desk forms, API bodies, CLI options, fields read from documents), so
"￥3,521.78", "3521.78元" and full-width "３５２１．７８" are the same amount everywhere and a
malformed one ("1,23.4", "1e5", "12.345") is refused everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

CENT = Decimal("0.01")
# A currency sign before the figures, the unit after them (人民币 ¥1,234.50元 / RMB 1234.5).
_DECORATION = re.compile(r"^(?:人民币|RMB|CNY)?\s*[¥]?\s*(?P<figures>.*?)\s*(?:元整?|圆整?)?$", re.IGNORECASE)


def parse_yuan(value, *, allow_zero: bool = True) -> Decimal | None:
    """The amount in yuan, or None when absent or not a non-negative sum with at most two
    decimals (with allow_zero=False, zero is not an amount either)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        # NFKC: full-width digits, point, comma and ￥ become their ASCII forms.
        text = unicodedata.normalize("NFKC", str(value)).strip()
        figures = _DECORATION.fullmatch(text).group("figures")  # the pattern matches anything
        if not re.fullmatch(r"[0-9][0-9,]*(?:\.[0-9]+)?", figures):
            return None  # signs, exponents, NaN, spaces inside: not how a sum is written
        try:
            number = parse_decimal(figures, locale="zh_CN", strict=True)
        except NumberFormatError:  # misplaced thousands separators
            return None
    if not number.is_finite() or number < 0 or number != number.quantize(CENT):
        return None
    if number == 0 and not allow_zero:
        return None
    return number.quantize(CENT)


def yuan_to_fen(value) -> int | None:
    """parse_yuan in whole fen (the unit every stored amount uses)."""
    number = parse_yuan(value)
    return None if number is None else int(number.scaleb(2))
