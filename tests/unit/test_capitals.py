"""Capital amounts read again (archive.ocr.capitals) and confirmed by the figures
(`[corroborates]` in labels.toml): taken where the readings agree, never guessed."""

from archive.ocr.capitals import UNREAD, capital_runs, merge_readings
from archive.ocr.fields import Line, read_fields


def reading(text: str, confidence: float = 90.0) -> list[tuple[str, float]]:
    return [(character, confidence) for character in text]


def text_of(merged) -> str:
    return "".join(character for character, _ in merged)


def test_each_model_supplies_the_numerals_only_it_can_read():
    # chi_sim on the page: 柒/仟 misread; chi_tra on the crop: 陸 for 陆, 參 for 叁, 虱 for 贰
    page = reading("贰什陆佰参拾染元整")
    traditional = reading("虱仟陸佰參拾柒元整")
    assert text_of(merge_readings(page, traditional)) == "贰仟陆佰叁拾柒元整"


def test_two_different_numerals_leave_the_character_unread():
    assert text_of(merge_readings(reading("壹仟元整"), reading("柒仟元整"))) == UNREAD + "仟元整"


def test_several_readings_supply_each_numeral_where_those_that_have_one_agree():
    # The page (black and white) and crops from it and from the grey page, by chi_sim and chi_tra.
    page = reading("孝什慰佰元整", 10.0)
    merged = merge_readings(page, reading("孝什贰佰元整", 60.0), reading("券仟哉佰元整", 80.0),
                            reading("參仟貳佰元整", 70.0))
    assert merged == [("叁", 70.0), ("仟", 80.0), ("贰", 70.0), ("佰", 80.0), ("元", 80.0), ("整", 80.0)]


def test_a_numeral_any_other_reading_contradicts_stays_unread_whatever_the_majority():
    for readings in (["壹仟元整", "柒仟元整", "壹仟元整"], ["壹仟元整", "染仟元整", "柒仟元整"]):
        assert text_of(merge_readings(*map(reading, readings))) == UNREAD + "仟元整"


def test_readings_of_different_lengths_are_not_merged():
    page = reading("贰什元整")
    assert merge_readings(page, reading("貳仟元")) == page


def test_a_character_keeps_the_confidence_of_the_reading_it_came_from():
    merged = merge_readings([("染", 20.0), ("元", 40.0)], [("柒", 70.0), ("元", 90.0)])
    assert merged == [("柒", 70.0), ("元", 90.0)]


def test_runs_are_consecutive_chinese_words_that_look_like_a_capital_amount():
    words = ["合计", "(大写", ")", ":", "壹", "仟", "贰佰", "元", "整", "¥", "1200.00", "收款人", "张三"]
    assert capital_runs(words) == [(4, 9)]
    assert capital_runs(["元", "整"]) == []  # too short to be an amount
    assert capital_runs(["医院", "人民"]) == []


def ocr(lines: dict[str, float]) -> list[Line]:
    return [Line(text, (confidence,) * len(text)) for text, confidence in lines.items()]


def test_a_doubtful_capital_amount_is_taken_when_the_figures_say_the_same():
    fields = read_fields("invoice", ocr({"合计（小写）：¥1,234.50": 92.0,
                                         "合计（大写）：壹仟贰佰叁拾肆元伍角": 30.0})).fields
    assert fields["total_amount"] == fields["total_amount_capital"] == "1234.50"


def test_two_doubtful_writings_that_agree_are_both_taken():
    reading = read_fields("invoice", ocr({"合计（小写）：¥1,234.50": 30.0,
                                          "合计（大写）：壹仟贰佰叁拾肆元伍角": 30.0}))
    assert reading.fields["total_amount"] == reading.fields["total_amount_capital"] == "1234.50"
    assert reading.unreadable == []


def test_a_doubtful_value_the_other_writing_contradicts_stays_absent_and_flagged():
    reading = read_fields("invoice", ocr({"合计（小写）：¥1,234.50": 92.0,
                                          "合计（大写）：壹仟贰佰叁拾伍元伍角": 30.0}))
    assert reading.fields["total_amount"] == "1234.50"
    assert "total_amount_capital" not in reading.fields
    assert reading.unreadable == [{"field": "total_amount_capital", "read": "壹仟贰佰叁拾伍元伍角",
                                   "reason": "low_confidence"}]
    alone = read_fields("invoice", ocr({"合计（大写）：壹仟贰佰叁拾肆元伍角": 30.0}))
    assert "total_amount_capital" not in alone.fields  # nothing to confirm it
