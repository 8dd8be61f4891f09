"""Item tables over several pages: columns from the header row, page subtotals not rows."""

import random
from decimal import Decimal

from archive.demo import families
from archive.demo.scans import scan
from archive.files import sniff
from archive.ocr import analyse, read_pages
from archive.ocr.fields import read_fields
from archive.ocr.lines import Line

GAP = "    "
HEADER = GAP.join(("序号", "项目编码", "项目名称", "规格", "数量", "单价", "金额", "医保类别"))
ROWS = [("1", "100200300", "阿莫西林胶囊", "0.25g", "2", "12.50", "25.00", "甲"),
        ("2", "100200301", "胸部X线摄影", "次", "1", "80.00", "80.00", "甲"),
        ("3", "100200302", "人血白蛋白", "10g", "1", "360.20", "360.20", "丙"),
        ("4", "100200303", "心电监护", "小时", "3", "10.00", "30.00", "乙")]
ITEMS = [{"name": name, "spec": spec, "unit_price": price, "quantity": quantity, "amount": amount,
          "insurance_class": cls} for _, _, name, spec, quantity, price, amount, cls in ROWS]


def _lines(pages: list[list[str]]) -> list[Line]:
    return [Line(text, page=number) for number, page in enumerate(pages, 1) for text in page]


def _row(cells) -> str:
    return GAP.join(cells)


def test_a_header_repeated_on_each_page_and_page_subtotals():
    patient = f"姓名：张三{GAP}住院号：123456{GAP}科室：内科"
    pages = [[patient, "费用日期：2026-03-05", HEADER, _row(ROWS[0]), _row(ROWS[1]), f"本页小计{GAP}105.00",
              "第 1 页/共 2 页"],
             ["某某医院住院费用清单", patient, "费用日期：2026-03-05", HEADER, _row(ROWS[2]), _row(ROWS[3]),
              f"本页小计{GAP}390.20", "合计：495.20", "患者（家属）签字：张三"]]
    reading = read_fields("daily_statement", _lines(pages))
    assert reading.fields["items"] == ITEMS
    assert reading.fields["daily_total"] == "495.20"
    assert sum(Decimal(item["amount"]) for item in reading.fields["items"]) == Decimal("495.20")
    assert not [item for item in reading.unreadable if item["field"] == "items"]


def test_a_header_on_the_first_page_only_and_rows_going_on():
    columns = GAP.join(("项目名称", "规格", "单价", "数量", "金额", "类别"))

    def plain(row):
        return _row((row[2], row[3], row[5], row[4], row[6], row[7]))

    pages = [["患者姓名：李四", "清单日期：2026-03-05", columns, *map(plain, ROWS[:3]), f"小计{GAP}465.20"],
             ["住院病人一日清单", "第2页", plain(ROWS[3]), f"小计{GAP}30.00", "费用合计：495.20",
              "患者签字：李四"]]
    reading = read_fields("daily_statement", _lines(pages))
    assert reading.fields["items"] == ITEMS
    assert reading.fields["daily_total"] == "495.20"


def test_rows_that_do_not_add_up_to_their_page_subtotal_are_not_given():
    """A row lost at a page break (here: not printed) shows in the page's subtotal."""
    pages = [["姓名：张三", "日期：2026-03-05", HEADER, _row(ROWS[0]), f"本页小计{GAP}105.00"],
             [HEADER, _row(ROWS[2]), _row(ROWS[3]), f"本页小计{GAP}390.20", "合计：495.20"]]
    reading = read_fields("daily_statement", _lines(pages))
    assert "items" not in reading.fields
    assert [item["reason"] for item in reading.unreadable if item["field"] == "items"] == ["row_unreadable"]


def test_a_subtotal_alone_is_not_a_row_nor_the_days_total():
    pages = [["姓名：张三", "日期：2026-03-05", HEADER, _row(ROWS[0]), _row(ROWS[1]), f"本页合计{GAP}105.00",
              "当日合计：105.00"]]
    reading = read_fields("daily_statement", _lines(pages))
    assert reading.fields["items"] == ITEMS[:2]
    assert reading.fields["daily_total"] == "105.00"


