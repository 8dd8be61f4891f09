"""Field extraction against the generators' ground truth, and the promise never to invent."""

import random

import pytest

from archive.demo import documents as gen
from archive.ocr.fields import extract_fields, guess_kind

MAKERS = {"invoice": gen.invoice, "referral": gen.referral, "agreement": gen.agreement}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_every_field_of_born_digital_text_is_exact(kind):
    rng = random.Random(2026)  # evaluation seed: not the one the labels were written against
    for _ in range(200):
        document = MAKERS[kind](rng)
        text = "\n".join(document.lines)
        assert extract_fields(kind, text) == document.truth


def test_ocr_spacing_and_half_width_brackets_are_tolerated():
    text = "交款人 : 黄洋 _ 收款单位 : 省立医院\n合计 (小写 ) : ¥3,364.71\n开票日期 : 2026 年 3 月 5 日"
    fields = extract_fields("invoice", text)
    assert fields["payer_name"] == "黄洋"
    assert fields["hospital"] == "省立医院"
    assert fields["total_amount"] == "3364.71"
    assert fields["issue_date"] == "2026-03-05"


def test_a_colon_read_as_two_marks_still_separates_label_and_value():
    # tesseract reads a smudged full-width colon as ":;" (seen on scans of the tuning seed)
    fields = extract_fields("invoice", "合计 (大写 ) :;  壹仟壹佰捌拾叁元捌角贰分\n交款人 ：； 黄洋")
    assert fields["total_amount_capital"] == "1183.82"
    assert fields["payer_name"] == "黄洋"


def test_a_bracket_read_as_a_double_angle_bracket_still_matches_the_label():
    assert extract_fields("invoice", "合计  《小写 )  : 7,890.00")["total_amount"] == "7890.00"


def test_a_wide_gap_before_the_end_of_a_date_range_does_not_cut_it():
    line = "有效期 : 2026 年 1 月 1 日  至 2026 年 12 月 31 日   签订日期：2025-12-20"
    fields = extract_fields("agreement", line)
    assert (fields["valid_from"], fields["valid_to"]) == ("2026-01-01", "2026-12-31")
    assert fields["signed_date"] == "2025-12-20"


def test_value_printed_under_its_label():
    assert extract_fields("referral", "转出医院\n县人民医院")["from_hospital"] == "县人民医院"


def test_unreadable_values_are_absent_not_guessed():
    text = "票据号码：（印章遮挡）\n开票日期：2026年13月40日\n合计（小写）：见背面\n身份证号：1101011990"
    assert extract_fields("invoice", text) == {}
    assert "id_number" not in extract_fields("referral", text)


def test_kind_is_guessed_from_the_title():
    assert guess_kind("住院费用一日清单\n姓名：张伟") == "daily_statement"
    assert guess_kind("医疗收费票据（住院）") == "invoice"
    assert guess_kind("随便一张纸") is None


def test_daily_statements_are_read_day_by_day_with_their_items():
    from archive.ocr.extract import analyse
    from archive.ocr.pages import PageText

    rng = random.Random(2027)
    for _ in range(100):
        document = gen.daily_statement(rng, days=rng.randint(1, 4))
        lines_per_day = len(document.lines) // document.pages
        pages = [PageText(n + 1, "text_layer",
                          text="\n".join(document.lines[n * lines_per_day:(n + 1) * lines_per_day]))
                 for n in range(document.pages)]
        reading = analyse(pages, kind="daily_statement")
        assert reading.fields == document.truth
        assert reading.checks == []


def test_unsigned_statement_is_flagged():
    from archive.ocr.checks import check_document

    truth = gen.daily_statement(random.Random(1), days=1, signed=False).truth
    assert extract_fields("daily_statement", "\n".join(
        gen.daily_statement(random.Random(1), days=1, signed=False).lines)) == truth
    assert [c["code"] for c in check_document("daily_statement", truth)] == ["missing_signature"]


def ocr(text: str, confidence: float = 95.0) -> list:
    """Lines as OCR gives them, every character read with the same confidence."""
    from archive.ocr.fields import Line

    return [Line(line, (confidence,) * len(line)) for line in text.splitlines()]


