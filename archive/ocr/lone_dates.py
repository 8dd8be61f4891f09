"""A date printed with no label, as paper bills print their issue date (a `年 月 日` row in the
head or foot of a provincial bill, filled in by the printer; [lone_date] in labels.toml).

When the field was not read by a label (nor seen and refused), and the document holds exactly one
date that stands alone in its cell (nothing but the date between wide gaps), that date is the
field's. It is reported (`matched`, no label) for a person to confirm. Two such dates, or none:
nothing is taken.
"""

from __future__ import annotations

import re

from archive.ocr.cells import segments
from archive.ocr.field_values import Candidate, take
from archive.ocr.label_match import is_label
from archive.ocr.lines import FieldReading, Line

_LONE_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                        r"|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}")


def lone_date(lines: list[Line], name: str | None, rules: dict[str, dict], reading: FieldReading,
              min_confidence: float) -> None:
    if not name or name not in rules or name in reading.fields or any(
            item["field"] == name for item in reading.unreadable):
        return
    found: dict[str, Candidate] = {}
    for line in lines:
        cells = segments(line.text)
        for number, (start, stop) in enumerate(cells):
            cell = line.text[start:stop]
            if not _LONE_DATE.fullmatch(cell.strip()):
                continue
            if number and _labelled(line.text[slice(*cells[number - 1])]):
                continue  # the value of the label in the cell before it (打印时间  2026-03-05)
            confidences = line.confidences[start:stop] if line.confidences is not None else None
            candidate = Candidate(cell, confidences, line.boxes[start:stop] if line.boxes else (), line.page)
            value, reason = take(rules[name], candidate, min_confidence)
            if reason is not None:
                return  # a date not read for sure: which one is it?
            found.setdefault(str(value), candidate)
    if len(found) != 1:
        return
    (value, candidate), = found.items()
    reading.fields[name] = value
    if (source := candidate.source()) is not None:
        reading.sources[name] = source
    reading.matched.append({"field": name, "read": candidate.text, "label": "", "known": value})


def _labelled(cell: str) -> bool:
    return is_label(cell) or bool(re.search(r"[:：;；]\s*$", cell))
