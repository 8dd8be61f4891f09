"""Field reading that does not invent (issue 17, point 2): small constructed till receipts in the
shapes of the tuning families vat_invoice.pos and vat_invoice.machine."""

from archive.ocr.fields import read_fields


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
