"""Field reading of the shapes the tuning family vat_invoice.dispensary prints (issue 17, point 2):
a hospital shop's or pharmacy's till roll with each goods name on its line and its figures under it
as `数量 × 单价 = 金额`, 医保 catalogue codes under a name with or without a colon, herbs sold by the
gram, and 应收合计 as the sum due."""


import pytest

from archive.ocr.fields import read_fields
from tests.fixtures.born_digital import read_family
from tests.unit.test_field_readfix import row

_HEAD = row(0.05, (0.02, "发票号码：37589468623390360962"))
_HEADER = row(0.10, (0.02, "品名"), (0.2, "数量×单价"), (0.36, "金额"))


def _slip(*body, total: str = "合计：") -> list:
    return [_HEAD, _HEADER, *body, row(0.40, (0.02, "品种：2"), (0.2, total))]


def test_a_figures_line_under_a_name_is_read_by_its_signs_wherever_it_lies():
    # The roll prints `数量 × 单价 = 金额` as one string, indented: its figures are not in the columns.
    lines = _slip(row(0.12, (0.02, "复方丹参滴丸")), row(0.14, (0.08, "1 × 54.59 = 54.59")),
                  row(0.16, (0.02, "黄芪")), row(0.18, (0.08, "15g x 0.115 = 1.73")),
                  total="应收合计：56.32")
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "复方丹参滴丸", "quantity": "1", "unit_price": "54.59", "amount": "54.59"},
        {"name": "黄芪", "quantity": "15", "unit_price": "0.115", "amount": "1.73"}]
    assert reading.fields["total_amount"] == "56.32"


def test_a_figures_line_whose_product_is_not_its_amount_makes_no_row():
    lines = _slip(row(0.12, (0.02, "复方丹参滴丸")), row(0.14, (0.08, "2 × 54.59 = 54.59")),
                  total="合计：54.59")
    reading = read_fields("vat_invoice", lines)
    assert "items" not in reading.fields
    assert "items" in [item["field"] for item in reading.unreadable]


@pytest.mark.parametrize("code", ["医保编码XS94HZL196W550476696230", "国家医保编码：XE57ACT359P713364276392",
                                  "批号：95326522 效期：2029/12"])
def test_a_catalogue_code_or_batch_under_a_name_is_no_row_and_no_end(code):
    lines = _slip(row(0.12, (0.02, "氯雷他定片")), row(0.14, (0.02, code)),
                  row(0.16, (0.08, "2盒 × 10.00 = 20.00")), total="合计：20.00")
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": "氯雷他定片", "quantity": "2", "unit_price": "10.00", "amount": "20.00"}]


def test_the_dispensary_family_reads_whole():
    for index in range(4):
        document, fields = read_family("vat_invoice", "dispensary", f"test:dispensary:{index}")
        assert {key: fields.get(key) for key in document.truth} == document.truth


@pytest.mark.parametrize("rule", ["-" * 30, "- " * 15, "=" * 30])
def test_a_rule_printed_in_characters_in_the_goods_table_is_no_row(rule):
    lines = _slip(row(0.11, (0.02, rule)), row(0.12, (0.02, "氯雷他定片")),
                  row(0.14, (0.08, "2 × 10.00 = 20.00")), row(0.15, (0.02, rule)), total="合计：20.00")
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": "氯雷他定片", "quantity": "2", "unit_price": "10.00", "amount": "20.00"}]


def test_the_cents_a_till_rounds_off_are_taken_off_like_a_discount():
    lines = [_HEAD, _HEADER, row(0.12, (0.02, "氯雷他定片")), row(0.14, (0.08, "3 × 10.35 = 31.05")),
             row(0.20, (0.02, "合计：31.05")), row(0.22, (0.02, "抹零：0.05")),
             row(0.24, (0.02, "应收：31.00"))]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["total_amount"] == "31.00"
    assert reading.fields["items"] == [
        {"name": "氯雷他定片", "quantity": "3", "unit_price": "10.35", "amount": "31.05"}]


def test_a_name_word_with_its_spec_after_a_slash_heads_the_name_and_spec_column():
    lines = [_HEAD, row(0.10, (0.02, "项目/规格"), (0.2, "数量×单价"), (0.36, "金额")),
             row(0.12, (0.02, "格列美脲片 2mg*30片")), row(0.14, (0.08, "3盒 * 13.40 = 40.20")),
             row(0.20, (0.02, "合计：40.20"))]
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": "格列美脲片", "spec": "2mg*30片", "quantity": "3", "unit_price": "13.40", "amount": "40.20"}]