@pytest.mark.parametrize(("kind", "text", "field"), [
    ("invoice", "合计（小写）：¥4,133.5¢", "total_amount"),  # a garbage character in an amount
    ("invoice", "合计（小写）：12,34.56", "total_amount"),  # digits grouped wrongly
    ("invoice", "开票日期：2026年6月1]日", "issue_date"),  # the 1] is not the 1st
    ("invoice", "开票日期：2026455178", "issue_date"),
    ("invoice", "票据号码：173500:", "invoice_number"),  # a cut-off number
    ("invoice", "交款人：徐", "payer_name"),  # one character is no name
    ("invoice", "交款人：BARR ARB", "payer_name"),  # Latin nonsense for Chinese
    ("invoice", "收款单位：县人民医", "hospital"),  # an institution's name is cut short
    ("invoice", "合计（大写）：孝什慰佰伍拾娄元参角", "total_amount_capital"),
    ("referral", "身份证号：440305196204280398", "id_number"),  # check digit fails on a scan
    ("agreement", "统一社会信用代码：123538672893972750", "credit_code"),
    ("agreement", "有效期：2026年1月1日至2026年1?月31日", "valid_to"),
])
def test_noisy_ocr_values_are_absent_and_reported(kind, text, field):
    from archive.ocr.fields import read_fields

    reading = read_fields(kind, ocr(text))
    assert field not in reading.fields
    assert reading.unreadable and reading.unreadable[0]["read"]


def test_low_confidence_value_is_absent_even_when_well_formed():
    from archive.ocr.field_values import NAME_MIN_CONFIDENCE
    from archive.ocr.fields import FIELD_MIN_CONFIDENCE, read_fields

    text = "诊断：股骨左骨折"
    assert read_fields("referral", ocr(text, NAME_MIN_CONFIDENCE + 1)).fields == {"diagnosis": "股骨左骨折"}
    # A text value in Chinese is a name with no check to catch a look-alike: it needs more.
    assert read_fields("referral", ocr(text, FIELD_MIN_CONFIDENCE + 1)).fields == {}
    reading = read_fields("referral", ocr(text, FIELD_MIN_CONFIDENCE - 1))
    assert reading.fields == {}
    assert reading.unreadable == [{"field": "diagnosis", "read": "股骨左骨折", "reason": "low_confidence"}]


def test_ocr_noise_between_fields_is_tolerated():
    text = ("票据代码 ; 52845221 ”票据号码  : 17350024\n交款人 :  杨超  收款单位 :  妇幼保健院\n"
            "开票日期 : 2026 年 3 月 26 日\n合计  (小写 )  :  Y3,257.30\n"
            "统筹基金支付 : 1628.65  ”个人账户支付 : 191.39")
    fields = extract_fields("invoice", ocr(text))
    assert fields == {"invoice_code": "52845221", "invoice_number": "17350024", "payer_name": "杨超",
                      "hospital": "妇幼保健院", "issue_date": "2026-03-26", "total_amount": "3257.30",
                      "fund_paid": "1628.65", "personal_account_paid": "191.39"}


def test_check_digit_is_left_to_the_checks_for_a_text_layer():
    # Printed text is what it is: an invalid number is kept, and the referral check reports it.
    assert extract_fields("referral", "身份证号：440305196204280398") == {"id_number": "440305196204280398"}


def test_a_list_missing_a_row_is_not_given():
    from archive.ocr.fields import read_fields

    text = "西药费 1,114.66\n检查费 1,9S7.04\n化验费 185.60"
    reading = read_fields("invoice", ocr(text))
    assert "line_items" not in reading.fields
    assert reading.unreadable == [{"field": "line_items", "read": "检查费 1,9S7.04",
                                   "reason": "row_unreadable"}]


