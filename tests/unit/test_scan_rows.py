"""Scanned item rows and the catalogue (storage_config/reference.toml): a listed name helps read a
row, and never makes a longer, unlisted name into the listed one."""

from archive.ocr.fields import read_fields
from tests.unit.test_fields import read
from tests.unit.test_reference import STATEMENT_HEAD
from tests.unit.test_table_rows import AMOUNT, CLASS, NAME, PRICE, QUANTITY, SPEC, _ocr_line, _statement


def _items(*rows: str, total: str):
    return read("daily_statement", *STATEMENT_HEAD, *rows, f"当日合计：{total}")


def test_a_longer_name_beginning_with_a_listed_one_is_not_cut_into_name_and_spec():
    # 肝功能 and 阿莫西林 are listed; 肝功能检查 and 阿莫西林胶囊 are other items, their spec run in.
    for row in ("肝功能检查次    37.79    3    113.37    甲",
                "阿莫西林胶囊0.25g    37.79    3    113.37    甲",
                "胸部X线摄影次    37.79    3    113.37    甲"):
        reading = _items(row, total="113.37")
        assert "items" not in reading.fields, row
        assert reading.unreadable == [{"field": "items", "read": row, "reason": "row_unreadable"}]


def test_a_listed_name_with_its_unit_or_a_dose_run_in_is_still_split():
    reading = _items("血常规次    37.79    3    113.37    甲", "阿莫西林0.25g    10.00    1    10.00    甲",
                     total="123.37")
    assert [(item["name"], item["spec"]) for item in reading.fields["items"]] == [
        ("血常规", "次"), ("阿莫西林", "0.25g")]


def test_a_seal_read_as_a_line_of_its_own_inside_the_table_is_no_row():
    rows = [_ocr_line([("换药", NAME), ("次", SPEC), ("250.83", PRICE), ("3", QUANTITY), ("752.49", AMOUNT),
                       ("甲", CLASS)], 0.24),
            _ocr_line([("业务专照章", 0.30)], 0.27),  # the seal's text, one character misread
            _ocr_line([("吸氧", NAME), ("小时", SPEC), ("203.48", PRICE), ("3", QUANTITY), ("610.44", AMOUNT),
                       ("甲", CLASS)], 0.30)]
    reading = read_fields("daily_statement", _statement(rows, "1362.93"))
    assert [item["name"] for item in reading.fields["items"]] == ["换药", "吸氧"]
    # A line of text with no figures that is not a seal's is still a row that did not read.
    rows[1] = _ocr_line([("注射用", 0.11)], 0.27)
    assert "items" not in read_fields("daily_statement", _statement(rows, "1362.93")).fields
