"""A statement continued over pages prints each page's sum (本页合计) and the pages so far (累计)
before the statement's own sum: the 合计 ending a part's sum is not the document's total."""

from archive.ocr.fields import read_fields
from tests.unit.test_field_readfix import row

PAGES = [row(0.05, (0.1, "住院费用清单")),
         row(0.07, (0.1, "姓名：马强凤"), (0.5, "住院号：328838")),
         row(0.09, (0.1, "项目名称"), (0.4, "数量"), (0.5, "单价"), (0.6, "金额")),
         row(0.11, (0.1, "血常规"), (0.4, "1"), (0.5, "165.49"), (0.6, "165.49")),
         row(0.13, (0.1, "本页合计"), (0.6, "165.49")),
         row(0.15, (0.1, "累计"), (0.6, "165.49")),
         row(0.05, (0.1, "承前页"), (0.6, "165.49"), page=2),
         row(0.07, (0.1, "心电图检查"), (0.4, "1"), (0.5, "88.30"), (0.6, "88.30"), page=2),
         row(0.09, (0.1, "本页合计"), (0.6, "88.30"), page=2),
         row(0.11, (0.1, "累计"), (0.6, "253.79"), page=2)]


def test_a_page_sum_is_not_the_statements_total():
    assert "daily_total" not in read_fields("daily_statement", PAGES).fields


def test_the_statements_own_sum_after_the_page_sums_is_its_total():
    lines = [*PAGES, row(0.13, (0.1, "总金额：253.79"), page=2), row(0.15, (0.1, "患者签名：马强凤"), page=2)]
    fields = read_fields("daily_statement", lines).fields
    assert fields["daily_total"] == "253.79"
    assert fields["signed_by"] == "马强凤"


def test_a_day_total_printed_as_its_own_label_is_read():
    lines = [row(0.05, (0.1, "姓名：马强凤")), row(0.07, (0.1, "合计：165.49"))]
    assert read_fields("daily_statement", lines).fields["daily_total"] == "165.49"