def test_unreadable_fields_make_the_document_need_a_check():
    from archive.ocr.extract import analyse
    from archive.ocr.pages import PageLine, PageText

    lines = [PageLine(t, (95.0,) * len(t)) for t in ("医疗收费票据", "合计（小写）：¥4,133.5¢")]
    page = PageText(1, "ocr", text="\n".join(line.text for line in lines), confidence=95.0, lines=lines)
    reading = analyse([page], kind=None)
    assert reading.kind == "invoice" and "total_amount" not in reading.fields
    [flag] = [c for c in reading.checks if c["code"] == "field_unreadable"]
    assert flag["field"] == "total_amount" and "4,133.5¢" in flag["message"]
    assert reading.needs_check


@pytest.mark.parametrize("kind", sorted(MAKERS) + ["daily_statement"])
def test_a_required_field_not_read_at_all_is_reported_missing_until_a_person_sets_it(kind):
    from archive.ocr.extract import analyse, recheck
    from archive.ocr.fields import _spec
    from archive.ocr.pages import PageText

    make = {**MAKERS, "daily_statement": gen.daily_statement}[kind]
    document = make(random.Random(7))
    complete = analyse([PageText(1, "text_layer", text="\n".join(document.lines))], kind=kind)
    assert not [c for c in complete.checks if c["code"] == "field_missing"]
    # Drop the line of one labelled required field: nothing on the page says where it was.
    required = [name for name in _spec()["required"][kind] if name in _spec()[kind]]
    name = random.Random(kind).choice(required)
    label_words = _spec()[kind][name]["labels"]
    lines = [line for line in document.lines
             if not any(label in line.replace(" ", "") for label in label_words)]
    reading = analyse([PageText(1, "text_layer", text="\n".join(lines))], kind=kind)
    assert name not in reading.fields
    missing = [c for c in reading.checks if c["code"] == "field_missing"]
    assert name in {c["field"] for c in missing} and reading.needs_check
    assert all(c["message"].startswith("未识别到") for c in missing)
    corrected = {c["field"] for c in missing}
    fields = {**reading.fields, **{field: document.truth.get(field) for field in corrected}}
    assert not [c for c in recheck(kind, fields, reading.checks, corrected=corrected)
                if c["code"] == "field_missing"]


@pytest.mark.parametrize("kind", ["invoice", "daily_statement", "referral", "agreement"])
def test_the_kind_is_guessed_from_its_labels_when_the_title_is_unreadable(kind):
    make = {"invoice": gen.invoice, "daily_statement": gen.daily_statement, "referral": gen.referral,
            "agreement": gen.agreement}[kind]
    for seed in range(40):
        body = "\n".join(make(random.Random(f"kind-{kind}-{seed}")).lines)  # the title is not in lines
        assert guess_kind(body) == kind
        # A stamp over the title: a few characters of it read, the rest lost.
        assert guess_kind("住院费用  日清\n" + body if kind == "daily_statement" else body) == kind


def test_a_label_inside_another_word_or_without_its_colon_is_not_evidence():
    assert guess_kind("开票日期：2026-03-05\n县人民医院：内科") is None  # 日期 and 医院 inside words
    assert guess_kind("日期 医院 科室 住院号") is None  # no colons: not printed labels
    assert guess_kind("日期：2026-03-05\n科室：内科\n票据号码：0023") == "daily_statement"  # two against one


def read(kind: str, *lines: str, case: dict | None = None):
    """Lines as OCR gives them: characters between [ and ] read with low confidence (30)."""
    from archive.ocr.fields import Line, read_fields

    built = []
    for marked in lines:
        text, confidences, low = "", [], False
        for ch in marked:
            if ch in "[]":
                low = ch == "["
                continue
            text += ch
            confidences.append(30.0 if low else 95.0)
        built.append(Line(text, tuple(confidences)))
    return read_fields(kind, built, case=case)


PAYMENTS = "统筹基金支付：1628.65  个人账户支付：191.39  个人自付：1340.44  个人自费：96.82"


def test_a_doubtful_total_is_taken_when_the_payments_add_up_to_it():
    reading = read("invoice", "合计（小写）：¥3,2[5]7.30", PAYMENTS)
    assert reading.fields["total_amount"] == "3257.30"
    assert reading.unreadable == []


