"""Scanned item rows and the catalogue (storage_config/reference.toml): a listed name helps read a
row, and never makes a longer, unlisted name into the listed one."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
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


def test_a_dose_in_millilitres_read_with_a_one_for_its_l_is_millilitres():
    reading = _items("氨溴索注射液    2m1    166.21    1    166.21    乙", total="166.21")
    assert reading.fields["items"][0]["spec"] == "2ml"


def test_a_scanned_vat_items_spec_with_its_unit_set_apart_is_parted_from_the_name():
    header = _ocr_line([("药品名称", 0.09), ("/", 0.16), ("规格", 0.18), ("数量", 0.45), ("单价", 0.55),
                        ("金额", 0.66)], 0.40)
    rows = [_ocr_line([("*", 0.087), ("化学药品制剂", 0.096), ("*", 0.187), ("硝苯地平控释片", 0.196),
                       ("30mg*7 片", 0.31)], 0.43),  # the unit a narrow gap apart
            _ocr_line([("4", 0.40), ("盒", 0.42), ("145.62", 0.55), ("582.48", 0.66)], 0.46)]
    lines = [_ocr_line([("电子发票（普通发票）", 0.35)], 0.05), header, *rows,
             _ocr_line([("合计金额（小写）：¥582.48", 0.09)], 0.50)]
    items = read_fields("vat_invoice", lines).fields.get("items")
    assert items and (items[0]["name"], items[0]["spec"]) == ("*化学药品制剂*硝苯地平控释片", "30mg*7片")


def test_a_short_label_is_not_taken_from_another_fields_spaced_label_when_the_fuller_one_is_printed():
    # OCR spaces the characters of 入院日期 as it spaces cells: its 日期 stands as a word of its own.
    line = "入院  日期  ：  2026-10-15  清单日  期  ：  2026-10-21"
    assert read("daily_statement", line).fields["statement_date"] == "2026-10-21"
    doubtful = read("daily_statement", "入院  日期  ：  2026-10-15  清单日  期  ：  2026-10-2[7]")
    assert "statement_date" not in doubtful.fields  # not the admission date instead
    assert read("daily_statement", "日期：2026-10-21").fields["statement_date"] == "2026-10-21"


def test_a_scanned_credit_code_with_a_character_lost_or_a_wrong_check_is_not_taken():
    for code in ("91286799XT5F873L0", "91286799XT5F873L0R"):  # one lost; the check character misread
        reading = read("vat_invoice", f"销售方纳税人识别号：{code}")
        assert "seller_tax_id" not in reading.fields, code
        assert reading.unreadable[0]["field"] == "seller_tax_id"
    assert read("vat_invoice", "销售方纳税人识别号：91286799XT5F873L0Q").fields["seller_tax_id"] == (
        "91286799XT5F873L0Q")


def _vat_items(*rows: Line) -> list | None:
    header = _ocr_line([("项目名称", 0.09), ("规格型号", 0.30), ("数量", 0.45), ("单价", 0.55),
                        ("金额", 0.66), ("税率", 0.75), ("税额", 0.86)], 0.40)
    lines = [_ocr_line([("电子发票（普通发票）", 0.35)], 0.05), header, *rows,
             _ocr_line([("合计", 0.09), ("¥66.46", 0.66), ("¥0.66", 0.86)], 0.50)]
    return read_fields("vat_invoice", lines).fields.get("items")


def test_a_scanned_vat_item_with_its_name_or_a_figure_not_all_read_is_not_given():
    whole = [("*中成药*连花清瘟胶囊", 0.09), ("0.35g*24粒", 0.30), ("2", 0.45), ("33.23", 0.55),
             ("66.46", 0.66), ("1%", 0.75), ("0.66", 0.86)]
    assert _vat_items(_ocr_line(whole, 0.43))[0]["quantity"] == "2"
    assert _vat_items(_ocr_line([word for word in whole if word[0] != "2"], 0.43)) is None
    assert _vat_items(_ocr_line([("中成药*连花清瘟胶囊", 0.09), *whole[1:]], 0.43)) is None
    spilled = [("*中成药*", 0.09), ("连花清瘟胶囊0.35g*24粒", 0.30), *whole[2:]]  # the name in 规格
    assert _vat_items(_ocr_line(spilled, 0.43)) is None
