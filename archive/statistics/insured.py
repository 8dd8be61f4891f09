"""Insured counts per year and township (参合人数): the denominator of the beneficiary rate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.models import InsuredCount
from archive.signoff import BadRequest, Incomplete
from archive.signoff.errors import _

MAX_INSURED = 100_000_000


def insured_counts(session: Session, user, year: int) -> dict[str, int]:
    """{township: insured} entered for `year`."""
    require(user, "statistics.view")
    return dict(session.execute(select(InsuredCount.township, InsuredCount.insured)
                                .where(InsuredCount.year == year).order_by(InsuredCount.township)).all())


def set_insured_count(session: Session, user, *, year, township: str | None, insured) -> InsuredCount:
    """Enter (or replace) the insured count of a township for a year; the trail keeps the old one."""
    require(user, "statistics.insured")
    year_text, township = str(year or "").strip(), (township or "").strip()
    if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise BadRequest(_("The year must be given as YYYY (e.g. 2026), not %(year)s."), year=year_text[:20])
    if not township or len(township) > 64:
        raise Incomplete(_("Name the township (at most 64 characters)."))
    count_text = str(insured if insured is not None else "").strip()
    if not count_text.isdigit() or not 0 < int(count_text) <= MAX_INSURED:
        raise Incomplete(_("The insured count must be a whole number above zero."))
    row = session.scalar(select(InsuredCount).where(InsuredCount.year == int(year_text),
                                                    InsuredCount.township == township))
    before = row.insured if row is not None else None
    if row is None:
        row = InsuredCount(year=int(year_text), township=township, insured=0)
        session.add(row)
    row.insured = int(count_text)
    row.recorded_by_id = user.id
    row.recorded_by_name = user.display_name or user.username
    session.flush()
    audit.record(session, "statistics.insured_set", actor=user, target=None, details={
        "year": row.year, "township": township, "insured": row.insured, "before": before})
    return row