def test_a_doubtful_total_the_payments_do_not_add_up_to_stays_absent_and_flagged():
    reading = read("invoice", "合计（小写）：¥3,2[8]7.30", PAYMENTS)
    assert "total_amount" not in reading.fields
    assert reading.unreadable == [{"field": "total_amount", "read": "¥3,287.30", "reason": "low_confidence"}]


def test_a_doubtful_payment_is_taken_when_the_total_confirms_it_but_two_are_not():
    one = read("invoice", "合计（小写）：¥3,257.30", PAYMENTS.replace("191.39", "1[9]1.39"))
    assert one.fields["personal_account_paid"] == "191.39"
    two = read("invoice", "合计（小写）：¥3,257.30",
               PAYMENTS.replace("191.39", "1[9]1.39").replace("96.82", "9[6].82"))
    # Two doubtful terms could be two misreads that cancel out: neither is confirmed.
    assert "personal_account_paid" not in two.fields and "self_funded" not in two.fields


def test_a_confirmed_total_confirms_its_capital_writing_in_turn():
    reading = read("invoice", "合计（小写）：¥3,2[5]7.30", "合计（大写）：[叁]仟贰佰伍拾柒元叁角", PAYMENTS)
    assert reading.fields["total_amount"] == reading.fields["total_amount_capital"] == "3257.30"


def test_doubtful_line_items_are_taken_only_when_they_add_up_to_the_total():
    rows = ("西药费 1,114.66", "检查[费] 1,957.04", "化  验费 [185.60]")
    reading = read("invoice", *rows, "合计（小写）：¥3,257.30")
    assert reading.fields["line_items"] == [
        {"category": "西药费", "amount": "1114.66"}, {"category": "检查费", "amount": "1957.04"},
        {"category": "化验费", "amount": "185.60"}]
    wrong_total = read("invoice", *rows, "合计（小写）：¥3,257.40")
    assert "line_items" not in wrong_total.fields
    assert wrong_total.unreadable == [{"field": "line_items", "read": "检查费 1,957.04 / 化  验费 185.60",
                                       "reason": "low_confidence"}]


def test_a_doubtful_category_that_could_be_another_one_is_not_taken():
    # 西药费 and 中药费 differ only in the character read with low confidence.
    reading = read("invoice", "[中]药费 1,114.66", "检查费 2,142.64", "合计（小写）：¥3,257.30")
    assert "line_items" not in reading.fields


STATEMENT = ("项目    规格    单价    数量    金额    类别", "护理费  日  308.06  1  308.06  甲",
             "CT 平扫  次  220.50  3  661.50  乙")


def test_item_rows_split_name_and_spec_by_their_cells():
    reading = read("daily_statement", *STATEMENT, "当日合计：969.56")
    assert [(item["name"], item["spec"]) for item in reading.fields["items"]] == [("护理费", "日"),
                                                                                 ("CT平扫", "次")]


def test_a_spec_run_into_the_name_is_not_split_by_guessing():
    # 特需病房 is no name on the catalogue (storage_config/reference.toml): where would it end?
    reading = read("daily_statement", STATEMENT[0], "特需病房日  105.73  1  105.73  甲", "当日合计：105.73")
    assert "items" not in reading.fields
    assert reading.unreadable[0]["field"] == "items"


def test_doubtful_item_figures_are_taken_when_they_agree_and_the_table_adds_up():
    rows = (STATEMENT[0], "护理费  日  [308.06]  1  308.06  甲", "CT 平扫  次  220.50  [3]  661.50  乙")
    assert len(read("daily_statement", *rows, "当日合计：969.56").fields["items"]) == 2
    # The total does not confirm the table, or a row's figures do not agree: nothing is taken.
    assert "items" not in read("daily_statement", *rows, "当日合计：969.65").fields
    disagree = (STATEMENT[0], "护理费  日  [308.06]  2  308.06  甲", STATEMENT[2])
    assert "items" not in read("daily_statement", *disagree, "当日合计：969.56").fields


