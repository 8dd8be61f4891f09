"""Field reading that neither invents nor refuses what it read before (issue 17, point 2): small
constructed pages of a till's roll invoice (卷票) and a ruled referral approval form, the shapes of
the tuning families vat_invoice.roll and referral.form."""

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


# A bare party word higher up does not make a block of what is printed under another party's label

def test_a_buyer_word_above_the_seller_lines_lends_them_no_buyer_field():
    # 卷票: 购买方：个人 printed first, then 销售方名称 and its 纳税人识别号 with no heading of their own.
    lines = [row(0.05, (0.1, "增值税普通发票（卷票）")),
             row(0.08, (0.02, "发票号码：31947276")),
             row(0.10, (0.02, "购买方：个人")),
             row(0.12, (0.02, "销售方名称：源昌康宁大药房有限公司")),
             row(0.14, (0.02, "纳税人识别号：9190025279DWAXF67F"))]
    fields = read_fields("vat_invoice", lines).fields
    assert "buyer_tax_id" not in fields  # the seller's code is not the buyer's
    assert fields["seller_tax_id"] == "9190025279DWAXF67F"
    assert fields["seller_name"] == "源昌康宁大药房有限公司"


def test_a_blank_buyer_block_under_the_seller_reads_nothing_for_the_buyer():
    lines = [row(0.10, (0.02, "销售方名称：源昌康宁大药房有限公司")),
             row(0.12, (0.02, "纳税人识别号：9190025279DWAXF67F")),
             row(0.14, (0.02, "购买方名称：")),
             row(0.16, (0.02, "纳税人识别号：")),
             row(0.18, (0.02, "品名"), (0.2, "数量"), (0.28, "单价"), (0.36, "金额"))]
    fields = read_fields("vat_invoice", lines).fields
    assert fields["seller_tax_id"] == "9190025279DWAXF67F"
    assert "buyer_tax_id" not in fields and "buyer_name" not in fields


def test_a_roll_invoices_total_is_no_amount_before_tax():
    # 卷票 prints 合计金额（小写）/（大写）: the price-tax total; it states no amount before tax.
    text = "发票号码：31947276\n合计金额（小写）：¥369.68\n合计金额（大写）：叁佰陆拾玖元陆角捌分"
    fields = read_fields("vat_invoice", text).fields
    assert fields["total_amount"] == "369.68" and fields["total_amount_capital"] == "369.68"
    assert "amount" not in fields


# A ruled form's label cells each followed by their value cell, no colons

def test_label_and_value_cells_in_turn_are_read_on_their_row():
    # 申请日期 is label-like (its head word): the row is still label, value, label, value.
    lines = [row(0.10, (0.02, "姓名"), (0.16, "郑珍春"), (0.5, "性别"), (0.66, "女")),
             row(0.12, (0.02, "医保编号"), (0.16, "9732086958"), (0.5, "申请日期"), (0.66, "2026年12月26日")),
             row(0.14, (0.02, "临床诊断"), (0.16, "急性阑尾炎"), (0.5, "联系电话"), (0.66, "14031008991"))]
    fields = read_fields("referral", lines).fields
    assert fields["insurance_number"] == "9732086958"
    assert "referral_date" not in fields  # the application date is not the referral date


def test_a_value_ends_where_a_label_cell_begins():
    text = "身份证号码  440305195812241030  年龄  63\n转诊日期  2026年12月28日"
    fields = read_fields("referral", text).fields
    assert fields["id_number"] == "440305195812241030"


def test_a_cell_below_holding_a_label_and_its_value_is_not_the_value():
    # 转诊原因 | 需行介入手术治疗 (a short value: the row looks like a header), then a signer's row.
    lines = [row(0.10, (0.02, "转诊原因"), (0.16, "需行介入手术治疗")),
             row(0.12, (0.02, "主治医师意见：同意转诊"), (0.5, "签字："))]
    reading = read_fields("referral", lines)
    assert reading.fields["reason"] == "需行介入手术治疗"
    assert not [item for item in reading.unreadable if item["field"] == "reason"]


def test_a_header_row_with_an_unknown_word_between_labels_stays_a_header():
    # 姓名 | 出生年月 | 性别 | 民族 over the values: 出生年月 is no value of 姓名.
    lines = [row(0.10, (0.02, "姓名"), (0.2, "出生年月"), (0.4, "性别"), (0.6, "民族")),
             row(0.12, (0.02, "郑珍春"), (0.2, "1958.12"), (0.4, "女"), (0.6, "汉"))]
    assert read_fields("referral", lines).fields["patient_name"] == "郑珍春"
