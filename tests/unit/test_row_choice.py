"""Statement rows on OCR pages whose figures read more than one way, chosen by the sums the
table prints (archive/ocr/row_choice.py), and a column's cells that the engine read down the
column as one word given back to their rows (archive/ocr/table_rows.py `split_column_runs`).
Hand-made OCR lines, as in test_table_rows."""

from decimal import Decimal

from archive.ocr import tables
from archive.ocr.fields import FIELD_MIN_CONFIDENCE, read_fields
from archive.ocr.lines import FieldReading, Line
from archive.ocr.row_choice import Pending, choose
from archive.ocr.table_rows import figure_candidates
from tests.unit.test_table_rows import (
    AMOUNT,
    CLASS,
    HEIGHT,
    NAME,
    PRICE,
    QUANTITY,
    SPEC,
    _ocr_line,
    _statement,
)

# 护理费 printed at 265.08 × 1 = 265.08, its amount read 265.68 (0 read as 6): the row multiplies
# out with the amount read as 265.08 or with the price read as 265.68.
_DOUBTFUL = ("护理费", "日", "265.08", "1", "265.68", "甲")
_OXYGEN = ("吸氧", "小时", "168.45", "2", "336.90", "甲")
_COLUMNS = (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS)


def _row(cells: tuple[str, ...], top: float) -> Line:
    return _ocr_line(list(zip(cells, _COLUMNS, strict=True)), top)


def _items(total: str, page_subtotal: str | None = None, oxygen: tuple[str, ...] = _OXYGEN) -> object:
    rows = [_row(_DOUBTFUL, 0.24), _row(oxygen, 0.27)]
    if page_subtotal:
        rows.append(_ocr_line([("本页小计", NAME), (page_subtotal, AMOUNT)], 0.30))
    return read_fields("daily_statement", _statement(rows, total))


def test_a_row_that_multiplies_out_two_ways_alone_is_two_readings():
    assert figure_candidates("265.08", "1", "265.68") == [("265.68", "1", "265.68"),
                                                          ("265.08", "1", "265.08")]


def _unread_items(reading) -> list[str]:
    return [item["reason"] for item in reading.unreadable if item["field"] == "items"]


def test_a_page_subtotal_chooses_the_one_reading_under_which_the_rows_add_up():
    """Chosen by the subtotal, confirmed by the day's total: two sums printed and read apart."""
    reading = _items("601.98", page_subtotal="601.98")
    assert reading.fields["items"] == [
        {"name": "护理费", "spec": "日", "unit_price": "265.08", "quantity": "1", "amount": "265.08",
         "insurance_class": "甲"},
        {"name": "吸氧", "spec": "小时", "unit_price": "168.45", "quantity": "2", "amount": "336.90",
         "insurance_class": "甲"}]


def test_the_day_total_alone_does_not_choose_the_rows_it_then_confirms():
    """The same rows with no subtotal: the day's total would be both the choice and its only
    check, so the row stays unread."""
    reading = _items("601.98")
    assert "items" not in reading.fields
    assert _unread_items(reading) == ["row_unreadable"]


def test_a_day_total_misread_as_the_row_was_does_not_give_a_wrong_list():
    """护理费 265.08 × 1, its amount read 265.68; 吸氧 168.00 × 2 = 336.00; the total printed
    601.08 read 601.68 (0 as 6 again). Chosen by that total, 护理费 would read 265.68 × 1 = 265.68
    and the total would confirm it: a wrong amount taken as sure."""
    reading = _items("601.68", oxygen=("吸氧", "小时", "168.00", "2", "336.00", "甲"))
    assert "items" not in reading.fields
    assert _unread_items(reading) == ["row_unreadable"]


def test_a_day_total_upheld_by_its_capital_amount_chooses(monkeypatch):
    """No daily statement reads a capital day total yet ([corroborates]); one read with confidence
    and agreeing is a check apart from the rows, so the day's total may choose by it."""
    monkeypatch.setattr(tables, "label_rules", lambda: {
        "corroborates": {"daily_statement": [["daily_total", "daily_total_capital"]]}})
    lines = _statement([_row(_DOUBTFUL, 0.24), _row(_OXYGEN, 0.27)], "601.98")

    def chosen(capital: str) -> list[str] | None:
        reading = FieldReading(fields={"daily_total": "601.98", "daily_total_capital": capital})
        doubtful: dict[str, tuple] = {}
        tables.statement_items(lines, reading, FIELD_MIN_CONFIDENCE, doubtful)
        return [item["amount"] for item in doubtful["items"][0]] if "items" in doubtful else None

    assert chosen("601.98") == ["265.08", "336.90"]
    assert chosen("601.08") is None


def test_no_reading_that_adds_up_leaves_the_list_absent():
    """The total printed fits neither reading (a row lost, or the total misread): nothing is
    chosen, the list is not given."""
    reading = _items("600.00", page_subtotal="600.00")
    assert "items" not in reading.fields
    assert _unread_items(reading) == ["row_unreadable"]


def test_two_combinations_that_add_up_choose_nothing():
    first = Pending(0, [(None, {"amount": "1.00"}, False, None), (None, {"amount": "2.00"}, False, None)])
    second = Pending(1, [(None, {"amount": "2.00"}, False, None), (None, {"amount": "1.00"}, False, None)])
    assert choose([None, None], [first, second], target=Decimal("3.00")) is None
    assert choose([None, None], [first, second], target=Decimal("4.00")) == [1, 0]


def _column_run(text: str, left: float, top: float, bottom: float) -> Line:
    """One word read down a column: its characters side by side in the box, each the whole
    height (as the engine gives a word's characters)."""
    width = 0.015
    boxes = tuple((left + n * width / len(text), top, left + (n + 1) * width / len(text), bottom)
                  for n in range(len(text)))
    return Line(text, (99.0,) * len(text), boxes, 1)


def test_spec_cells_read_down_the_column_as_one_word_are_given_back_to_their_rows():
    rows = [_ocr_line([("静脉输液", NAME), ("124.26", PRICE), ("3", QUANTITY), ("372.78", AMOUNT),
                       ("甲", CLASS)], 0.24),
            _ocr_line([("一级护理", NAME), ("298.97", PRICE), ("1", QUANTITY), ("298.97", AMOUNT),
                       ("甲", CLASS)], 0.264),
            _column_run("次日次", SPEC, 0.24, 0.288 + HEIGHT),
            _ocr_line([("换药", NAME), ("250.83", PRICE), ("3", QUANTITY), ("752.49", AMOUNT),
                       ("甲", CLASS)], 0.288)]
    reading = read_fields("daily_statement", _statement(rows, "1424.24"))
    assert [(item["name"], item["spec"]) for item in reading.fields["items"]] == [
        ("静脉输液", "次"), ("一级护理", "日"), ("换药", "次")]


def test_a_column_run_with_more_characters_than_rows_beside_it_is_not_split():
    rows = [_ocr_line([("静脉输液", NAME), ("124.26", PRICE), ("3", QUANTITY), ("372.78", AMOUNT),
                       ("甲", CLASS)], 0.24),
            _column_run("次日次", SPEC, 0.24, 0.264 + HEIGHT),
            _ocr_line([("一级护理", NAME), ("298.97", PRICE), ("1", QUANTITY), ("298.97", AMOUNT),
                       ("甲", CLASS)], 0.264)]
    reading = read_fields("daily_statement", _statement(rows, "671.75"))
    assert "items" not in reading.fields
