"""The goods lines of receipts and till rolls, however they are printed (issue 17, points 2 and 3):
a matrix of item blocks as tills, POS receipts, pharmacy slips and small-format 数电票 print them
(tests/fixtures/till_items.py), read from born-digital PDFs as `vat_invoice`. A line is a goods row
only when its own arithmetic holds, and the list is given only when it adds up to the sum printed."""

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from archive.demo.documents import from_layout
from archive.files import sniff
from archive.ocr import analyse, read_pages
from archive.ocr.fields import read_fields
from archive.ocr.till_rows import figures, named
from tests.fixtures.till_items import LIST_PRICES, TRICKY, read, variants
from tests.unit.test_field_readfix import row

MATRIX = variants()


@pytest.mark.parametrize("variant", MATRIX, ids=[variant.name for variant in MATRIX])
def test_every_printed_shape_of_goods_lines_is_read_exactly(variant):
    made, fields, flagged = read(variant)
    assert fields.get("items") == made.truth["items"]
    assert "items" not in flagged


HARD = variants(TRICKY)


@pytest.mark.parametrize("variant", HARD, ids=[variant.name for variant in HARD])
def test_what_else_a_till_prints_among_the_goods_never_makes_a_wrong_list(variant):
    # 折扣 under a row, a 会员价 line, 原价 and 现价, a 小计 after each row, a refund's row.
    made, fields, flagged = read(variant)
    assert fields.get("items") in (None, made.truth["items"])
    assert "items" in fields or "items" in flagged


# 原价 and 现价 are told apart by their header words or labels, as 单价 (零售价, 售价) and 现价 by their
# header's columns; bare, they are not (flagged).
READ_RIGHT = [variant for variant in HARD if variant.extra in ("zhekou", "member_price", "subtotals") or (
    variant.extra == "two_prices" and variant.shape in ("columns", "two_lines_labelled")) or (
    variant.extra in LIST_PRICES and variant.shape == "columns")]


@pytest.mark.parametrize("variant", READ_RIGHT, ids=[variant.name for variant in READ_RIGHT])
def test_a_row_s_own_subtotal_member_price_discount_or_list_price_leaves_the_list_read(variant):
    made, fields, _flagged = read(variant)
    assert fields.get("items") == made.truth["items"]


@pytest.mark.parametrize("header", [False, True])
@pytest.mark.parametrize("goods", [("阿莫西林胶囊 2盒 15.50 31.00",),
                                   ("阿莫西林胶囊 2盒 15.50 31.00", "布洛芬缓释胶囊 1盒 23.80 23.80")])
def test_a_subtotal_after_the_last_row_is_the_goods_sum_not_a_row_s(header, goods):
    # 小计 under the last row is the goods' sum (a single row's amount too): no row, no end skipped.
    lines = [row(0.05, (0.02, "发票号码：26332000000123456789"))]
    if header:
        lines.append(row(0.08, (0.02, "商品名称"), (0.3, "数量"), (0.38, "单价"), (0.46, "金额")))
    lines += [row(0.10 + 0.02 * n, (0.02, text)) for n, text in enumerate(goods)]
    total = "31.00" if len(goods) == 1 else "54.80"
    lines += [row(0.20, (0.02, f"小计：{total}")), row(0.22, (0.02, f"合计：{total}"))]
    reading = read_fields("vat_invoice", lines)
    assert [item["amount"] for item in reading.fields["items"]] == ["31.00", "23.80"][:len(goods)]


# One of each header and shape: a total that is not the goods' sum.
UNSUMMED = [variant for variant in MATRIX if variant.extra in ("", "discount", "long_name")]


@pytest.mark.parametrize("variant", UNSUMMED, ids=[variant.name for variant in UNSUMMED])
def test_a_list_that_does_not_add_up_to_the_printed_sum_is_not_given(variant):
    _made, fields, flagged = read(variant, total_off=Decimal("1.00"))
    assert "items" not in fields
    if variant.header != "none":
        assert "items" in flagged


@pytest.mark.parametrize("text", ["合计 68.30", "小计 68.30", "应收 68.30", "实收 100.00", "找零 31.70",
                                  "抹零 0.30", "现金 100.00", "微信支付 68.30", "医保卡 68.30",
                                  "会员优惠 2.00", "合计 3 件 68.30", "品种 3 68.30"])
