"""Doubtful readings taken as names the agency knows (storage_config/reference.toml), and capital
amounts checked against their figures: taken only where nothing else fits, never guessed.

Real tesseract tools are used to learn which characters the chi_sim model can write."""

from archive.ocr.charset import writable_characters
from archive.ocr.extract import matched_finding, recheck
from archive.ocr.reference import fits, known_name
from tests.unit.test_fields import read

STATEMENT_HEAD = ("姓名：王伟    住院号：123456", "医院：县人民医院    科室：内科", "日期：2026-03-05",
                  "项目    规格    单价    数量    金额    类别")


def test_a_doubtful_misread_of_a_listed_provider_is_that_provider():
    reading = read("daily_statement", "医院：县人民[艾]院    科室：内科")
    assert reading.fields["hospital"] == "县人民医院"
    assert reading.matched == [{"field": "hospital", "read": "县人民艾院", "known": "县人民医院"}]
    assert not [item for item in reading.unreadable if item["field"] == "hospital"]


def test_a_character_read_with_confidence_is_never_changed():
    assert known_name("县人民艾院", [95.0] * 5, "providers") is None
    # 县 is sure, so 市人民医院 and 区人民医院 do not fit; 县人民医院 does
    assert known_name("县人民艾院", [95, 95, 95, 40, 95], "providers") == "县人民医院"
    # read as it is, with confidence, a name not on the list is taken as read
    assert read("daily_statement", "医院：县人民艾院    科室：内科").fields["hospital"] == "县人民艾院"


def test_a_doubtful_reading_two_names_fit_equally_well_stays_unread():
    reading = read("daily_statement", "医院：县人民医院    科室：[外]科")  # 外科 or 内科?
    assert "department" not in reading.fields
    assert reading.unreadable == [{"field": "department", "read": "外科", "reason": "low_confidence"}]
    assert known_name("县人民艾院", [40, 95, 95, 40, 95], "providers") is None  # 县/市/区 as likely


def test_the_cheapest_name_must_be_clearly_cheaper_than_the_next():
    # 股骨干骨折 is one misread away too: it costs the confidence of 颈
    assert known_name("股骨颈消折", [92, 92, 80, 0, 87], "diagnoses") == "股骨颈骨折"
    assert known_name("股骨颈消折", [92, 92, 30, 0, 87], "diagnoses") is None


def test_a_name_may_differ_in_one_character_in_three_at_most():
    assert known_name("县民院", [95, 0, 95], "providers") is None  # two added: too far from 县人民医院
    assert known_name("内", [30], "departments") is None


def test_a_character_the_model_cannot_write_stands_for_whatever_was_read():
    assert "呋" not in writable_characters("chi_sim")
    # chi_sim reads 呋 as 叶, confidently: 头孢呋辛钠 still fits, 头孢唑林钠 does not (辛 is sure)
    assert known_name("头孢叶辛钠", [85, 85, 93, 0, 91], "catalogue") == "头孢呋辛钠"


def test_a_text_layer_takes_only_names_as_printed():
    assert known_name("县人民艾院", None, "providers") is None
    assert known_name("县人民医院", None, "providers") == "县人民医院"
    # A text layer can hold 呋: one without it names something else.
    assert known_name("头孢叶辛钠", None, "catalogue") is None


def test_a_name_split_by_a_wide_gap_is_read_whole():
    assert read("agreement", "乙方：县  中医院").fields["party_b"] == "县中医院"


def test_a_doubtful_item_is_the_catalogue_name_and_the_list_still_needs_its_total():
    row = "头孢[味]辛钠    0.75g    117.18    3    351.54    甲"
    reading = read("daily_statement", *STATEMENT_HEAD, row, "当日合计：351.54")
    assert reading.fields["items"] == [{"name": "头孢呋辛钠", "spec": "0.75g", "unit_price": "117.18",
                                        "quantity": "3", "amount": "351.54", "insurance_class": "甲"}]
    assert reading.matched[0]["known"] == "头孢呋辛钠 0.75g"
    assert "items" not in read("daily_statement", *STATEMENT_HEAD, row, "当日合计：351.55").fields


def test_a_spec_run_into_a_listed_name_is_split_and_a_misread_unit_is_the_billed_one():
    rows = ("血常规次    37.79    3    113.37    甲", "护理费    [旦]    272.11    1    272.11    甲")
    items = read("daily_statement", *STATEMENT_HEAD, *rows, "当日合计：385.48").fields["items"]
    assert [(item["name"], item["spec"]) for item in items] == [("血常规", "次"), ("护理费", "日")]
    assert fits("旦", [80.0], "日") and not fits("次", [95.0], "日")


def test_a_capital_amount_agreeing_with_its_figures_but_for_one_unread_character_is_taken():
    reading = read("invoice", "合计（小写）：¥2,937.67", "合计（大写）：[于]仟玖佰叁拾柒元陆角柒分")
    assert reading.fields["total_amount_capital"] == "2937.67"
    assert reading.matched == [{"field": "total_amount_capital", "read": "于仟玖佰叁拾柒元陆角柒分",
                                "known": "贰仟玖佰叁拾柒元陆角柒分", "unread": [1]}]
    finding = matched_finding("invoice", reading.matched[0], "")
    assert finding["severity"] == "info" and "第 1 字未能辨认" in finding["message"]


def test_a_capital_amount_with_two_unread_characters_or_another_numeral_is_not_taken():
    for capital in ("[于]仟玖佰[尽]拾柒元陆角柒分",  # two characters not read
                    "[于]仟玖佰叁拾[捌]元陆角柒分",  # 捌 where the figures say 柒, however doubtful
                    "[于]仟玖佰叁拾柒元陆角"):  # not as many characters
        reading = read("invoice", "合计（小写）：¥2,937.67", f"合计（大写）：{capital}")
        assert "total_amount_capital" not in reading.fields, capital
    alone = read("invoice", "合计（大写）：[于]仟玖佰叁拾柒元陆角柒分")
    assert "total_amount_capital" not in alone.fields  # no figures to check against


def test_a_matched_value_keeps_its_note_until_a_person_corrects_it():
    note = {"code": "field_matched", "severity": "info", "field": "hospital", "message": "…"}
    assert note in recheck("daily_statement", {}, [note], corrected=set())
    assert note not in recheck("daily_statement", {}, [note], corrected={"hospital"})
