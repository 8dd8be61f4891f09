"""The one writer for spreadsheet exports (CSV and XLSX): every export goes through `write_csv`
or `write_xlsx`.

A cell a spreadsheet would run as a formula (CSV injection: `=HYPERLINK(…)`, `+cmd|…`, `@SUM`,
and a leading tab or carriage return that some programs skip before looking) is written with
a leading apostrophe, which shows the text as typed. Numbers — ints, Decimals, and strings that
are plainly a number such as "-12.50" — are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import BinaryIO, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
BOM = "\ufeff"  # so spreadsheet programs read UTF-8 (Chinese) correctly


def cell(value: object) -> object:
    """A value as a spreadsheet will take it without running it."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(out: TextIO, header: Iterable[object], rows: Iterable[Iterable[object]], *,
              bom: bool = True) -> int:
    """Header and rows as CSV (CRLF line ends, UTF-8 BOM first unless bom=False); returns the
    number of rows written after the header."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


SHEET_NAME_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


Sheet = tuple[str, Iterable[object], Iterable[Iterable[object]]]  # title, header, rows


def write_xlsx(out: BinaryIO, sheets: Iterable[Sheet]) -> int:
    """Sheets of (title, header, rows) as an XLSX workbook; returns the rows written after the
    headers. Text is stored as text (never as a formula), after the same `cell` as CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    count, used = 0, set()
    for title, header, rows in sheets:
        name = SHEET_NAME_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet"
        while name in used:  # titles must be unique within a workbook
            name = f"{name[:28]}~{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)

        def line(values, sheet=sheet):
            cells = []
            for value in values:
                shown = cell(value)
                written = WriteOnlyCell(sheet, value=None if shown == "" else shown)
                if isinstance(shown, str):
                    written.data_type = "s"
                cells.append(written)
            return cells

        sheet.append(line(header))
        for row in rows:
            sheet.append(line(row))
            count += 1
    book.save(out)
    return count
