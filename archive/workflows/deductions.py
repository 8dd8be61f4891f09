"""Deductions (扣款) recorded at an audit's handling step: an amount and a reason each.

A step that says `deductions = true` in its definition records them with the approval: they go
into the sign-off's `findings` under "deductions" ([{amount, reason}], amounts as two-place
decimal strings) with their sum under "deductions_total", so they are as immutable as the
signature itself. An audit that finds nothing records an empty list (total "0.00").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from archive.amounts import parse_yuan
from archive.errors import n_
from archive.signoff.errors import Incomplete, _

MAX_DEDUCTIONS = 200
MAX_REASON = 500
_LINE = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元)?\s*[,，:：\t ]\s*(.+?)\s*$")


def deduction_lines(text: str | None) -> list[dict[str, str]]:
    """Deductions typed one a line as "AMOUNT REASON" (e.g. "1200.50 超标准收费"), as the web
    form and the CLI take them; a line that does not start with an amount is refused."""
    found = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise Incomplete(_("Deduction line %(line)s is not \"amount reason\" (e.g. 1200.50 "
                               "超标准收费)."), line=number, concerns="deductions")
        found.append({"amount": match.group(1), "reason": match.group(2)})
    return found


def recorded_deductions(given: Sequence[Mapping[str, object]] | None,
                        claimed: Decimal | None) -> dict[str, object]:
    """The deductions as stored with the sign-off, or Incomplete naming the first bad one."""
    items = list(given or [])
    if len(items) > MAX_DEDUCTIONS:
        raise Incomplete(n_("At most %(count)s deduction can be recorded at once.",
                            "At most %(count)s deductions can be recorded at once."),
                         count=MAX_DEDUCTIONS, concerns="deductions")
    recorded, total = [], Decimal("0.00")
    for number, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise Incomplete(_("Deduction %(number)s must have an amount and a reason."), number=number,
                             concerns="deductions")
        amount = yuan(item.get("amount"))
        reason = str(item.get("reason") or "").strip()
        if amount is None:
            raise Incomplete(_("Deduction %(number)s needs an amount in yuan above zero with at most "
                               "two decimals."), number=number, concerns="deductions")
        if not reason:
            raise Incomplete(_("Deduction %(number)s needs its reason."), number=number,
                             concerns="deductions")
        if len(reason) > MAX_REASON:
            raise Incomplete(_("The reason of deduction %(number)s is longer than %(limit)s "
                               "characters."), number=number, limit=MAX_REASON,
                             concerns="deductions")
        recorded.append({"amount": f"{amount:.2f}", "reason": reason})
        total += amount
    if claimed is not None and total > claimed:
        raise Incomplete(_("The deductions (%(total)s yuan) exceed the amount audited (%(amount)s "
                           "yuan)."), total=f"{total:.2f}", amount=f"{claimed:.2f}",
                         concerns="deductions")
    return {"deductions": recorded, "deductions_total": f"{total:.2f}"}


def yuan(value) -> Decimal | None:
    """A positive amount in yuan with at most two decimals ("1,234.5" too), or None."""
    return parse_yuan(value, allow_zero=False)
