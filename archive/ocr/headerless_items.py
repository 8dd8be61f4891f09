"""A till's goods printed with no header row over them (archive/ocr/vat_items.py reads a table
under its header): a run of lines each a goods row by its own arithmetic (archive/ocr/till_rows.py),
or a name on its line above its figures, followed by the sum's line, and adding up to the total
read on its own.
"""

from __future__ import annotations

from decimal import Decimal

from archive.ocr.goods_text import (
    ALIGNED,
    CODE_LINE,
    DISCOUNT,
    RULE_LINE,
    check_sum,
    plain_name,
    row_subtotal,
    without_row_number,
)
from archive.ocr.label_spec import label_rules
from archive.ocr.lines import FieldReading, Line, confident, union
from archive.ocr.tables import _SPACE_BY_CJK, _Rows
from archive.ocr.till_rows import figures as till_figures
from archive.ocr.till_rows import named, sum_word, unheld, without_code

_TOTAL_WORD = sum_word()


def headerless_items(lines: list[Line], reading: FieldReading, min_confidence: float,
                     doubtful: dict[str, tuple]) -> None:
    """A till's goods printed with no header: a run of lines each a goods row by its own
    arithmetic (or its name on the lines above its figures; a service with its amount alone
    among them), followed by the sum's line, whose amounts add up to the total read on its own.
    One such run, or nothing: a run that does not add up is flagged, never given."""
    stated = reading.fields.get("total_amount")
    runs, seen = [], []
    at = 0
    while at < len(lines):
        rows, end = _headerless_run(lines, at, min_confidence)
        if rows.items and any("quantity" in item for item in rows.items):
            seen.append(rows)
            following = next((line for line in lines[end:] if not _skipped(line)), None)
            if following is not None and _TOTAL_WORD.search(following.text):
                runs.append(rows)
        at = max(end, at + 1)
    # A goods line that no rule reads (its figures do not hold, or one figure too many): a row
    # not read, and a list without it would be a wrong list.
    not_read = [line.text for n, line in enumerate(lines)
                if unheld(line.text, under_name=n > 0 and plain_name(lines[n - 1].text))]
    if len(runs) != 1 or stated is None or not_read:
        # Goods rows were read but cannot be told to be the list (no sum after them, no total,
        # more than one run): the reviewer is told, not left with no list and no word.
        read = list(dict.fromkeys([*(line.text for rows in seen for line in rows.lines), *not_read]))
        if read:
            reading.unreadable.append({"field": "items", "read": " / ".join(read),
                                       "reason": "row_unreadable"})
        return
    rows = runs[0]
    check_sum(rows, lines[lines.index(rows.lines[0]):], reading, tax_column=False)
    rows.give("items", reading, doubtful)


def _service(item: dict) -> bool:
    """An amount alone on a line with no header over it is a service's (挂号费 10.00) only when
    its name ends as a service's does ([vat_items] service_endings) and something was charged:
    押金 24.00, 预交金 0.00 are sums a till prints, not goods."""
    endings = tuple(label_rules().get("vat_items", {}).get("service_endings", []))
    return Decimal(item["amount"]) > 0 and item["name"].endswith(endings)


def _skipped(line: Line) -> bool:
    """A line among the goods that is none of them: a code, a detail, a discount, a rule."""
    return bool(CODE_LINE.match(line.text) or DISCOUNT.match(line.text) or RULE_LINE.match(line.text))


def _subtotal_between(lines: list[Line], at: int) -> bool:
    """A row's own 小计 under it with more goods after it (the last is the goods' sum)."""
    following = next((line for line in lines[at + 1:] if not _skipped(line)), None)
    return row_subtotal(lines[at], lines[at - 1]) and following is not None and not _TOTAL_WORD.search(
        following.text)


def _headerless_run(lines: list[Line], start: int, min_confidence: float) -> tuple[_Rows, int]:
    """The goods rows from `start` on, up to the first line that is none, and where they end."""
    rows, at = _Rows(), start
    while at < len(lines):
        line = lines[at]
        if rows.items and (_skipped(line) or _subtotal_between(lines, at)):
            at += 1
            continue
        number = len(rows.items) + 1
        text = without_row_number(line.text, number)
        item = named(text, spec_column=True)
        if item is not None and "quantity" not in item and not _service(item):
            item = None
        used = [line]
        if item is None:
            names = []
            # A name wrapped over two lines above its figures lies between two rows: above the
            # first, the line over its name may be a heading as wide as the names (a shop's).
            for other in lines[at:at + (2 if rows.items else 1)]:
                if not plain_name(without_row_number(other.text, number)) or (
                        names and not _wraps(names[-1], other, lines, at)):
                    break  # a line above the name is its first only when the name wrapped
                names.append(other)
                follow = next((n for n in range(at + len(names), min(len(lines), at + len(names) + 3))
                               if not _skipped(lines[n])), None)
                if follow is not None and (values := till_figures(lines[follow].text)) is not None:
                    name = without_code("".join(without_row_number(one.text, number).strip()
                                                for one in names))
                    item, used = {"name": _SPACE_BY_CJK.sub("", name), **values}, [*names, lines[follow]]
                    at = follow
                    break
        # A row's line ends in its figures: a name under it is its only when the row's name
        # wrapped (a note under a row, 处方药, is no part of its name).
        if item is None and rows.items and rows.lines[-1] is lines[at - 1] and plain_name(text) and (
                at + 1 >= len(lines) or till_figures(lines[at + 1].text) is None) and (
                named(lines[at - 1].text) is not None and _wraps(lines[at - 1], line, lines, start)):
            rows.items[-1]["name"] += _SPACE_BY_CJK.sub("", text.strip())  # a long name wrapped
            at += 1
            continue
        if item is None:
            break
        above = lines[start - 1] if start else None
        if not rows.items and above is not None and plain_name(above.text) and _wraps(
                above, used[0], lines, start - 1):
            # The line over the first row's name may be its name's first line, or a heading as
            # wide: which is not known, and the list is not given.
            rows.unreadable.append(above.text)
        kept = {key: item[key] for key in ("name", "spec", "quantity", "unit_price", "amount") if key in item}
        rows.add(used[-1], kept, all(confident(one, 0, len(one.text), min_confidence) for one in used))
        at += 1
    return rows, at


def _wraps(line: Line, under: Line, lines: list[Line], start: int) -> bool:
    """Whether the text of `line` wrapped onto `under`: both begin at the same left, and `line`
    reaches as far right as the widest other line from `start` to the sum that prints a goods
    name (a goods line, a name alone: the width the roll gives a name; within most of a
    character). A shop's name or a greeting above the first goods name is narrower than the names
    under it; a note under a row (处方药) follows a line that did not fill. Without boxes: no."""
    first, second = union(line.boxes), union(under.boxes)
    if first is None or second is None or abs(first[0] - second[0]) >= ALIGNED:
        return False
    end = next((n for n in range(start, len(lines)) if _TOTAL_WORD.search(lines[n].text)), len(lines))
    rights = [box[2] for other in lines[start:end]
              if other is not line and (named(other.text) is not None or plain_name(other.text))
              and (box := union(other.boxes)) is not None]
    last = next((box for box in reversed(line.boxes) if box is not None), None)
    return bool(rights) and last is not None and first[2] >= max(rights) - 0.75 * (last[2] - last[0])