def test_a_doubtful_item_name_is_not_confirmed_by_the_figures_only_by_the_catalogue():
    rows = (STATEMENT[0], "特需护[理]  日  308.06  1  308.06  甲", STATEMENT[2])
    assert "items" not in read("daily_statement", *rows, "当日合计：969.56").fields
    rows = (STATEMENT[0], "护理[费]  日  308.06  1  308.06  甲", STATEMENT[2])
    assert read("daily_statement", *rows, "当日合计：969.56").fields["items"][0]["name"] == "护理费"


@pytest.mark.parametrize(("line", "visit_type"), [
    ("门诊", "outpatient"), ("内诊", "outpatient"), ("[由]诊", "outpatient"), ("住院", "inpatient"),
    ("住阮", "inpatient"),
    ("门院", None),  # a character of each: either could be meant
    ("内科", None),  # two characters off
    ("医院", None),  # a word forms print (a label), not a misread 住院
])
def test_the_visit_type_is_the_one_a_line_of_its_own_fits_but_for_one_character(line, visit_type):
    reading = read("invoice", "医疗收费票据", line, "票据号码：17350024")
    assert reading.fields.get("visit_type") == visit_type


def test_a_near_visit_type_below_the_labelled_fields_is_not_taken():
    assert "visit_type" not in read("invoice", "医疗收费票据", "票据号码：17350024", "内诊").fields


@pytest.mark.parametrize(("kind", "text", "field", "value"), [
    ("invoice", "收区单位：妇幼保健院", "hospital", "妇幼保健院"),
    ("invoice", "合计  (小宇 )  :  3,257.30", "total_amount", "3257.30"),
    ("invoice", "开栗日期：2026年3月26日", "issue_date", "2026-03-26"),
    ("invoice", "票日期 : 2026 年 6 月 14 日", "issue_date", "2026-06-14"),  # 开 lost
])
def test_a_long_label_with_one_character_misread_or_lost_is_still_found(kind, text, field, value):
    assert read(kind, text).fields == {field: value}


@pytest.mark.parametrize(("kind", "text"), [
    ("invoice", "合计（中写）：3,257.30"),  # 小写 or 大写: the misread character is what tells them apart
    ("invoice", "个人自伏：96.82"),  # 个人自付 or 个人自费
    ("daily_statement", "患者姓字：张伟"),  # one character from 患者姓名 and from 患者签字
    ("invoice", "交软人：张伟"),  # three characters: too short to take with any misread (软 for 款 is no
    # known OCR confusion: see test_label_matching for those)
    ("invoice", "个人自：96.82"),  # 个人自付 or 个人自费, its last character lost
])
def test_a_misread_label_that_could_be_another_is_not_taken(kind, text):
    assert read(kind, text).fields == {}


def test_a_misread_label_one_character_from_two_is_the_one_not_printed_elsewhere():
    # 转人医院 is one character from 转出医院 and from 转入医院; 转出医院 is printed, so it is 转入医院.
    reading = read("referral", "转出医院：县人民医院  转人医院：省立医院")
    assert reading.fields == {"from_hospital": "县人民医院", "to_hospital": "省立医院"}
    # Alone, a character that is no known look-alike of 入 or 出 could be either.
    assert read("referral", "转杰医院：省立医院").fields == {}


def test_a_wide_gap_before_the_day_of_a_date_range_does_not_cut_it():
    reading = read("agreement", "有效期 :  2026 年 1 月 1  日至 2026 年 12 月 31 日")
    assert reading.fields == {"valid_from": "2026-01-01", "valid_to": "2026-12-31"}


def test_a_numeric_date_with_its_separators_misread_still_reads():
    assert read("daily_statement", "日期 : 2026.03-05").fields == {"statement_date": "2026-03-05"}
    assert read("daily_statement", "日期 : 2026.03-0S").fields == {}


def test_a_misread_label_is_only_taken_before_its_colon():
    assert read("invoice", "收区单位  妇幼保健院").fields == {}


