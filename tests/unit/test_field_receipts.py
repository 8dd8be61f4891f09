"""Field reading of the shapes the tuning families vat_invoice.receipt and invoice.insured print
(issue 17, point 2): a POS receipt's goods rows and its 合计/税额 with their colons, a provincial
outpatient bill's wordings of the date, the patient and the fund split."""

from archive.ocr.fields import read_fields
from tests.unit.test_field_readfix import row


def test_a_date_label_printed_with_time_for_its_head_word_is_read_as_the_date():
    lines = [row(0.05, (0.02, "票据号码：4861773038")),
             row(0.08, (0.02, "就诊科室：皮肤科"), (0.5, "收费时间：2026-07-03 10:22:13"))]
    assert read_fields("invoice", lines).fields["issue_date"] == "2026-07-03"
    till = [row(0.05, (0.02, "发票号码：37819031")), row(0.08, (0.02, "开票时间：2026/01/24 09:28"))]
    assert read_fields("vat_invoice", till).fields["issue_date"] == "2026-01-24"


def test_the_fund_split_in_a_provincial_systems_wording_is_read_and_cash_is_none_of_it():
    lines = [row(0.05, (0.02, "就诊人：史勇珍"), (0.3, "性别：女")),
             row(0.08, (0.02, "社保卡号：4860261089"), (0.5, "参保类别：城乡居民基本医疗保险")),
             row(0.11, (0.02, "医疗费总额：3709.92")),
             row(0.14, (0.02, "基金支付：2411.45"), (0.33, "自费金额：19.29"),
                 (0.66, "个人自付金额：1177.65")),
             row(0.17, (0.02, "账户支付：101.53"), (0.33, "个人现金支付：1196.94"))]
    fields = read_fields("invoice", lines).fields
    assert fields["payer_name"] == "史勇珍"
    assert fields["insurance_number"] == "4860261089"
    assert fields["insurance_type"] == "城乡居民基本医疗保险"
    assert fields["total_amount"] == "3709.92"
    assert (fields["fund_paid"], fields["personal_account_paid"], fields["self_paid"],
            fields["self_funded"]) == ("2411.45", "101.53", "1177.65", "19.29")


def test_a_receipts_sum_and_tax_are_read_by_their_colons_and_what_was_handed_over_is_not():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.08, (0.02, "件数：4"), (0.24, "合计：245.92")),
             row(0.10, (0.02, "实收：250.00"), (0.24, "找零：4.08")),
             row(0.12, (0.02, "税率：13%"), (0.24, "税额：28.29"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["total_amount"] == "245.92"
    assert fields["tax"] == "28.29"
    assert "amount" not in fields
    # Without their colons they are a column's header and the table's total row (the 2016
    # template: 合计 heads the sums under 金额 and 税额, read by column_totals): no labelled tax
    # or total.
    table = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "货物或应税劳务、服务名称"), (0.4, "数量"), (0.5, "单价"), (0.6, "金额"),
                 (0.7, "税率"), (0.8, "税额")),
             row(0.12, (0.02, "*中成药*连花清瘟胶囊"), (0.4, "2"), (0.5, "10.00"), (0.6, "20.00"),
                 (0.7, "13%"), (0.8, "2.60")),
             row(0.14, (0.02, "*中成药*复方丹参滴丸"), (0.4, "1"), (0.5, "30.00"), (0.6, "30.00"),
                 (0.7, "13%"), (0.8, "3.90")),
             row(0.16, (0.02, "合计"), (0.6, "¥50.00"), (0.8, "¥6.50"))]
    fields = read_fields("vat_invoice", table).fields
    assert fields.get("tax") in (None, "6.50")
    assert "total_amount" not in fields


def test_numbered_goods_rows_with_quantity_times_price_under_a_subtotal_header():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "品名"), (0.2, "数量×单价"), (0.36, "小计")),
             row(0.12, (0.02, "01 医用外科口罩")),
             row(0.14, (0.2, "3 × 27.81"), (0.36, "83.43")),
             row(0.16, (0.02, "2.电子血压计")),
             row(0.18, (0.2, "1 × 93.13"), (0.36, "93.13")),
             row(0.20, (0.02, "0.9%氯化钠注射液")),
             row(0.22, (0.2, "2 × 5.00"), (0.36, "10.00")),
             row(0.25, (0.02, "件数：6"), (0.24, "合计：186.56"))]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "医用外科口罩", "quantity": "3", "unit_price": "27.81", "amount": "83.43"},
        {"name": "电子血压计", "quantity": "1", "unit_price": "93.13", "amount": "93.13"},
        {"name": "0.9%氯化钠注射液", "quantity": "2", "unit_price": "5.00", "amount": "10.00"}]
    assert reading.fields["total_amount"] == "186.56"


