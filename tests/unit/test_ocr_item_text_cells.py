"""A statement row's name and unit on an OCR page are vouched for by nothing else on the page: the
figures multiply out and the day's total adds up whatever they say. So they are taken as read only
at a confidence misread characters rarely get and only of their kind's form (archive/ocr/item_cells.py);
otherwise the row is not read and the list is absent, flagged. Hand-made OCR lines as in
test_table_rows: the second row's cells each read as the engine's own word."""

import pytest

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_table_rows import AMOUNT, CLASS, NAME, PRICE, QUANTITY, SPEC, _ocr_line, _statement

# Neither name is on the reference catalogue: nothing but the page vouches for them.
_FIRST = ("吸痰护理", "次", "168.45", "2", "336.90", "甲")
_SECOND_FIGURES = (("265.08", PRICE), ("1", QUANTITY), ("265.08", AMOUNT))


def _lines(name: str, spec: str, *, name_confidence: float = 95.0, spec_confidence: float = 95.0,
           class_confidence: float = 95.0) -> list[Line]:
    """The statement with two rows and the day's total 601.98, the second row's name, spec and
    class read at the confidences given (the engine's words, one row on the page)."""
    top = 0.27
    rows = [_ocr_line(list(zip(_FIRST, (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS), strict=True)), 0.24),
            _ocr_line([(name, NAME)], top, confidence=name_confidence),
            _ocr_line([(spec, SPEC)], top, confidence=spec_confidence),
            _ocr_line(list(_SECOND_FIGURES), top),
            _ocr_line([("甲", CLASS)], top, confidence=class_confidence)]
    return _statement(rows, "601.98")


def _item_reasons(reading) -> list[str]:
    return [item["reason"] for item in reading.unreadable if item["field"] == "items"]


def test_rows_whose_name_and_unit_were_read_with_confidence_are_given():
    reading = read_fields("daily_statement", _lines("口腔护理", "日"))
    assert [(item["name"], item["spec"]) for item in reading.fields["items"]] == [
        ("吸痰护理", "次"), ("口腔护理", "日")]


def test_a_name_read_at_a_middling_confidence_is_not_taken_by_its_figures_and_the_total():
    """口腔护理 with a character read at 65 (above the page's threshold of 50): a misread character
    there (口腔 for 口咽) keeps every figure and sum, so nothing on the page shows it."""
    reading = read_fields("daily_statement", _lines("口腔护理", "日", name_confidence=65.0))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]


def test_a_chinese_unit_read_at_a_middling_confidence_is_not_taken():
    reading = read_fields("daily_statement", _lines("口腔护理", "日", spec_confidence=65.0))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]


def test_a_class_read_at_a_middling_confidence_is_not_taken_unless_the_catalogue_bills_it():
    """甲 at 65 for an item the catalogue does not know (乙 and 甲 differ by a stroke)."""
    reading = read_fields("daily_statement", _lines("口腔护理", "日", class_confidence=65.0))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]


def test_a_unit_of_the_units_list_is_read():
    reading = read_fields("daily_statement", _lines("口腔护理", "人次"))
    assert [item["spec"] for item in reading.fields["items"]] == ["次", "人次"]


def test_a_dose_keeps_the_page_threshold_its_latin_letters_read_lower():
    """10ml at 60 (PP-OCR reads a dose's letters lower than Chinese); its form holds."""
    reading = read_fields("daily_statement", _lines("口腔护理", "10ml", spec_confidence=60.0))
    assert [item["spec"] for item in reading.fields["items"]] == ["次", "10ml"]


@pytest.mark.parametrize(("name", "spec"), [
    ("口腔护理", "0.259"),  # 0.25g with its g read as 9: a dose ends in its unit
    ("口腔护理", "次|"),  # a rule's stroke read into the unit cell
    ("口腔|护理", "日"),  # ... and into the name
    ("彩色多普勒", "超声次"),  # a name's tail slid into the unit column on a photo: no unit
])
def test_a_cell_not_of_its_kind_s_form_is_not_taken_however_confident(name, spec):
    reading = read_fields("daily_statement", _lines(name, spec))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]


def _repeated(second_name: str, second_price: str = "168.45") -> list[Line]:
    columns = (NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS)
    rows = [_ocr_line(list(zip(_FIRST, columns, strict=True)), 0.24),
            _ocr_line(list(zip((second_name, "次", second_price, "1", second_price, "甲"), columns,
                               strict=True)), 0.27)]
    total = f"{336.90 + float(second_price):.2f}"
    return _statement(rows, total)


def test_the_same_item_printed_twice_under_names_one_character_apart_is_not_given():
    """吸痰护理 at the same price and unit as 吸疾护理 two rows down: one name is misread (both read
    with confidence), which neither name alone, the figures nor the total can show."""
    reading = read_fields("daily_statement", _repeated("吸疾护理"))
    assert "items" not in reading.fields
    assert _item_reasons(reading) == ["row_unreadable"]


@pytest.mark.parametrize(("name", "price"), [("吸痰护理", "168.45"), ("吸疾护理", "98.20")])
def test_the_same_name_twice_or_a_near_name_at_another_price_is_read(name, price):
    reading = read_fields("daily_statement", _repeated(name, price))
    assert [item["name"] for item in reading.fields["items"]] == ["吸痰护理", name]
