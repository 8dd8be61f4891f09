"""Field reading that does not invent (issue 17, point 2): small constructed till receipts in the
shapes of the tuning families vat_invoice.pos and vat_invoice.machine."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line


def test_a_blank_buyer_label_takes_nothing_from_the_seller_label_above():
    # A POS 卷票 prints the buyer's lines blank; 方名称 (购方名称 with 购 lost) is found inside
    # 销方名称 and used to give the seller's name and tax id to the buyer.
    text = ("发票号码：90273020\n开票日期：2026年08月07日  收款员：孔超璐\n"
            "销方名称：化寿区惠民大药房连锁有限公司\n销方税号：91705164XQ40NRX42X\n"
            "购方名称：\n购方税号：\n")
    fields = read_fields("vat_invoice", text).fields
    assert fields["seller_name"] == "化寿区惠民大药房连锁有限公司"
    assert fields["seller_tax_id"] == "91705164XQ40NRX42X"
    assert "buyer_name" not in fields
    assert "buyer_tax_id" not in fields


def test_a_label_read_with_a_character_lost_is_still_taken_where_no_other_label_holds_it():
    # 购方名称 printed with 购 lost to a stain: still the buyer's (no other label holds 方名称 here).
    text = "发票号码：90273020\n方名称：安平县仁济诊所\n销方名称：化寿区惠民大药房连锁有限公司\n"
    fields = read_fields("vat_invoice", text).fields
    assert fields["buyer_name"] == "安平县仁济诊所"
    assert fields["seller_name"] == "化寿区惠民大药房连锁有限公司"


def test_a_vat_invoices_amount_label_is_not_borrowed_as_a_bills_total():
    # 合计金额 is a bill's total but a VAT invoice's amount before tax: the one printed value was
    # read as both, a total the invoice does not state.
    text = "发票号码：12345678\n合计金额：¥6.00\n合计税额：¥0.17\n"
    fields = read_fields("vat_invoice", text).fields
    assert fields["amount"] == "6.00"
    assert fields["tax"] == "0.17"
    assert "total_amount" not in fields


def test_the_one_sum_of_a_till_print_without_tax_is_the_total_not_an_amount_before_tax():
    text = ("增值税普通发票（卷票）\n发票号码：12345678\n项目  数量  单价  金额\n口罩  2  3.00  6.00\n"
            "合计金额：¥6.00\n大写：陆元整\n")
    fields = read_fields("vat_invoice", text).fields
    assert fields["total_amount"] == "6.00"
    assert fields["total_amount_capital"] == "6.00"
    assert "amount" not in fields


def test_a_print_that_states_tax_keeps_its_amount_before_tax():
    text = "项目  金额  税率  税额\n合计金额：¥6.00\n价税合计（小写）：¥6.17\n"
    fields = read_fields("vat_invoice", text).fields
    assert fields["amount"] == "6.00"
    assert fields["total_amount"] == "6.17"


def test_a_provincial_machine_print_reads_its_seller_and_total():
    # 通用机打发票（卷式）: 收款单位 is the seller; 金额合计（小写）/（大写） the total.
    text = ("发票号码：12345678\n付款单位：个人\n金额合计（小写）：12.50\n金额合计（大写）：壹拾贰元伍角\n"
            "收款单位：安平县仁济大药房连锁有限公司\n")
    fields = read_fields("vat_invoice", text).fields
    assert fields["seller_name"] == "安平县仁济大药房连锁有限公司"
    assert fields["total_amount"] == "12.50"
    assert fields["total_amount_capital"] == "12.50"
    assert "amount" not in fields


# A till's goods: no tax column, read from hand-made word boxes as a text layer gives them

WIDTH, HEIGHT = 0.015, 0.012


def row(top: float, *cells: tuple[float, str]) -> Line:
    """A text-layer line of cells, each from its `left`, characters WIDTH wide, cells parted by a
    wide gap; a space inside a cell parts words (each its own boxes)."""
    text, boxes = "", []
    for left, cell in cells:
        if text:
            text += "  "
            boxes += [None, None]
        text += cell
        boxes += [(left + WIDTH * n, top, left + WIDTH * (n + 1), top + HEIGHT) for n in range(len(cell))]
    return Line(text, None, tuple(boxes), 1)


def test_a_rolls_goods_name_above_its_figures_makes_one_row_each():
    # 卷票: 品名 数量 单价 金额, the name on its own line (the long one runs past the name column),
    # its figures under 数量/单价/金额; the rows add up to the total paid.
    lines = [row(0.05, (0.1, "增值税普通发票（卷票）")),
             row(0.10, (0.02, "发票号码：31947276")),
             row(0.14, (0.02, "品名"), (0.2, "数量"), (0.28, "单价"), (0.36, "金额")),
             row(0.16, (0.02, "*卫生材料*一次性使用无菌注射器")),
             row(0.18, (0.2, "3"), (0.28, "252.50"), (0.36, "757.50")),
             row(0.20, (0.02, "*中药饮片*黄芪")),
             row(0.22, (0.2, "2"), (0.28, "184.84"), (0.36, "369.68")),
             row(0.24, (0.02, "合计"), (0.36, "1127.18")),
             row(0.26, (0.02, "合计金额（小写）：¥1127.18"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["items"] == [
        {"name": "*卫生材料*一次性使用无菌注射器", "quantity": "3", "unit_price": "252.50",
         "amount": "757.50"},
        {"name": "*中药饮片*黄芪", "quantity": "2", "unit_price": "184.84", "amount": "369.68"}]
    assert fields["total_amount"] == "1127.18"


def test_a_supermarket_line_with_quantity_times_price_in_one_cell():
    lines = [row(0.10, (0.02, "商品名称"), (0.24, "数量×单价"), (0.38, "金额")),
             row(0.12, (0.02, "医用外科口罩"), (0.24, "2×3.00"), (0.38, "6.00")),
             row(0.14, (0.02, "黄芪"), (0.24, "1×12.50"), (0.38, "12.50")),
             row(0.18, (0.02, "合计（小写）：18.50"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["items"] == [
        {"name": "医用外科口罩", "quantity": "2", "unit_price": "3.00", "amount": "6.00"},
        {"name": "黄芪", "quantity": "1", "unit_price": "12.50", "amount": "12.50"}]


def test_a_machine_prints_goods_end_at_the_colon_labelled_sum_below_them():
    # 通用机打发票: 项目 数量 单价 金额 rows, then 金额合计（小写）： with no 合计 row.
    lines = [row(0.10, (0.02, "项目"), (0.2, "数量"), (0.28, "单价"), (0.38, "金额")),
             row(0.12, (0.02, "连花清瘟胶囊"), (0.2, "4"), (0.28, "164.21"), (0.38, "656.84")),
             row(0.16, (0.02, "金额合计（小写）：656.84")),
             row(0.18, (0.02, "收款单位：安平县仁济大药房连锁有限公司"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["items"] == [{"name": "连花清瘟胶囊", "quantity": "4", "unit_price": "164.21",
                                "amount": "656.84"}]


def test_a_tills_party_word_with_the_name_after_its_colon_names_that_party():
    text = "发票号码：12345678\n销售方：化寿区惠民大药房连锁有限公司\n购买方：个人\n"
    fields = read_fields("vat_invoice", text).fields
    assert fields["seller_name"] == "化寿区惠民大药房连锁有限公司"
    assert fields["buyer_name"] == "个人"


def test_a_box_heading_before_its_name_label_is_no_value_of_its_own():
    text = ("购买方  名称：安平县仁济诊所\n        纳税人识别号：91440300MA5DXXXX1A\n"
            "销售方  名称：化寿区惠民大药房连锁有限公司\n")
    fields = read_fields("vat_invoice", text).fields
    assert fields["buyer_name"] == "安平县仁济诊所"
    assert fields["seller_name"] == "化寿区惠民大药房连锁有限公司"