def test_a_grid_value_stands_under_the_whole_label_cell_not_under_the_known_label_at_its_end():
    # 统筹支付 is the known label at the end of the cell 本次医保统筹支付; the figure is under the cell.
    lines = [row(0.05, (0.02, "票据号码：4861773038")),
             row(0.10, (0.02, "个人自费"), (0.2, "本次医保统筹支付"), (0.38, "个人现金支付")),
             row(0.12, (0.02, "101.55"), (0.2, "1458.42"), (0.38, "682.09"))]
    reading = read_fields("invoice", lines)
    assert reading.fields["fund_paid"] == "1458.42"
    assert reading.unreadable == []


def test_a_counters_header_words_with_their_unit_or_in_the_shops_wording_name_the_columns():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "货品名称"), (0.2, "数量"), (0.28, "售价"), (0.38, "金额（元）")),
             row(0.12, (0.02, "69012345678901")),
             row(0.14, (0.02, "复方丹参滴丸"), (0.2, "2瓶"), (0.28, "¥44.02"), (0.38, "¥88.04")),
             row(0.16, (0.02, "黄芪"), (0.2, "1"), (0.28, "12.50"), (0.38, "12.50")),
             row(0.19, (0.02, "品种数：2"), (0.24, "合计：¥100.54"))]
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": "复方丹参滴丸", "quantity": "2", "unit_price": "44.02", "amount": "88.04"},
        {"name": "黄芪", "quantity": "1", "unit_price": "12.50", "amount": "12.50"}]


def test_a_pharmacys_batch_expiry_and_maker_lines_under_a_goods_row_neither_make_a_row_nor_end_the_table():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "品名"), (0.18, "数量"), (0.26, "单价"), (0.36, "金额")),
             row(0.12, (0.02, "胰岛素注射液")),
             row(0.14, (0.18, "2"), (0.26, "36.74"), (0.36, "73.48")),
             row(0.16, (0.02, "批号：230512"), (0.22, "有效期至：2027-05")),
             row(0.18, (0.02, "生产厂家：安平县仁和制药有限公司")),
             row(0.20, (0.02, "血糖试纸")),
             row(0.22, (0.18, "1"), (0.26, "141.25"), (0.36, "141.25")),
             row(0.25, (0.02, "合计：214.73"))]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "胰岛素注射液", "quantity": "2", "unit_price": "36.74", "amount": "73.48"},
        {"name": "血糖试纸", "quantity": "1", "unit_price": "141.25", "amount": "141.25"}]


def test_a_name_and_spec_column_headed_without_a_slash_and_the_sum_due_as_printed_at_a_counter():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "品名规格"), (0.32, "数量"), (0.4, "单价(元)"), (0.5, "金额(元)")),
             row(0.12, (0.02, "阿莫西林胶囊 0.25g*24粒"), (0.32, "2"), (0.4, "12.50"), (0.5, "25.00")),
             row(0.15, (0.02, "应付金额：25.00"), (0.3, "税金：2.88"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["items"] == [{"name": "阿莫西林胶囊", "spec": "0.25g*24粒", "quantity": "2",
                                "unit_price": "12.50", "amount": "25.00"}]
    assert (fields["total_amount"], fields["tax"]) == ("25.00", "2.88")


def test_a_row_number_in_the_name_cell_of_a_goods_row_is_not_read_into_the_name():
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.10, (0.02, "商品名称"), (0.2, "数量"), (0.28, "单价"), (0.36, "金额")),
             row(0.12, (0.02, "1 阿莫西林胶囊"), (0.2, "2"), (0.28, "12.50"), (0.36, "25.00")),
             row(0.14, (0.02, "2、黄芪"), (0.2, "1"), (0.28, "3.00"), (0.36, "3.00")),
             row(0.17, (0.02, "合计金额（小写）：¥28.00"))]
    assert [item["name"] for item in read_fields("vat_invoice", lines).fields["items"]] == [
        "阿莫西林胶囊", "黄芪"]


def test_a_colon_only_label_at_the_end_of_another_sum_is_not_that_field():
    # 合计/应付/税额 with a colon are a till's total and tax only as words of their own: the end of
    # 医保统筹支付合计, 个人自付合计, 医保应付 or 免税额 is another sum, never the total or the tax.
    for printed in ("医保统筹支付合计：15.00", "个人自付合计：30.00", "医保应付：80.00", "免税额：3.00"):
        lines = [row(0.05, (0.1, "某某大药房 销售小票")), row(0.08, (0.02, printed))]
        fields = read_fields("vat_invoice", lines).fields
        assert "total_amount" not in fields and "tax" not in fields, printed
