"""Field reading that generalises (issue 17, point 2), more mechanisms on small constructed pages:
labels whose field the block they are printed in decides (购买方/销售方, 甲方/乙方), sums read by
the table column they stand under, values that are themselves labels refused by type or by their
head word, a hospital printed only in the title, a term stated in a clause, and wordings of real
templates (双向转诊单, agreements)."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line

WIDTH, HEIGHT = 0.015, 0.012


def row(top: float, *cells: tuple[float, str], page: int = 1) -> Line:
    """A text-layer line of cells, each from its `left`, characters WIDTH wide, cells parted by a
    wide gap (two spaces without boxes)."""
    text, boxes = "", []
    for left, cell in cells:
        if text:
            text += "  "
            boxes += [None, None]
        text += cell
        boxes += [(left + WIDTH * n, top, left + WIDTH * (n + 1), top + HEIGHT) for n in range(len(cell))]
    return Line(text, None, tuple(boxes), page)


# Labels scoped by their block

def test_side_by_side_blocks_say_whose_name_and_tax_id_it_is():
    # 数电票: 名称 and 统一社会信用代码/纳税人识别号 twice, under 购买方信息 and 销售方信息.
    lines = [row(0.05, (0.3, "电子发票（普通发票）")),
             row(0.10, (0.05, "购买方信息"), (0.5, "销售方信息")),
             row(0.12, (0.05, "名称：谢华菊"), (0.5, "名称：福柏医药连锁有限公司")),
             row(0.14, (0.05, "统一社会信用代码/纳税人识别号："),
                 (0.5, "统一社会信用代码/纳税人识别号：91799108JLEK4GWBBC"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["buyer_name"] == "谢华菊"
    assert fields["seller_name"] == "福柏医药连锁有限公司"
    assert fields["seller_tax_id"] == "91799108JLEK4GWBBC"
    assert "buyer_tax_id" not in fields  # a person buys without one: nothing is borrowed from the seller


def test_stacked_boxes_headed_on_their_left_say_whose_it_is():
    # The older paper VAT invoice: a 购买方 box above, a 销售方 box below, the heading left of the rows.
    lines = [row(0.05, (0.3, "增值税普通发票")),
             row(0.10, (0.02, "购买方"), (0.12, "名    称：淮宜市百姓诊所")),
             row(0.12, (0.12, "纳税人识别号：91600831CGMJKNKFHX")),
             row(0.40, (0.02, "销售方"), (0.12, "名    称：福瑞药店有限公司")),
             row(0.42, (0.12, "纳税人识别号：91907720X206BWFWUU"))]
    fields = read_fields("vat_invoice", lines).fields
    assert (fields["buyer_name"], fields["buyer_tax_id"]) == ("淮宜市百姓诊所", "91600831CGMJKNKFHX")
    assert (fields["seller_name"], fields["seller_tax_id"]) == ("福瑞药店有限公司", "91907720X206BWFWUU")


def test_without_boxes_a_heading_earlier_on_the_line_says_whose_it_is():
    # (销货单位: the heading of the template before 2016.)
    fields = read_fields("vat_invoice", "增值税普通发票\n销货单位  名称：福瑞药店有限公司").fields
    assert fields == {"seller_name": "福瑞药店有限公司"}


def test_the_agency_column_credit_code_is_not_the_providers():
    # Parties as a table, a column each: the agency's code stands first on the row.
    lines = [row(0.05, (0.3, "医疗保障定点医疗机构服务协议")),
             row(0.10, (0.3, "甲方"), (0.6, "乙方")),
             row(0.12, (0.05, "名称"), (0.3, "淮宜市医疗保障局"), (0.6, "淮宜市第一人民医院")),
             row(0.14, (0.05, "统一社会信用代码"), (0.3, "11330100002501055Y"), (0.6, "12330100470116614F"))]
    assert read_fields("agreement", lines).fields["credit_code"] == "12330100470116614F"


def test_a_single_credit_code_in_a_classic_agreement_is_kept():
    text = "服务协议\n甲方：淮宜市医疗保障局\n乙方：淮宜市第一人民医院\n统一社会信用代码：12330100470116614F"
    assert read_fields("agreement", text).fields["credit_code"] == "12330100470116614F"


# Sums under their table column

def test_total_row_figures_are_the_fields_of_the_columns_they_stand_under():
    header = ["项目名称", "数量", "单价", "金额", "税率", "税额"]
    lefts = [0.05, 0.35, 0.45, 0.55, 0.68, 0.8]
    lines = [row(0.05, (0.3, "电子发票（普通发票）")),
             row(0.20, *zip(lefts, header, strict=True)),
             row(0.22, (0.05, "*中药饮片*黄芪"), (0.35, "4"), (0.45, "62.38"), (0.55, "249.52"),
                 (0.68, "13%"), (0.8, "32.44")),
             row(0.24, (0.05, "合计"), (0.55, "¥249.52"), (0.8, "¥32.44"))]
    fields = read_fields("vat_invoice", lines).fields
    assert (fields["amount"], fields["tax"]) == ("249.52", "32.44")


# Values that are themselves labels

def test_a_table_header_word_is_no_insurance_type():
    # An e-bill's 医保类型 cell with nothing beside it, and the items table's 金额 under it.
    lines = [row(0.05, (0.3, "医疗收费电子票据")), row(0.10, (0.05, "医保类型")),
             row(0.12, (0.05, "金额"), (0.3, "数量"))]
    assert "insurance_type" not in read_fields("invoice", lines).fields
    assert read_fields("invoice", "医疗收费电子票据\n医保类型：城乡居民基本医疗保险").fields[
        "insurance_type"] == "城乡居民基本医疗保险"


def test_a_cell_ending_in_a_labels_head_word_is_not_the_value_before_it():
    # 转院原因 left empty, 申请日期 next on the row: the reason is not 申请日期.
    fields = read_fields("referral", "转诊转院审批表\n转院原因    申请日期").fields
    assert "reason" not in fields


# Hospital printed only in the title; term in a clause; wordings of real templates

def test_a_hospital_printed_only_in_the_title_is_read_from_it():
    text = "淮宜市第一人民医院住院患者每日费用清单\n姓名：张三\n日期：2026-01-02"
    assert read_fields("daily_statement", text).fields["hospital"] == "淮宜市第一人民医院"
    # A title without a hospital's name gives none.
    assert "hospital" not in read_fields("daily_statement", "住院患者每日费用清单\n姓名：张三").fields


def test_a_term_stated_in_a_clause_is_the_validity():
    text = "服务协议\n本协议有效期自2026年1月1日起至2026年12月31日止，期满前一个月双方协商续签。"
    fields = read_fields("agreement", text).fields
    assert (fields["valid_from"], fields["valid_to"]) == ("2026-01-01", "2026-12-31")


def test_two_way_referral_slip_wordings():
    text = ("双向转诊单\n转出单位：淮宜县人民医院\n转入单位：淮宜市第一人民医院\n"
            "转诊时间：2026-03-04\n转诊理由：病情需要\n签约日期：2026-03-01")
    fields = read_fields("referral", text).fields
    assert fields["from_hospital"] == "淮宜县人民医院" and fields["to_hospital"] == "淮宜市第一人民医院"
    assert (fields["referral_date"], fields["reason"]) == ("2026-03-04", "病情需要")
    agreement = read_fields("agreement", "服务协议\n签订时间：2026-03-01\n"
                                         "协议期间：2026年1月1日至2026年12月31日")
    assert agreement.fields == {"signed_date": "2026-03-01", "valid_from": "2026-01-01",
                                "valid_to": "2026-12-31"}


def test_a_scoped_value_that_does_not_check_out_is_absent_and_flagged():
    # O read for 0: no tax id, and a person is asked to read it.
    reading = read_fields("vat_invoice", "增值税普通发票\n销货单位  名称：福瑞药店有限公司  "
                                         "纳税人识别号：9190772OX2O6BW")
    assert "seller_tax_id" not in reading.fields
    assert {"field": "seller_tax_id", "read": "9190772OX2O6BW",
            "reason": "unexpected_characters"} in reading.unreadable


def test_a_provincial_bills_wordings_for_issuer_and_sums():
    text = ("医疗收费票据\n合计金额（大写）壹佰贰拾叁元肆角伍分  （小写）123.45\n"
            "开票单位（盖章）：淮宜市人民医院")
    assert read_fields("invoice", text).fields == {"hospital": "淮宜市人民医院", "total_amount": "123.45",
                                                   "total_amount_capital": "123.45"}


# A date printed with no label

def test_the_only_unlabelled_date_on_a_bill_is_its_issue_date_reported_for_confirmation():
    reading = read_fields("invoice", "医疗收费票据\n        2026年3月5日\n姓名：张三")
    assert reading.fields["issue_date"] == "2026-03-05"
    assert {"field": "issue_date", "read": "2026年3月5日", "label": "",
            "known": "2026-03-05"} in reading.matched
    # Two such dates: which is it? None is taken.
    assert "issue_date" not in read_fields("invoice", "医疗收费票据\n2026年3月5日   2026年3月6日").fields


def test_headings_printed_down_a_column_head_their_blocks():
    # 数电票: 购买方信息 and 销售方信息 a character a row in each block's left strip, the text layer
    # giving each character on the line of its row; 合 计 and 金 额 spaced out.
    buyer, seller = "购买方信息", "销售方信息"
    rows = []
    for n in range(5):
        top = 0.10 + 0.015 * n
        cells = [(0.05, buyer[n])]
        if n == 1:
            cells.append((0.08, "名称：谢华菊"))
        cells.append((0.50, seller[n]))
        if n == 1:
            cells.append((0.53, "名称：福柏医药连锁有限公司"))
        if n == 2:
            cells.append((0.53, "纳税人识别号：91799108JLEK4GWBBC"))
        rows.append(row(top, *cells))
    lines = [row(0.05, (0.3, "电子发票（普通发票）")), *rows,
             row(0.30, (0.05, "项目名称"), (0.45, "单 价"), (0.55, "金 额"), (0.7, "税 额")),
             row(0.32, (0.05, "合 计"), (0.55, "¥249.52"), (0.7, "¥32.44"))]
    fields = read_fields("vat_invoice", lines).fields
    assert (fields["buyer_name"], fields["seller_name"]) == ("谢华菊", "福柏医药连锁有限公司")
    assert fields["seller_tax_id"] == "91799108JLEK4GWBBC" and "buyer_tax_id" not in fields
    assert (fields["amount"], fields["tax"]) == ("249.52", "32.44")


def test_a_date_beside_a_label_no_list_knows_is_not_a_lone_date():
    assert "issue_date" not in read_fields("invoice", "医疗收费票据\n打印时间    2026-03-05").fields


def test_a_forms_own_word_is_no_name():
    # The name cell left empty: 性别, the next cell, is not the patient's name.
    assert "patient_name" not in read_fields("referral", "转诊审批表\n姓名    性别    男").fields


def test_a_value_ends_where_a_forms_own_word_and_colon_begin_even_glued():
    assert read_fields("referral", "转诊审批表\n姓名：张三性别：男").fields == {"patient_name": "张三"}


def test_side_by_side_party_blocks_give_the_provider_its_own_credit_code():
    lines = [row(0.05, (0.3, "医疗保障定点医疗机构服务协议")),
             row(0.10, (0.05, "甲方（医疗保障经办机构）：淮宜市医疗保障局"),
                 (0.55, "乙方（定点医疗机构）：淮宜市第一人民医院")),
             row(0.12, (0.05, "统一社会信用代码：11330100002501055Y"),
                 (0.55, "统一社会信用代码：12330100470116614F"))]
    fields = read_fields("agreement", lines).fields
    assert (fields["party_a"], fields["party_b"]) == ("淮宜市医疗保障局", "淮宜市第一人民医院")
    assert fields["credit_code"] == "12330100470116614F"


def test_an_entitys_label_with_name_after_it_is_that_label():
    text = "转诊审批表\n转入单位名称：淮宜市人民医院\n转出医院名称：淮宜县中医院"
    fields = read_fields("referral", text).fields
    assert fields == {"to_hospital": "淮宜市人民医院", "from_hospital": "淮宜县中医院"}


def test_a_date_with_its_time_of_day_or_as_eight_figures_is_that_date():
    assert read_fields("invoice", "医疗收费票据\n收费日期：2026-03-05 10:22:01").fields == {
        "issue_date": "2026-03-05"}
    assert read_fields("invoice", "医疗收费票据\n结算日期：20260305").fields == {"issue_date": "2026-03-05"}
    assert "issue_date" not in read_fields("invoice", "医疗收费票据\n结算日期：20261305").fields


def test_a_lone_date_is_shown_to_reviewers_as_unlabelled():
    from archive.ocr.extract import matched_finding

    finding = matched_finding("invoice", {"field": "issue_date", "read": "2026年3月5日", "label": "",
                                          "known": "2026-03-05"}, "")
    assert "未印标签" in finding["message"] and "不在标签表中" not in finding["message"]
