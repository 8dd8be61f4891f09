"""Field reading that generalises (issue 17, point 2), each mechanism on a small constructed page:
labels read with a known OCR look-alike, values glued to their label (数电票), column rules,
Kangxi radicals in a text layer, values chosen jointly under the document's sums, capital and date
order, labels shared across kinds, and labels no list knows tied to a field by their head word or
by the value's check digit."""

from dataclasses import replace

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line


def boxed(text: str, top: float, left: float = 0.05, page: int = 1) -> Line:
    """A text-layer line (no confidences): every character 0.02 wide from `left`, 0.012 high."""
    boxes = tuple((left + 0.02 * n, top, left + 0.02 * (n + 1), top + 0.012) for n in range(len(text)))
    return Line(text, None, boxes, page)


def ocr(text: str, confidence: float = 92.0) -> Line:
    return Line(text, tuple(confidence for _ in text))


def ocr_boxed(text: str, top: float, left: float, confidence: float = 92.0) -> Line:
    return replace(boxed(text, top, left), confidences=tuple(confidence for _ in text))


# Labels read with a known OCR look-alike ([ocr_confusables] in labels.toml)

def test_a_short_label_read_with_a_known_look_alike_is_that_label():
    assert read_fields("invoice", [ocr("姓各：张三")]).fields == {"payer_name": "张三"}  # 名 read as 各
    # 入 read as 人 (and 转出医院, one character off too, is no look-alike)
    assert read_fields("referral", [ocr("转人医院：省立医院")]).fields == {"to_hospital": "省立医院"}


def test_a_look_alike_that_makes_another_label_is_not_taken():
    # 转人医院 read beside a 转入医院 printed as it is: the look-alike is no label of its own, and the
    # printed one keeps its value.
    reading = read_fields("referral", [ocr("转入医院：省立医院"), ocr("转出医院：县人民医院")])
    assert reading.fields == {"to_hospital": "省立医院", "from_hospital": "县人民医院"}
    # 码 and 玛 are look-alikes, but 票据号玛 is one character from 票据号码 only: 票据代码 differs more.
    assert read_fields("invoice", [ocr("票据号玛：0012345678")]).fields == {"invoice_number": "0012345678"}


# Geometry: a value to the right on the same row, read by OCR as a line of its own

def test_a_value_read_as_another_line_to_the_right_on_the_same_row_is_the_labels():
    # OCR reads a ruled form column block by column block: the labels' lines come first, each
    # ending with its label; the values are lines of the next block, on the same rows.
    lines = [ocr_boxed("合计（小写）", 0.50, 0.05), ocr_boxed("统筹基金支付", 0.53, 0.05),
             ocr_boxed("1141.92", 0.56, 0.05),
             ocr_boxed("1631.32", 0.50, 0.40)]
    assert read_fields("invoice", lines).fields == {"total_amount": "1631.32", "fund_paid": "1141.92"}


def test_a_label_to_the_right_on_the_same_row_sends_the_search_below():
    lines = [ocr_boxed("交款人", 0.20, 0.05), ocr_boxed("医保编号", 0.20, 0.40),
             ocr_boxed("萧雨建", 0.23, 0.05), ocr_boxed("431510193932", 0.23, 0.40)]
    fields = read_fields("invoice", lines).fields
    assert fields == {"payer_name": "萧雨建", "insurance_number": "431510193932"}


# Values glued to their label, column rules, Kangxi radicals: a 数电票's text layer

DIGITAL_INVOICE = [
    boxed("电子发票（普通发票）  发票号码：24112000000048542163", 0.05),
    boxed("开票⽇期：2024年05⽉28⽇", 0.08),  # ⽇ and ⽉: the Kangxi radicals, as many 数电票 map them
    boxed("价税合计（⼤写） ⊗肆仟肆佰肆拾玖圆整 （⼩写）¥4449.00", 0.80),
]


def test_a_fully_digitalised_invoice_total_glued_to_its_label_is_read():
    reading = read_fields("vat_invoice", DIGITAL_INVOICE)
    assert reading.fields == {"invoice_number": "24112000000048542163", "issue_date": "2024-05-28",
                              "total_amount": "4449.00", "total_amount_capital": "4449.00"}
    assert reading.unreadable == []
    # each value keeps where it was printed, the boxes still lined up with the folded characters
    line = DIGITAL_INVOICE[2]
    assert reading.sources["total_amount"]["boxes"][0][0] == line.boxes[line.text.index("¥")][0]


def test_a_label_glued_to_text_is_no_label():
    # Only a value whose first characters show its type may follow its label without a separator:
    # figures, a date, or a person's name of two to four characters ending the word (交款人张三,
    # tests/unit/test_field_payer_matrix.py); a longer run of text is no label and its value.
    assert "payer_name" not in read_fields("invoice", [boxed("交款人张三丰收款单位", 0.1)]).fields
    assert "insurance_type" not in read_fields("invoice", [boxed("医保类型城乡居民", 0.1)]).fields


