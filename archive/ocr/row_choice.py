"""Rows whose figures read more than one way, chosen by the sums the table prints.

On an OCR page a row whose unit price × quantity is not its amount holds a misread figure. When
one confusable character (8 for 0, 6 for 5, a lost decimal point) makes it hold in more than one
way, the row alone cannot say which was printed; the page's subtotal (本页小计) or the sum carried
forward (承前页) can, being printed apart from the rows. A reading is chosen for every such row
together: the one combination under which every row's product holds and the rows add up to the
printed sum. None, or more than one, and the rows are not read (the list is then not given). A row
is never made up: each reading is of figures the row printed, and the rows chosen stay doubtful,
so the list is still taken only when the day's total, a check apart from the sum that chose them,
confirms it. The day's total chooses only when something else upholds it (its capital amount):
a total misread as the row was (0 as 6 in both) would choose the wrong reading and then, as the
list's only check, confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from archive.ocr.lines import Line

MOST_COMBINATIONS = 256  # more rows in doubt at once than this says too little to choose by a sum

Read = tuple[Line, dict, bool, str | None]  # the row's line as read, its item, confident, read as


@dataclass
class Pending:
    """A row read more than one way: where its first reading stands among the rows, and each."""

    at: int
    readings: list[Read]


def choose(amounts: list[Decimal | None], pending: list[Pending], target: Decimal) -> list[int] | None:
    """The reading of each pending row (index into its `readings`) under which the rows' amounts
    (`amounts`: every row's, None where a pending row stands) add up to `target`, when exactly
    one combination does; None otherwise."""
    sizes = [len(row.readings) for row in pending]
    count = 1
    for size in sizes:
        count *= size
    if not pending or count > MOST_COMBINATIONS:
        return None
    fixed = sum((amount for amount in amounts if amount is not None), Decimal(0))
    fits = [combination for combination in product(*(range(size) for size in sizes))
            if fixed + sum((Decimal(row.readings[n][1]["amount"]) for row, n in
                            zip(pending, combination, strict=True)), Decimal(0)) == target]
    return list(fits[0]) if len(fits) == 1 else None
