"""Field reading that generalises (issue 17, point 2), third pass: small constructed pages in the
shapes of the tuning families vat_invoice.machine and vat_invoice.roll, and of the new tuning
families of archive/demo/families/hospital_forms.py."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_field_readfix import row


def test_the_tax_id_under_a_machine_prints_receiving_unit_is_the_sellers():
    # 通用机打发票（卷式）: 收款单位 is the seller, its 纳税人识别号 on the line under it; 付款单位
    # above is the buyer's block and has none.
    lines = [row(0.05, (0.1, "发票号码：12345678")),
             row(0.07, (0.1, "付款单位：个人")),
             row(0.20, (0.1, "金额合计（小写）：12.50")),
             row(0.22, (0.1, "收款单位：安平县仁济大药房连锁有限公司")),
             row(0.24, (0.1, "纳税人识别号：91705164XQ40NRX42X")),
             row(0.26, (0.1, "开票人：张三"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["seller_name"] == "安平县仁济大药房连锁有限公司"
    assert fields["seller_tax_id"] == "91705164XQ40NRX42X"
    assert "buyer_tax_id" not in fields


def test_a_tax_inclusive_sum_printed_twice_is_no_amount_before_tax():
    # A till's roll that states the tax inside its prices: 合计 under 金额 and 合计金额（小写） are
    # both the total; 其中税额 the tax. No amount before tax is printed.
    text = ("增值税普通发票（卷票）\n发票号码：68247238\n品名  数量  单价  金额\n黄芪  2  279.51  559.02\n"
            "合计  559.02\n其中税额：16.28\n合计金额（小写）：¥559.02\n"
            "合计金额（大写）：伍佰伍拾玖元零贰分\n")
    fields = read_fields("vat_invoice", text).fields
    assert fields["total_amount"] == "559.02"
    assert fields["tax"] == "16.28"
    assert "amount" not in fields


def test_a_column_of_labels_each_with_its_value_is_read_row_by_row():
    # 跨省异地就医登记备案表: a label cell and its value cell a row, no colons. A label and one word
    # is no grid header: the cell below (the next row's label) is not the value.
    text = "转出医院  湖南省肿瘤医院\n转往医院  湖南省人民医院\n临床诊断  肺炎\n"
    fields = read_fields("referral", text).fields
    assert fields["from_hospital"] == "湖南省肿瘤医院"
    assert fields["to_hospital"] == "湖南省人民医院"


def test_a_label_one_character_from_a_known_one_is_never_a_value():
    # 转送医院 (a wording no list has) under 转出医院: the label column's next cell, not the
    # hospital; the hospital is its own row's value or nothing.
    lines = [row(0.10, (0.05, "转出医院")), row(0.12, (0.05, "转送医院"), (0.3, "湖南省人民医院"))]
    fields = read_fields("referral", lines).fields
    assert fields.get("from_hospital") != "转送医院"


def test_a_filing_forms_agency_date_is_the_referral_date_not_the_application_date():
    text = ("申请人签字：  申请日期：2026年5月19日\n"
            "经办机构意见：同意备案  （盖章）  备案日期：2026年5月21日\n")
    assert read_fields("referral", text).fields["referral_date"] == "2026-05-21"


def test_an_outpatient_bills_national_fee_classes_are_line_items():
    # 医疗收费电子票据 classes a county hospital's bill prints: 挂号费, 诊察费, 卫生材料费.
    text = ("医疗门诊收费票据\n门诊\n挂号费  ¥5.00  诊察费  ¥12.00\n卫生材料费  ¥30.50  西药费  ¥52.50\n"
            "合计（大写）：壹佰元整  （小写）¥100.00\n")
    fields = read_fields("invoice", text).fields
    assert fields["line_items"] == [{"category": "挂号费", "amount": "5.00"},
                                    {"category": "诊察费", "amount": "12.00"},
                                    {"category": "卫生材料费", "amount": "30.50"},
                                    {"category": "西药费", "amount": "52.50"}]


def _ocr_line(text: str, doubtful: dict[int, float]) -> Line:
    """An OCR line read at 99 but for the characters at the positions in `doubtful`."""
    return Line(text, tuple(doubtful.get(n, 99.0) for n in range(len(text))))


def test_a_name_with_one_look_alike_character_in_doubt_is_absent_and_flagged_not_wrong():
    # 康颍市… read as 康颖市… with 颖 at 68 and every other character at 99: a name has no check
    # digit to catch the swap.
    line = _ocr_line("收款单位：康颖市第三人民医院", {6: 68.0})
    reading = read_fields("invoice", [line])
    assert "hospital" not in reading.fields
    assert any(item["field"] == "hospital" and item["reason"] == "low_confidence"
               for item in reading.unreadable)


def test_a_name_in_doubt_that_is_the_cases_claimant_is_taken():
    line = _ocr_line("交款人：夏颖建", {5: 70.0})
    assert read_fields("invoice", [line], case={"claimant_name": "夏颖建"}).fields["payer_name"] == "夏颖建"
    assert "payer_name" not in read_fields("invoice", [line]).fields


def test_a_tax_id_of_sixteen_characters_is_no_tax_id():
    # 纳税人识别号 have 15, 17, 18 or 20 characters: 16 is a misread or a piece of another code.
    fields = read_fields("vat_invoice", "购方税号：91771919YE4LDUKF\n销方税号：91286799XT5F873L0Q\n").fields
    assert "buyer_tax_id" not in fields
    assert fields["seller_tax_id"] == "91286799XT5F873L0Q"


def test_a_seal_printed_after_the_payee_is_no_part_of_its_name():
    # 收款单位：…医院（章）: the stamp's word after the name dropped the whole name before.
    for printed in ("南京市江宁区第一人民医院（章）", "南京市江宁区第一人民医院(盖章)",
                    "南京市江宁区第一人民医院（财务专用章）"):
        lines = [row(0.05, (0.1, "江苏省医疗门诊收费票据")), row(0.08, (0.02, "票据号码：0012345678")),
                 row(0.10, (0.02, f"收款单位：{printed}")), row(0.12, (0.02, "合计：123.40"))]
        assert read_fields("invoice", lines).fields["hospital"] == "南京市江宁区第一人民医院", printed