def _read(content: bytes, content_type: str, suffix: str, tmp_path):
    path = tmp_path / f"statement{suffix}"
    path.write_bytes(content)
    return list(read_pages(path, content_type))


def test_a_long_statement_over_pages_is_read_as_one_day(tmp_path):
    """Born-digital, both layouts: every row of every page, one day (no `days`), no check failing."""
    for family in ("paged", "continued"):
        document = families.make("daily_statement", family, random.Random(f"one-day:{family}"))
        assert document.pages >= 2
        reading = analyse(_read(document.content, sniff.PDF, ".pdf", tmp_path), kind="daily_statement")
        assert "days" not in reading.fields
        assert reading.fields["items"] == document.truth["items"]
        assert reading.fields["daily_total"] == document.truth["daily_total"]
        assert not [c for c in reading.checks if c["code"] == "daily_total_mismatch"]


def test_days_of_a_multi_day_statement_stay_apart(tmp_path):
    from archive.demo import documents as gen

    document = gen.daily_statement(random.Random(2), days=3)
    reading = analyse(_read(document.content, sniff.PDF, ".pdf", tmp_path), kind="daily_statement")
    assert [day["statement_date"] for day in reading.fields["days"]] == [
        day["statement_date"] for day in document.truth["days"]]


def test_a_long_statement_is_scanned_a_page_per_page():
    document = families.make("daily_statement", "paged", random.Random(5))
    result = scan(document, seed=3, dpi=100)
    assert result.content_type == "image/tiff"
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(result.content)).n_frames == document.pages


def test_invoice_items_under_a_header_with_a_quantity_column_take_the_amount_column():
    """财综〔2018〕72号 paper bills print 项目名称 数量 金额（元） 备注: the 1 between is not the amount."""
    lines = [Line("票据代码：12345678"), Line(GAP.join(("项目名称", "数量", "金额（元）", "备注"))),
             Line(GAP.join(("护理费", "1", "601.98"))), Line(GAP.join(("检查费", "2", "1,822.39", "自费"))),
             Line("金额合计（大写）贰仟肆佰贰拾肆元叁角柒分"), Line("（小写）2424.37")]
    reading = read_fields("invoice", lines)
    assert reading.fields["line_items"] == [{"category": "护理费", "amount": "601.98"},
                                            {"category": "检查费", "amount": "1822.39"}]


def test_vat_invoice_items_by_the_columns_of_the_header(tmp_path):
    """数电票 and the older VAT invoices: each row's cells under their header words (单位 数量 单价
    close together), every row, and their amounts add up to 合计金额."""
    for family in ("digital", "special", "paper", "grid"):
        document = families.make("vat_invoice", family, random.Random(f"vat:{family}"))
        reading = analyse(_read(document.content, sniff.PDF, ".pdf", tmp_path), kind="vat_invoice")
        assert reading.fields["items"] == document.truth["items"], family


def test_vat_items_that_do_not_add_up_to_the_stated_amount_are_not_given():
    header = GAP.join(("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额"))
    row = GAP.join(("*中成药*连花清瘟胶囊", "0.35g*24粒", "盒", "2", "15.00", "30.00", "13%", "3.90"))
    reading = read_fields("vat_invoice", [Line("发票号码：12345678901234567890"), Line(header), Line(row),
                                          Line("合计金额：45.00"), Line("合计税额：3.90")])
    assert "items" not in reading.fields
    assert [item["field"] for item in reading.unreadable] == ["items"]
    good = read_fields("vat_invoice", [Line(header), Line(row), Line("合计金额：30.00")])
    assert good.fields["items"] == [{"name": "*中成药*连花清瘟胶囊", "spec": "0.35g*24粒", "quantity": "2",
                                     "unit_price": "15.00", "amount": "30.00", "tax_rate": "13%",
                                     "tax": "3.90"}]
