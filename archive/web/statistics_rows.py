"""The statistics page's table rows as HTML, written in Python in one pass.

A report lists every hospital the cases name (several hundred lines, each of a dozen figures):
rendered cell by cell in Jinja, each figure through a filter that looked the locale up again, the
page took longer than every query behind it. Here the locale's symbols are looked up once per
page and each row becomes one Markup string; text cells are escaped as Jinja would, and the
template's `finalize` still masks identifiers in the row as it did in each cell (no pattern spans
a `</td><td>`)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from numbers import Number

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from markupsafe import Markup, escape

from archive.statistics.tables import Named, Table

NONE = "—"
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(4)}


@cache
def symbols(locale: str) -> dict[int, str]:
    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale),
            ord("-"): get_minus_sign_symbol(locale)}


def number_text(value, places: int, table: dict[int, str]) -> str:
    """`value` as "#,##0.00" with the locale's symbols (`table`, from `symbols`), rounded half
    to even as babel rounds; "—" for none."""
    if value is None:
        return NONE
    step = _STEPS.get(places) or Decimal(1).scaleb(-places)
    exact = Decimal(value).quantize(step, rounding=ROUND_HALF_EVEN)
    return format(exact, f",.{places}f").translate(table)


def row_html(row: list, table: dict[int, str]) -> Markup:
    """A table row's cells: figures right-aligned (whole numbers as such, others to two places),
    names as written marked translate="no"."""
    cells = []
    for value in row:
        if isinstance(value, Number):  # as Jinja's tests: a bool is a number, not an integer
            places = 0 if isinstance(value, int) and not isinstance(value, bool) else 2
            cells.append(f'<td class="num">{number_text(value, places, table)}</td>')
        elif value is None:
            cells.append(f'<td class="num">{NONE}</td>')
        elif isinstance(value, Named):
            cells.append(f'<td translate="no">{escape(value)}</td>')
        else:
            cells.append(f"<td>{escape(value)}</td>")
    return Markup("".join(cells))


def tables_html(tables: list[Table], locale: str) -> dict[str, list[Markup]]:
    """{table name: its rows as HTML}."""
    table = symbols(locale)
    return {t.name: [row_html(row, table) for row in t.rows] for t in tables}