def test_a_sum_or_payment_line_is_never_a_goods_row(text):
    assert named(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2 x 15.50 31.00", {"quantity": "2", "unit_price": "15.50", "amount": "31.00"}),
    ("2盒 ×15.50 =31.00", {"quantity": "2", "unit_price": "15.50", "amount": "31.00"}),
    ("数量:2 单价:¥15.50 金额:¥31.00", {"quantity": "2", "unit_price": "15.50", "amount": "31.00"}),
    ("1.5kg 12.80 19.20", {"quantity": "1.5", "unit_price": "12.80", "amount": "19.20"}),
    ("15.50 2 31.00", {"quantity": "2", "unit_price": "15.50", "amount": "31.00"}),  # price first
    ("2 x 15.50 31.50", None),  # the product is not the amount
    ("2.00 15.50 31.00", None),  # which is the quantity is not known
])
def test_a_figures_line_is_read_only_when_its_arithmetic_holds(text, expected):
    assert figures(text) == expected


def test_headerless_goods_lines_are_read_only_when_followed_by_their_sum():
    head = [row(0.05, (0.02, "发票号码：26332000000123456789"))]
    goods = [row(0.10, (0.02, "阿莫西林胶囊 2盒 15.50 31.00")), row(0.12, (0.02, "挂号费 10.00"))]
    reading = read_fields("vat_invoice", [*head, *goods, row(0.14, (0.02, "合计：41.00"))])
    assert reading.fields["items"] == [
        {"name": "阿莫西林胶囊", "quantity": "2", "unit_price": "15.50", "amount": "31.00"},
        {"name": "挂号费", "amount": "10.00"}]
    # Payment lines after the sum that happen to add up to it are no goods.
    payments = [row(0.14, (0.02, "合计：41.00")), row(0.16, (0.02, "现金 41.00"))]
    assert "items" not in read_fields("vat_invoice", [*head, *payments]).fields
    # Services alone, with no line whose own figures hold, are not taken without a header.
    services = [row(0.10, (0.02, "挂号费 10.00")), row(0.12, (0.02, "诊查费 31.00")),
                row(0.14, (0.02, "合计：41.00"))]
    assert "items" not in read_fields("vat_invoice", [*head, *services]).fields


def test_a_goods_table_with_no_sum_printed_gives_no_list():
    lines = [row(0.05, (0.02, "发票号码：26332000000123456789")),
             row(0.10, (0.02, "商品名称"), (0.3, "数量"), (0.38, "单价"), (0.46, "金额")),
             row(0.12, (0.02, "阿莫西林胶囊"), (0.3, "2"), (0.38, "15.50"), (0.46, "31.00"))]
    reading = read_fields("vat_invoice", lines)
    assert "items" not in reading.fields
    assert "items" in [item["field"] for item in reading.unreadable]


@pytest.mark.parametrize("text", ["阿莫西林胶囊 15.50 31.00", "阿莫西林胶囊 2 31.00",
                                  "阿莫西林胶囊 0.25g*24粒 15.50 31.00"])
def test_a_goods_line_with_a_figure_not_read_is_no_row(text):
    # Its quantity or its price missing, the amount alone would be a row without them: refused.
    lines = [row(0.05, (0.02, "发票号码：26332000000123456789")),
             row(0.10, (0.02, "品名"), (0.3, "规格"), (0.4, "数量"), (0.46, "单价"), (0.52, "金额")),
             row(0.12, (0.02, text)), row(0.14, (0.02, "合计：31.00"))]
    reading = read_fields("vat_invoice", lines)
    assert "items" not in reading.fields
    assert named(text) is None


TAXED = [variant for variant in MATRIX if variant.header == "tax"]


@pytest.mark.parametrize("variant", TAXED, ids=[variant.name for variant in TAXED])
def test_the_invoice_sums_are_its_own_never_a_goods_line_s(variant):
    # Each goods line prints its own 税率:13% 税额:4.03 (two_lines_labelled); the invoice's tax is
    # the 合计 row's, 7.12.
    made, fields, _flagged = read(variant)
    for name in ("amount", "tax", "total_amount"):
        assert fields.get(name) == made.truth[name], name


def _per_line_taxes_only() -> list[str]:
    """A print whose goods lines state their tax, labelled, and no line states the invoice's."""
    rows = ["发票号码：26332000000123456789", "开票日期：2026-03-05", "销售方名称：杭州仁心大药房有限公司",
            "阿莫西林胶囊", ((0.04, "数量:2 单价:15.50 金额:31.00 税率:13% 税额:4.03"),),
            "布洛芬缓释胶囊", ((0.04, "数量:1 单价:23.80 金额:23.80 税率:13% 税额:3.09"),),
            "价税合计（小写）：¥61.92"]
    made = from_layout("vat_invoice", "matrix", "电子发票（普通发票）", [rows], {}, "taxes.pdf", size=9)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "taxes.pdf"
        path.write_bytes(made.content)
        return analyse(list(read_pages(path, sniff.PDF)), kind="vat_invoice").fields


