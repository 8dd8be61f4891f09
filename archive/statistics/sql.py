"""SQL pieces the statistics share: amounts read from JSON text, time spans, local dates.

Amounts in JSON (invoice fields, the cashier's `amount_paid`, an audit's `deductions_total`) are
two-place decimal strings (the stable contract); a value that is not a plain decimal counts as
absent rather than failing the whole report (PostgreSQL would refuse the cast).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Float, Numeric, String, and_, case, cast, extract, func, not_, select, true
from sqlalchemy.sql.elements import True_

ZONE = "Asia/Shanghai"


def fen(text, dialect: str):
    """A decimal string (yuan) as whole fen, or NULL."""
    if dialect == "postgresql":
        # `text` once (it may be a subquery): the regular expression's match, or NULL.
        plain = func.substring(text, r"^\s*([0-9]+(\.[0-9]{1,2})?)\s*$", type_=String)
        return cast(func.round(cast(plain, Numeric(16, 2)) * 100), BigInteger)
    text = func.trim(text, type_=String)
    glob = text.op("GLOB", is_comparison=True)
    plain = and_(glob("[0-9]*"), not_(glob("*[^0-9.]*")), not_(glob("*.*.*")))
    return case((plain, cast(func.round(cast(text, Float) * 100), BigInteger)), else_=None)


def of_visible_cases(case_id, visible):
    """The condition that a row's case (`case_id`) is one the user may see; none at all when the
    user sees every case, so the query does not join the cases for nothing."""
    from archive.models import Case

    if isinstance(visible, True_):
        return true()
    return case_id.in_(select(Case.id).where(visible))


def seconds_between(later, earlier, dialect: str):
    """`later - earlier` in seconds (a float)."""
    if dialect == "postgresql":
        return cast(extract("epoch", later - earlier), Float)
    return cast((func.julianday(later) - func.julianday(earlier)) * 86400.0, Float)


def local_date(column, dialect: str):
    """The China date of a UTC timestamp column."""
    if dialect == "postgresql":
        return func.date(func.timezone(ZONE, column))
    # SQLite keeps UTC text; China has no daylight saving, so one offset holds.
    offset = ZoneInfo(ZONE).utcoffset(datetime(2000, 1, 1))
    return func.date(column, f"{int(offset.total_seconds()):+d} seconds")


def month_label(day, dialect: str):
    """YYYY-MM of a date column (Period.label of its month)."""
    if dialect == "postgresql":
        return func.to_char(day, "YYYY-MM", type_=String)
    return func.strftime("%Y-%m", day, type_=String)


def quarter_label(day, dialect: str):
    """YYYY-Qn of a date column (Period.label of its quarter)."""
    if dialect == "postgresql":
        return func.to_char(day, 'YYYY-"Q"Q', type_=String)
    quarter = (cast(func.strftime("%m", day), BigInteger) + 2) // 3
    return func.strftime("%Y-Q", day, type_=String).op("||")(cast(quarter, String))
