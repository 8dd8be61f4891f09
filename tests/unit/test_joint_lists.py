"""A sum with a list among its terms is not repaired by the joint choice on a page read by OCR
(archive/ocr/joint.py `choose_jointly`): a misread item list would otherwise take, of the
figures read after the total's labels, the one that is its own sum, and stand confirmed by a
total it chose. From a text layer the values are what was printed and the choice stays."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_table_rows import AMOUNT, CLASS, NAME, PRICE, QUANTITY, SPEC, _ocr_line, _statement

_ROWS = (("吸氧", "小时", "168.45", "2", "336.90", "甲"), ("护理费", "日", "265.08", "1", "265.08", "甲"))


def _page() -> list[Line]:
    """The rows read add up to 601.98; the day's total, first read after 合计, is 610.98, and a
    second 合计 further down (a page's subtotal, say) reads 601.98: the one figure read for the
    total that the rows add up to."""
    rows = [_ocr_line(list(zip(cells, (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS), strict=True)),
                      0.24 + 0.03 * n) for n, cells in enumerate(_ROWS)]
    lines = _statement([*rows, _ocr_line([("合计：", 0.11), ("610.98", 0.20)], 0.30)], "")
    return [*lines[:-1], _ocr_line([("合计：", 0.11), ("601.98", 0.20)], 0.40)]


def test_an_ocr_page_list_does_not_choose_the_total_that_confirms_it():
    reading = read_fields("daily_statement", _page())
    assert "items" not in reading.fields
    assert {"field": "items", "read": "336.90 + 265.08", "reason": "contradicted"} in reading.unreadable
    # The total as first read is not replaced; nothing else upholds it, so it is refused too.
    assert "daily_total" not in reading.fields
    assert {"field": "daily_total", "read": "610.98", "reason": "contradicted"} in reading.unreadable


def test_a_text_layer_keeps_the_total_its_rows_add_up_to():
    lines = [Line(line.text) for line in _page()]
    reading = read_fields("daily_statement", lines)
    assert reading.fields["daily_total"] == "601.98"
    assert [item["amount"] for item in reading.fields["items"]] == ["336.90", "265.08"]