def test_a_goods_line_s_tax_is_never_the_invoice_s():
    fields = _per_line_taxes_only()
    # Absent, or at most the sum of every line's tax; never one line's.
    assert fields.get("tax") in (None, "7.12")
    assert fields.get("amount") in (None, "54.80")
    assert fields["total_amount"] == "61.92"


HEAD = [row(0.05, (0.02, "发票号码：26332000000123456789"))]


def _headerless(*texts: str) -> tuple[dict, list[str]]:
    """The fields read from a print of these lines, one under the other, and the fields flagged."""
    lines = [*HEAD, *(row(0.10 + 0.02 * n, (0.02, text)) for n, text in enumerate(texts))]
    reading = read_fields("vat_invoice", lines)
    return reading.fields, [item["field"] for item in reading.unreadable]


@pytest.mark.parametrize("text", ["阿莫西林胶囊 10盒 2 25.00", "阿莫西林胶囊 1盒 15.51 15.50",
                                  "阿莫西林胶囊 3 0.33 1.00"])
def test_a_whole_quantity_times_a_price_in_cents_must_be_the_amount_to_the_cent(text):
    # The product of a whole quantity and a price in cents has no rounding: 10 × 2 is no 25.00.
    assert named(text) is None
    assert figures(text.split(" ", 1)[1]) is None


def test_a_price_with_more_places_or_a_fraction_of_a_unit_keeps_the_till_s_rounding():
    assert figures("3 x 3.333 10.00") == {"quantity": "3", "unit_price": "3.333", "amount": "10.00"}
    assert figures("0.333kg 12.80 4.26") == {"quantity": "0.333", "unit_price": "12.80", "amount": "4.26"}


def test_a_row_off_by_a_cent_gives_no_list():
    fields, flagged = _headerless("阿莫西林胶囊 1盒 15.51 15.50", "布洛芬缓释胶囊 2盒 12.00 24.00",
                                  "合计：39.50")
    assert "items" not in fields
    assert "items" in flagged


@pytest.mark.parametrize("above", ["华润大药房", "欢迎光临"])
def test_a_line_above_the_first_goods_name_is_no_part_of_it(above):
    # The shop's name or a greeting is narrower than the name under it: no wrapped name.
    fields, _flagged = _headerless(above, "阿莫西林胶囊", "2 x 15.50 31.00", "合计：31.00")
    assert fields.get("items") == [{"name": "阿莫西林胶囊", "quantity": "2", "unit_price": "15.50",
                                    "amount": "31.00"}]


def test_a_note_under_a_row_that_ended_in_its_figures_is_no_part_of_its_name():
    fields, flagged = _headerless("阿莫西林胶囊 2盒 15.50 31.00", "处方药", "布洛芬缓释胶囊 2盒 12.00 24.00",
                                  "合计：55.00")
    assert "items" not in fields
    assert "items" in flagged


@pytest.mark.parametrize("sum_line", ["预交金 0.00", "挂账 0.00", "押金 24.00", "欠款 24.00"])
def test_a_sum_a_till_prints_with_an_amount_alone_is_no_service(sum_line):
    amount = Decimal(sum_line.split()[1])
    fields, flagged = _headerless("阿莫西林胶囊 2盒 15.50 31.00", sum_line,
                                  f"合计：{Decimal('31.00') + amount}")
    assert all(item["name"] == "阿莫西林胶囊" for item in fields.get("items", []))
    assert "items" in fields or "items" in flagged


def test_a_service_with_its_amount_alone_is_a_row_only_when_charged():
    fields, _flagged = _headerless("阿莫西林胶囊 2盒 15.50 31.00", "挂号费 0.00", "合计：31.00")
    assert "items" not in fields


@pytest.mark.parametrize("texts", [
    ("阿莫西林胶囊 2盒 15.50 31.00", "谢谢惠顾"),  # no sum after the goods
    ("阿莫西林胶囊 2盒 15.50 31.00", "合计：31.00",
     "布洛芬缓释胶囊 2盒 12.00 24.00", "合计：24.00"),  # two runs
    # the last row's figures do not hold
    ("阿莫西林胶囊 2盒 15.50 31.00", "布洛芬缓释胶囊 2盒 12.00 24.50", "合计：55.50"),
    ("阿莫西林胶囊 2盒 15.50 31.00",),  # no total read
])
def test_goods_rows_read_but_not_given_are_flagged(texts):
    fields, flagged = _headerless(*texts)
    assert "items" not in fields
    assert "items" in flagged


