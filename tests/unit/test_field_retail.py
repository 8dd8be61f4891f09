"""Field reading of the shapes the tuning families vat_invoice.member, invoice.fiscal and
invoice.community print (issue 17, point 2): a member's till slip with discounts under and after
its goods rows, goods names that begin with figures, the sum due after the discounts; an e-bill
platform's fee table two copies wide with 数量 and 单位, and a province's wording of the fund
split; a community centre's slip with its name wrapped in a narrow cell."""

import random

import pytest

from archive.demo import families
from archive.files import sniff
from archive.ocr import analyse, read_pages
from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_field_readfix import WIDTH, row

_HEADER = row(0.10, (0.02, "商品名称"), (0.2, "数量"), (0.28, "单价"), (0.36, "金额"))


def _slip(*body: Line, due: str) -> list[Line]:
    return [row(0.05, (0.02, "发票号码：37819031")), _HEADER, *body,
            row(0.30, (0.02, "件数：4"), (0.2, "商品合计：125.00")), row(0.32, (0.02, "整单优惠：-5.00")),
            row(0.34, (0.02, due)), row(0.36, (0.02, "实收：200.00"), (0.22, "找零：82.00"))]


_GOODS = (row(0.12, (0.02, "阿莫西林胶囊")), row(0.14, (0.2, "2"), (0.28, "25.00"), (0.36, "50.00")),
          row(0.16, (0.04, "会员价优惠"), (0.36, "-3.00")),
          row(0.18, (0.02, "黄芪")), row(0.20, (0.2, "3"), (0.28, "25.00"), (0.36, "75.00")))


def test_discount_lines_make_no_row_end_no_table_and_the_rows_add_up_to_the_sum_due_less_them():
    reading = read_fields("vat_invoice", _slip(*_GOODS, due="应收：117.00"))
    assert reading.fields["items"] == [
        {"name": "阿莫西林胶囊", "quantity": "2", "unit_price": "25.00", "amount": "50.00"},
        {"name": "黄芪", "quantity": "3", "unit_price": "25.00", "amount": "75.00"}]
    assert reading.fields["total_amount"] == "117.00"


def test_rows_that_add_up_to_the_sum_due_with_no_choice_of_the_discounts_are_not_given():
    reading = read_fields("vat_invoice", _slip(*_GOODS, due="应收：118.00"))
    assert reading.fields["total_amount"] == "118.00"
    assert "items" not in reading.fields
    assert "items" in [item["field"] for item in reading.unreadable]


def test_the_sum_due_after_the_discounts_outranks_the_sum_before_them_and_a_misread_label():
    # 折后金额 is the sum due; the 价合计 inside 原价合计 is no 价税合计 read with 税 lost.
    lines = [row(0.05, (0.02, "发票号码：37819031")),
             row(0.08, (0.02, "件数：13"), (0.2, "原价合计：91.56")), row(0.10, (0.02, "折后金额：90.00"))]
    assert read_fields("vat_invoice", lines).fields["total_amount"] == "90.00"


@pytest.mark.parametrize(("printed", "name"), [
    ("84 消毒液", "84消毒液"), ("999感冒灵颗粒", "999感冒灵颗粒"), ("1 84 消毒液", "84消毒液"),
    ("1.999感冒灵颗粒", "999感冒灵颗粒"), ("01 84消毒液", "84消毒液")])
def test_the_figures_a_goods_name_begins_with_are_the_names_and_a_row_number_is_its_place(printed, name):
    lines = [row(0.05, (0.02, "发票号码：37819031")), _HEADER, row(0.12, (0.02, printed)),
             row(0.14, (0.2, "2"), (0.28, "9.90"), (0.36, "19.80")), row(0.17, (0.02, "应收：19.80"))]
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": name, "quantity": "2", "unit_price": "9.90", "amount": "19.80"}]


def test_a_row_number_that_is_not_the_rows_place_is_part_of_the_name():
    lines = [row(0.05, (0.02, "发票号码：37819031")), _HEADER,
             row(0.12, (0.02, "1 医用棉签")), row(0.14, (0.2, "1"), (0.28, "5.00"), (0.36, "5.00")),
             row(0.16, (0.02, "2.84消毒液")), row(0.18, (0.2, "2"), (0.28, "9.90"), (0.36, "19.80")),
             row(0.21, (0.02, "应收：24.80"))]
    names = [item["name"] for item in read_fields("vat_invoice", lines).fields["items"]]
    assert names == ["医用棉签", "84消毒液"]
    unnumbered = [row(0.05, (0.02, "发票号码：37819031")), _HEADER,
                  row(0.12, (0.02, "84 消毒液"), (0.2, "2"), (0.28, "9.90"), (0.36, "19.80")),
                  row(0.15, (0.02, "应收：19.80"))]
    assert read_fields("vat_invoice", unnumbered).fields["items"][0]["name"] == "84消毒液"