def test_a_wide_gap_inside_a_date_does_not_end_it():
    # OCR spaces a date's units apart; a gap before 年, 月 or 日 is inside the date.
    fields = read_fields("agreement", [ocr("协议期限  2025 年 01  月 01 日  至 2025 年 12 月 31 日")]).fields
    assert fields == {"valid_from": "2025-01-01", "valid_to": "2025-12-31"}


def test_a_column_rule_ends_a_value():
    fields = read_fields("invoice", [boxed("交款人：张三│医保编号：721726665471", 0.1)]).fields
    assert fields == {"payer_name": "张三", "insurance_number": "721726665471"}


# Values chosen jointly under the document's own constraints

SPLIT = "统筹基金支付：100.00  个人账户支付：20.00  个人自付：30.00  个人自费：0.00"


def test_a_total_that_breaks_the_sum_gives_way_to_the_one_that_keeps_it():
    # The label is printed twice (a subtotal above, the total below); the parts say which is the total.
    lines = [boxed("合计（小写）：100.00", 0.3), boxed("合计（小写）：150.00", 0.5), boxed(SPLIT, 0.6)]
    reading = read_fields("invoice", lines)
    assert reading.fields["total_amount"] == "150.00"
    assert reading.sources["total_amount"]["boxes"][0][1] == 0.5  # and where it was read with it


def test_no_value_is_made_up_to_keep_a_sum():
    # Nothing read makes the sum hold: the first reading stays, and the checks report the mismatch.
    lines = [boxed("合计（小写）：100.00", 0.3), boxed("合计（小写）：120.00", 0.5), boxed(SPLIT, 0.6)]
    assert read_fields("invoice", lines).fields["total_amount"] == "100.00"


def test_the_capital_amount_chooses_between_two_totals():
    lines = [boxed("合计（小写）：100.00", 0.3), boxed("合计（小写）：150.00", 0.5),
             boxed("合计（大写）：壹佰伍拾元整", 0.6)]
    fields = read_fields("invoice", lines).fields
    assert fields["total_amount"] == "150.00" == fields["total_amount_capital"]


def test_a_total_both_the_parts_and_the_capital_contradict_is_refused_not_replaced():
    lines = [boxed("合计（小写）：100.00", 0.3), boxed("合计（大写）：壹佰伍拾元整", 0.4), boxed(SPLIT, 0.6)]
    reading = read_fields("invoice", lines)
    assert "total_amount" not in reading.fields  # absent, and a person is asked to read it
    assert {"field": "total_amount", "read": "100.00", "reason": "contradicted"} in reading.unreadable
    # One constraint alone (the capital, the split not printed) refuses nothing.
    assert read_fields("invoice", lines[:2]).fields["total_amount"] == "100.00"


def test_dates_in_order():
    lines = [boxed("入院日期：2026-03-05  出院日期：2026-03-01", 0.2), boxed("出院日期：2026-03-09", 0.4)]
    fields = read_fields("invoice", lines).fields
    assert (fields["admission_date"], fields["discharge_date"]) == ("2026-03-05", "2026-03-09")


# Labels shared across kinds, labels no list knows

def test_a_field_is_read_by_another_kinds_label_for_it():
    # 收款单位 is the bill's label for the hospital; a daily statement printing it means the same.
    fields = read_fields("daily_statement", [boxed("收款单位：平江县第二人民医院", 0.1)]).fields
    assert fields == {"hospital": "平江县第二人民医院"}


def test_an_unknown_label_with_a_date_fields_head_word_fills_it_and_is_reported():
    reading = read_fields("referral", [boxed("姓名：张三", 0.1), boxed("登记日期：2026年3月5日", 0.2)])
    assert reading.fields["referral_date"] == "2026-03-05"
    assert reading.matched == [{"field": "referral_date", "read": "2026年3月5日", "label": "登记日期",
                                "known": "2026-03-05"}]
    validity = read_fields("agreement", [boxed("合作期限：2026年1月1日至2026年12月31日", 0.1)]).fields
    assert validity == {"valid_from": "2026-01-01", "valid_to": "2026-12-31"}


def test_an_unknown_date_label_that_could_be_two_fields_or_has_a_twin_is_left_alone():
    # Two unknown labels with the head 日期: which is the referral's date?
    lines = [boxed("出生日期：1990年1月1日", 0.1), boxed("登记日期：2026年3月5日", 0.2)]
    assert "referral_date" not in read_fields("referral", lines).fields
    # An invoice has three date fields ending in 日期: a 缴款日期 is none of them for sure.
    assert read_fields("invoice", [boxed("缴款日期：2026-03-09", 0.1)]).fields == {}


def test_an_id_number_is_recognised_by_its_check_digit_after_any_label():
    assert read_fields("referral", [boxed("证件号：11010519491231002X", 0.1)]).fields == {
        "id_number": "11010519491231002X"}
    assert read_fields("referral", [boxed("证件号：110105194912310021", 0.1)]).fields == {}  # check fails
