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


_SECOND_PAGE = (("尿常规", "次", "48.83", "1", "48.83", "甲"),
                ("一级护理", "日", "169.02", "2", "338.04", "甲"))


def _two_pages_on_one_image(between: list[tuple[str, float]]) -> list[Line]:
    """A two-page statement photographed as one image (one page to the reader): page 1's rows,
    its subtotal and running sum, then `between` (each a line's text at the name column), then
    page 2's rows under no header, its subtotal, and the day's total."""
    columns = (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS)
    lines = [*_rows(), _ocr_line([("本页合计", NAME), ("601.98", AMOUNT)], 0.30),
             _ocr_line([("累计", NAME), ("601.98", AMOUNT)], 0.32)]
    top = 0.34
    for text, left in between:
        lines.append(_ocr_line([(text, left)], top))
        top += 0.02
    for cells in _SECOND_PAGE:
        lines.append(_ocr_line(list(zip(cells, columns, strict=True)), top))
        top += 0.03
    lines.append(_ocr_line([("本页合计", NAME), ("386.87", AMOUNT)], top))
    return _statement(lines, "988.85")


def _amounts(reading) -> list[str] | None:
    return [item["amount"] for item in reading.fields["items"]] if "items" in reading.fields else None


def test_the_next_page_rows_after_a_carried_sum_on_the_same_image_are_read():
    lines = _two_pages_on_one_image([("（续表）", 0.40), ("承前页  601.98", NAME)])
    assert _amounts(read_fields("daily_statement", lines)) == ["336.90", "265.08", "48.83", "338.04"]


def test_the_next_page_rows_after_a_page_footer_on_the_same_image_are_read():
    lines = _two_pages_on_one_image([("第 1 页 共 2 页", 0.40), ("姓名：武彤  住院号：517606", NAME)])
    assert _amounts(read_fields("daily_statement", lines)) == ["336.90", "265.08", "48.83", "338.04"]


def test_rows_after_a_subtotal_with_no_page_break_read_are_still_not_taken():
    """No footer, no carried sum, no header between: nothing says a page begins, so lines after
    a subtotal on the same image are no rows, and the day's total does not hold."""
    reading = read_fields("daily_statement", _two_pages_on_one_image([("说明：本清单仅供参考", NAME)]))
    assert "items" not in reading.fields
