"""Reading what a person typed (form, API body, CLI option) into the register's values; each
refusal says which value and why (HTTP 400 for a malformed value, 422 for a missing one), and
names it (`what`, the input's name: a form shows the refusal beside that field)."""

from __future__ import annotations

import re
from datetime import date

from archive.amounts import yuan_to_fen
from archive.errors import n_
from archive.signoff import BadRequest, Incomplete
from archive.signoff.errors import _

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ProviderNotFound(Incomplete):
    status = 404
    code = "not_found"


def text(value, what: str, *, limit: int = 128, required: bool = True) -> str | None:
    shown = str(value).strip() if value is not None else ""
    if not shown:
        if required:
            raise Incomplete(_("%(what)s is required."), what=what, concerns=what)
        return None
    if len(shown) > limit:
        raise BadRequest(n_("%(what)s is longer than %(limit)s character.",
                            "%(what)s is longer than %(limit)s characters.", "limit"),
                         what=what, limit=limit, concerns=what)
    return shown


def day(value, what: str, *, required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a date as YYYY-MM-DD."), what=what, concerns=what) from None


def fen(value, what: str, *, required: bool = True) -> int:
    if value in (None, "") and not required:
        return 0
    amount = yuan_to_fen(str(value or "").strip())
    if amount is None:
        raise BadRequest(_("%(what)s: the amount must be in yuan with at most two decimals, e.g. 1234.50."),
                         what=what, concerns=what)
    return amount


def number(value, what: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise BadRequest(_("%(what)s must be a number."), what=what, concerns=what) from None


def month(value, what: str = "month") -> str:
    shown = str(value or "").strip()
    if not MONTH.match(shown):
        raise BadRequest(_("%(what)s must be a month as YYYY-MM."), what=what, concerns=what)
    return shown


def choice(value, allowed, what: str) -> str:
    shown = str(value or "").strip()
    if shown not in allowed:
        raise BadRequest(_("%(what)s must be one of: %(allowed)s."), what=what, allowed=", ".join(allowed),
                         concerns=what)
    return shown