def test_a_fee_table_printed_two_copies_wide_with_quantity_and_unit_columns():
    columns = (0, 0.2, 0.28, 0.36, 0.5, 0.7, 0.78, 0.86)
    lines = [row(0.05, (0.02, "票据号码：6710131125")),
             row(0.10, *zip(columns, ("项目名称", "数量", "单位", "金额（元）") * 2, strict=True)),
             row(0.12, *zip(columns, ("卫生材料费", "1", "项", "473.19", "放射费", "1", "次", "373.38"),
                            strict=True)),
             row(0.14, *zip(columns[:4], ("西药费", "2", "项", "10.00"), strict=True)),
             row(0.17, (0.02, "金额合计（大写）捌佰伍拾陆元伍角柒分"), (0.6, "（小写）856.57"))]
    assert read_fields("invoice", lines).fields["line_items"] == [
        {"category": "卫生材料费", "amount": "473.19"}, {"category": "放射费", "amount": "373.38"},
        {"category": "西药费", "amount": "10.00"}]


def test_cash_paid_is_no_fund_paid_misread_and_a_provinces_wordings_of_the_split_are_read():
    lines = [row(0.05, (0.02, "票据号码：6710131125")),
             row(0.08, (0.02, "个人帐户支付：102.71 个人现金支付：235.92 个人自负：206.25"))]
    fields = read_fields("invoice", lines).fields
    assert "fund_paid" not in fields  # 现金支付 is one character from 基金支付
    assert (fields["personal_account_paid"], fields["self_paid"]) == ("102.71", "206.25")


def test_a_value_a_narrow_cell_wrapped_onto_the_lines_under_it_is_read_whole():
    value_left = 0.02 + 5 * WIDTH  # under the value's first character, after 就诊机构：
    lines = [row(0.05, (0.02, "票据号：5961376109")),
             row(0.08, (0.02, "就诊机构：淮湘县通源街道"), (0.4, "科室：全科")),
             row(0.10, (value_left, "社区卫生服务")), row(0.12, (value_left, "中心")),
             row(0.14, (0.02, "姓名：罗伟佳 性别：女"))]
    fields = read_fields("invoice", lines).fields
    assert fields["hospital"] == "淮湘县通源街道社区卫生服务中心"
    assert fields["payer_name"] == "罗伟佳"
    # A line under the value that begins elsewhere (the next label's own line) is not its rest,
    # nor is one a blank line's height lower.
    apart = [lines[0], lines[1], row(0.10, (0.02, "社区卫生服务中心")), row(0.14, (value_left, "中心"))]
    assert "hospital" not in read_fields("invoice", apart).fields


def test_a_slips_payment_lines_name_the_fund_and_the_account_without_their_pay_word():
    lines = [row(0.05, (0.02, "票据号：5961376109")),
             row(0.08, (0.02, "医保统筹：385.30 个人账户：48.47 现金支付：336.84")),
             row(0.10, (0.02, "个人自付：323.66 个人自费：13.18"))]
    fields = read_fields("invoice", lines).fields
    assert (fields["invoice_number"], fields["fund_paid"], fields["personal_account_paid"]) == (
        "5961376109", "385.30", "48.47")


@pytest.mark.parametrize(("kind", "family"), [("vat_invoice", "member"), ("invoice", "fiscal"),
                                              ("invoice", "community")])
def test_the_new_tuning_families_read_exactly_born_digital(kind, family, tmp_path):
    for index in range(6):
        document = families.make(kind, family, random.Random(f"retail:{kind}:{family}:{index}"))
        path = tmp_path / f"{index}.pdf"
        path.write_bytes(document.content)
        reading = analyse(list(read_pages(path, sniff.PDF)), kind=kind)
        assert reading.fields == document.truth, index


def test_an_e_bills_check_code_of_letters_only_is_read():
    lines = [Line("票据代码：71661784 票据号码：9437638797 校验码：faebfe")]
    assert read_fields("invoice", lines).fields["check_code"] == "faebfe"
    # A code of another field still needs a figure: a word after its label is no code.
    assert "insurance_number" not in read_fields("invoice", [Line("医保编号：abcdef")]).fields


def test_the_sum_due_after_the_discounts_is_no_discount():
    from archive.ocr.goods_text import DISCOUNT

    assert DISCOUNT.match("优惠后金额：10.00") is None
    assert DISCOUNT.match("整单优惠：5.00") is not None


def test_a_printed_sum_of_the_discounts_is_tried_alone():
    # Rows 50.00 + 75.00 with 整单优惠 5.00 and 本次优惠 5.00 (that discount summed again) due
    # 115.00: only 120.00 is the sum; taking the discount twice would hide a row misread by 5.00.
    goods = (row(0.12, (0.02, "阿莫西林胶囊")), row(0.14, (0.2, "2"), (0.28, "25.00"), (0.36, "50.00")),
             row(0.18, (0.02, "黄芪")), row(0.20, (0.2, "3"), (0.28, "25.00"), (0.36, "75.00")))
    lines = _slip(*goods, due="应收：115.00")
    lines.append(row(0.38, (0.02, "本次优惠：5.00")))
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["total_amount"] == "115.00"
    assert "items" not in reading.fields
    lines[-1] = row(0.38, (0.02, "本次优惠：10.00"))
    assert len(read_fields("vat_invoice", lines).fields["items"]) == 2


def test_an_account_balance_is_no_account_payment():
    reading = read_fields("invoice", "合计金额（小写）：300.00\n"
                                     "医保统筹：200.00 个人账户余额：1500.00 现金支付：100.00")
    assert "personal_account_paid" not in reading.fields
    assert reading.fields["total_amount"] == "300.00"
