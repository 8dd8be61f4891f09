"""Every spreadsheet export goes through archive.tabular: cells a spreadsheet would run as a
formula are neutralised, numbers stay numbers."""

import ast
import csv
import io
from decimal import Decimal

from archive.config import REPO_ROOT
from archive.tabular import cell, write_csv


def test_formula_cells_are_written_as_text():
    for hostile in ('=HYPERLINK("http://evil.example","点击")', "+cmd|' /C calc'!A0", "-2+3+cmd|x",
                    "@SUM(A1:A9)", "\t=1+1", "\r=1", "＝1+1"):
        assert cell(hostile) == "'" + hostile


def test_numbers_and_plain_text_are_unchanged():
    assert cell("-12.50") == "-12.50" and cell(Decimal("-3.10")) == Decimal("-3.10")
    assert cell(7) == 7 and cell("张伟") == "张伟" and cell(None) == ""
    assert cell("2026-11") == "2026-11"


def test_write_csv_writes_bom_header_rows_and_neutralises_every_cell():
    out = io.StringIO()
    count = write_csv(out, ["名称", "=h"], [["=1+2", "-5"], ["ok", "@x"]])
    text = out.getvalue()
    assert count == 2 and text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["名称", "'=h"], ["'=1+2", "-5"], ["ok", "'@x"]]


def test_write_xlsx_stores_text_as_text_never_as_a_formula():
    from openpyxl import load_workbook

    from archive.tabular import write_xlsx

    out = io.BytesIO()
    count = write_xlsx(out, [("按乡镇", ["名称", "金额"], [["=1+2", Decimal("12.50")], ["城关镇", 3]]),
                             ("a/b:c", ["x"], [[None]])])
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert count == 3 and book.sheetnames == ["按乡镇", "a b c"]
    rows = [[(c.value, c.data_type) for c in row] for row in book["按乡镇"].iter_rows()]
    assert rows[1] == [("'=1+2", "s"), (12.5, "n")] and rows[2] == [("城关镇", "s"), (3, "n")]


def test_no_export_writes_a_spreadsheet_but_through_archive_tabular():
    """A CSV writer or a new openpyxl workbook anywhere else would skip the neutralising."""
    writers = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}
    found = []
    for path in sorted((REPO_ROOT / "archive").rglob("*.py")):
        if path.name == "tabular.py" and path.parent.name == "archive":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = set()
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                named = {(node.value.id, node.attr)}
            elif isinstance(node, ast.ImportFrom) and node.module:
                named = {(node.module.split(".")[0], alias.name) for alias in node.names}
            found += [f"{path.relative_to(REPO_ROOT)}:{node.lineno}" for _ in named & writers]
    assert not found, found
