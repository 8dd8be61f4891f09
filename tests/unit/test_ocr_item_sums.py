"""Item lists on OCR pages given only when a printed sum read apart from the rows confirms them
(archive/ocr/tables.py `statement_items`). Hand-made OCR lines, as in test_table_rows."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_table_rows import AMOUNT, CLASS, NAME, PRICE, QUANTITY, SPEC, _ocr_line, _statement

_ROWS = (("吸氧", "小时", "168.45", "2", "336.90", "甲"), ("护理费", "日", "265.08", "1", "265.08", "甲"))


def _rows(top: float = 0.24) -> list[Line]:
    return [_ocr_line(list(zip(cells, (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS), strict=True)),
                      top + 0.03 * n) for n, cells in enumerate(_ROWS)]


def _with_doubtful_total(lines: list[Line]) -> list[Line]:
    """The statement with its day's total read at low confidence (a stamp over the figure)."""
    return [*lines[:-1], _ocr_line([("当日合计：", 0.11)], 0.40),
            _ocr_line([("601.98", 0.20)], 0.40, confidence=20.0)]


def _item_reasons(reading) -> list[str]:
    return [item["reason"] for item in reading.unreadable if item["field"] == "items"]


def test_rows_read_with_confidence_but_checked_by_no_printed_sum_are_not_given():
    """Every row read with confidence, the day's total not read: nothing on the page has checked
    the rows (one may be misread or lost), so the list stays absent, flagged."""
    reading = read_fields("daily_statement", _with_doubtful_total(_statement(_rows(), "601.98")))
    assert "daily_total" not in reading.fields
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["low_confidence"]


def test_the_same_rows_confirmed_by_the_day_total_are_given():
    reading = read_fields("daily_statement", _statement(_rows(), "601.98"))
    assert [item["amount"] for item in reading.fields["items"]] == ["336.90", "265.08"]


def test_rows_a_page_subtotal_read_apart_confirms_are_given_without_the_day_total():
    lines = _statement([*_rows(), _ocr_line([("本页小计", NAME), ("601.98", AMOUNT)], 0.30)], "601.98")
    reading = read_fields("daily_statement", _with_doubtful_total(lines))
    assert [item["amount"] for item in reading.fields["items"]] == ["336.90", "265.08"]


def test_a_row_whose_class_the_engine_did_not_read_is_not_read():
    """The header has a class column; one row's 乙 was read as 己 (no class): the figures multiply
    out and the rows add up to the total, yet the row would lack its class, so the list is not
    given."""
    rows = [_ocr_line([("吸氧", NAME), ("小时", SPEC), ("168.45", PRICE), ("2", QUANTITY),
                       ("336.90", AMOUNT), ("己", CLASS)], 0.24),
            _ocr_line([("护理费", NAME), ("日", SPEC), ("265.08", PRICE), ("1", QUANTITY),
                       ("265.08", AMOUNT), ("甲", CLASS)], 0.27)]
    reading = read_fields("daily_statement", _statement(rows, "601.98"))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]