@pytest.mark.parametrize(("claimant", "taken"), [("李秀英", "李秀英"), ("李秀兰", None), (None, None)])
def test_a_doubtful_name_is_taken_when_it_is_exactly_the_case_claimant(claimant, taken):
    reading = read("daily_statement", "姓名：李秀[英]", "住院号：ZY2024001",
                   case={"claimant_name": claimant})
    assert reading.fields.get("patient_name") == taken
    flagged = [item["field"] for item in reading.unreadable]
    assert ("patient_name" in flagged) == (taken is None)


def test_a_confident_name_that_differs_from_the_claimant_is_kept_for_the_case_check():
    reading = read("invoice", "交款人：王芳", case={"claimant_name": "李秀英"})
    assert reading.fields["payer_name"] == "王芳"


def test_a_thousands_separator_misread_as_a_mark_is_the_separator():
    assert read("invoice", "合计（小写）：4;,868.24").fields == {"total_amount": "4868.24"}
    assert read("invoice", "合计（小写）：Y4;022.14").fields == {"total_amount": "4022.14"}
    assert read("invoice", "合计（小写）：#2,095.61").fields == {"total_amount": "2095.61"}
    assert read("invoice", "合计（小写）：yY2,873.43").fields == {"total_amount": "2873.43"}  # ¥ as two
    assert read("invoice", "合计（小写）：yYy2,873.43").fields == {}
    # A mark where no separator belongs leaves the amount unread, and a doubtful mark is doubt.
    assert "total_amount" not in read("invoice", "合计（小写）：12;34.50").fields
    assert "total_amount" not in read("invoice", "合计（小写）：4[;],868.24").fields
    assert read("invoice", "合计（小写）：4[;],868.24", PAYMENTS.replace("1628.65", "3240.11")
                .replace("191.39", "1000.00").replace("1340.44", "500.00").replace("96.82", "128.13")
                ).fields["total_amount"] == "4868.24"  # confirmed by the payments it adds up to


def test_a_date_is_judged_by_the_confidence_of_its_digits():
    assert read("agreement", "有效期：2026年1月1日至2026年12月31[日]").fields == {
        "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
    assert read("agreement", "签订日期：2025年12[月]20日").fields == {"signed_date": "2025-12-20"}
    assert read("agreement", "签订日期：2025年1[2]月20日").fields == {}  # a doubtful digit is doubt
    assert read("agreement", "签订日期：2025年12[午]20日").fields == {}  # no date, whatever its confidence


def test_a_misread_label_glued_to_the_value_before_it_ends_that_value():
    # 转入医院 read as 转和医院, right after the value of 转出医院
    assert read("referral", "转出医院：县人民医院转和医院：省立医院").fields == {
        "from_hospital": "县人民医院", "to_hospital": "省立医院"}
    # ... or with its one character read as two (入 as 和人)
    assert read("referral", "转出医院：县人民医院转和人医院：省立医院").fields == {
        "from_hospital": "县人民医院", "to_hospital": "省立医院"}
    # A misread of a label printed as it is elsewhere on the page is not that label: the value
    # runs on, and is refused for what follows it.
    reading = read("referral", "转入医院：省立医院", "转出医院：县人民医院转出院：")
    assert reading.fields == {"to_hospital": "省立医院"}
    assert reading.unreadable == [{"field": "from_hospital", "read": "县人民医院转出院：",
                                   "reason": "unexpected_characters"}]


def test_one_doubtful_date_of_a_range_leaves_the_other_taken():
    reading = read("agreement", "有效期：2026年1月1日至2026年12月[3]1日")
    assert reading.fields == {"valid_from": "2026-01-01"}
    assert reading.unreadable == [{"field": "valid_to", "read": "2026年1月1日至2026年12月31日",
                                   "reason": "low_confidence"}]
    reading = read("agreement", "有效期：2026年1月1日至2026年12月3:1日")
    assert reading.fields == {"valid_from": "2026-01-01"}
    assert reading.unreadable[0]["reason"] == "not_a_date"
    assert read("agreement", "有效期：2026年[1]月1日至2026年12月[3]1日").fields == {}