@pytest.mark.parametrize("above", ["华润大药房连锁有限公司", "欢迎光临本店祝您早日康复"])
def test_a_heading_as_wide_as_the_goods_names_is_never_the_first_name_s_first_line(above):
    # Over the first name a line may be a heading or the name's own first line, the two alike:
    # the list is given right or not at all, and then flagged.
    fields, flagged = _headerless(above, "阿莫西林胶囊", "2 x 15.50 31.00", "布洛芬缓释胶囊",
                                  "1 x 23.80 23.80", "合计：54.80")
    assert "items" not in fields
    assert "items" in flagged


def test_a_first_name_wrapped_over_two_lines_is_never_read_as_its_second():
    fields, flagged = _headerless("蒲地蓝消炎口服液（儿童", "装）", "2 x 32.60 65.20", "合计：65.20")
    assert fields.get("items") in (None, [{"name": "蒲地蓝消炎口服液（儿童装）", "quantity": "2",
                                           "unit_price": "32.60", "amount": "65.20"}])
    assert "items" in fields or "items" in flagged


@pytest.mark.parametrize("texts", [("阿莫西林胶囊 2盒 15.50 31.50",), ("阿莫西林胶囊", "2 x 15.50 31.50"),
                                   ("阿莫西林胶囊 2.00 15.50 31.00",)])
def test_a_lone_goods_line_whose_figures_do_not_hold_is_flagged(texts):
    fields, flagged = _headerless(*texts, "合计：31.50")
    assert "items" not in fields
    assert "items" in flagged


def _priced(listed: str, charged: str, goods: list[tuple[str, ...]]) -> tuple[dict, list[str]]:
    """A print whose header names two prices, each goods row in the columns under it."""
    header = row(0.08, (0.02, "商品名称"), (0.3, "数量"), (0.38, listed), (0.46, charged), (0.54, "金额"))
    lines = [*HEAD, header]
    lines += [row(0.10 + 0.02 * n, *zip((0.02, 0.3, 0.38, 0.46, 0.54), cells, strict=True))
              for n, cells in enumerate(goods)]
    total = sum((Decimal(cells[-1]) for cells in goods), Decimal(0))
    reading = read_fields("vat_invoice", [*lines, row(0.20, (0.02, f"合计：{total}"))])
    return reading.fields, [item["field"] for item in reading.unreadable]


GOODS_PRICED = [("阿莫西林胶囊", "2", "16.50", "15.50", "31.00"),
                ("布洛芬缓释胶囊", "1", "24.80", "23.80", "23.80")]


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("listed", ["单价", "零售价", "售价"])
def test_a_price_beside_the_price_charged_is_the_list_price(listed, count):
    # 商品名称 数量 单价 现价 金额: 2 × 15.50 = 31.00, the 16.50 before it the list price.
    fields, flagged = _priced(listed, "现价", GOODS_PRICED[:count])
    assert fields.get("items") == [{"name": name, "quantity": quantity, "unit_price": price, "amount": amount}
                                   for name, quantity, _listed, price, amount in GOODS_PRICED[:count]]
    assert "items" not in flagged


def test_a_header_naming_a_price_twice_with_none_the_price_charged_is_flagged():
    # 单价 售价: which is the row's is not known; the rows are neither read nor dropped unsaid.
    fields, flagged = _priced("单价", "售价", GOODS_PRICED)
    assert "items" not in fields
    assert "items" in flagged


@pytest.mark.parametrize("texts", [
    ("阿莫西林胶囊 2 16.50 15.50 31.00", "合计：31.00"),
    ("阿莫西林胶囊 2 16.50 15.50 31.00", "布洛芬缓释胶囊 1 24.80 23.80 23.80", "合计：54.80"),
    # a row that reads, after a goods line that no rule reads: no list without that row
    ("阿莫西林胶囊 2 16.50 15.50 31.00", "谢谢", "布洛芬缓释胶囊 1盒 23.80 23.80", "合计：23.80"),
])
def test_a_goods_line_with_a_figure_too_many_and_no_header_is_flagged(texts):
    fields, flagged = _headerless(*texts)
    assert "items" not in fields
    assert "items" in flagged
