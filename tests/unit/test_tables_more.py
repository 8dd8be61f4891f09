"""Item tables as other systems print them (archive/demo/families/tables_more.py): a text
layer's columns one space apart, an item code after the name, 甲类 and 自付比例 columns, sums
carried forward from page to page, and a receipt's goods on two lines under a two-line header.
The inputs are hand-made lines; a text layer's line has a box per character (None for a space)."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from archive.ocr.table_rows import GAP, with_wide_gaps

TOP = 0.2


def _layer(cells: list[tuple[float, str]], top: float = TOP, page: int = 1) -> Line:
    """A text layer's line: cells starting at their x, one space between them, as pdfplumber
    gives it (a character 0.015 wide, a space 0.005)."""
    text, boxes = "", []
    for n, (left, cell) in enumerate(cells):
        if n:
            text += " "
            boxes.append(None)
        x = left
        for ch in cell:  # a space inside a cell is narrow
            boxes.append(None if ch == " " else (x, top, x + 0.015, top + 0.013))
            x += 0.005 if ch == " " else 0.015
        text += cell
    return Line(text, None, tuple(boxes), page)


RATIO_COLUMNS = (0.08, 0.3, 0.42, 0.52, 0.6, 0.7, 0.8, 0.9)


def _ratio_row(values, top):
    return _layer(list(zip(RATIO_COLUMNS, values, strict=True)), top)


def test_a_text_layer_line_is_parted_into_cells_where_its_words_lie_far_apart():
    line = _layer([(0.08, "头颅CT 平扫"), (0.3, "次"), (0.42, "200.56")])
    assert with_wide_gaps(line).text == GAP.join(("头颅CT 平扫", "次", "200.56"))
    assert with_wide_gaps(Line("a b")).text == "a b"  # no boxes: as it is


def test_a_code_column_after_the_name_and_a_self_pay_ratio_column_are_not_read_into_the_row():
    lines = [Line("姓名：王伟"), Line("清单日期：2026-03-05"),
             _ratio_row(("项目名称", "项目编码", "规格", "数量", "单价", "金额", "医保类别", "自付比例"),
                        0.2),
             _ratio_row(("人血白蛋白", "7772775428", "10g", "2", "21.32", "42.64", "丙类", "100%"), 0.22),
             _ratio_row(("头颅CT平扫", "59059218", "次", "3", "105.46", "316.38", "乙类", "10%"), 0.24),
             Line("当日合计：359.02")]
    reading = read_fields("daily_statement", lines)
    assert reading.fields["items"] == [
        {"name": "人血白蛋白", "spec": "10g", "unit_price": "21.32", "quantity": "2", "amount": "42.64",
         "insurance_class": "丙"},
        {"name": "头颅CT平扫", "spec": "次", "unit_price": "105.46", "quantity": "3", "amount": "316.38",
         "insurance_class": "乙"}]


CARRIED_HEADER = GAP.join(("项目名称", "规格", "数量", "单价", "金额", "类别"))


def _carried(carried: str) -> list[Line]:
    pages = [["姓名：张三", "费用日期：2026-03-05", CARRIED_HEADER,
              GAP.join(("阿莫西林胶囊", "0.25g", "2", "12.50", "25.00", "甲")),
              GAP.join(("胸部X线摄影", "次", "1", "80.00", "80.00", "甲")),
              f"本页合计{GAP}105.00", f"累计{GAP}105.00", "第1页 共2页"],
             ["（续表）", f"承前页{GAP}{carried}",
              GAP.join(("心电监护", "小时", "3", "10.00", "30.00", "乙")),
              f"本页合计{GAP}30.00", f"累计{GAP}135.00", "合计：135.00", "第2页 共2页"]]
    return [Line(text, page=number) for number, page in enumerate(pages, 1) for text in page]


def test_a_sum_carried_forward_is_no_row_and_must_be_the_rows_before():
    reading = read_fields("daily_statement", _carried("105.00"))
    assert [item["name"] for item in reading.fields["items"]] == ["阿莫西林胶囊", "胸部X线摄影", "心电监护"]
    assert reading.fields["daily_total"] == "135.00"
    # A carried sum the rows read do not make: a row was lost or misread, the list is not given.
    wrong = read_fields("daily_statement", _carried("115.00"))
    assert "items" not in wrong.fields
    assert [item["field"] for item in wrong.unreadable] == ["items"]


def test_a_receipts_goods_on_two_lines_under_a_two_line_header_with_code_lines():
    columns = (0.08, 0.3, 0.38, 0.48, 0.6)
    lines = [Line("发票号码：12345678901234567890"), Line("销售方名称：某某大药房有限公司"),
             _layer([(0.08, "商品名称")], 0.20),
             _layer(list(zip(columns, ("规格", "数量", "单价", "金额", "医保"), strict=True)), 0.22),
             _layer([(0.08, "*中成药*连花清瘟胶囊")], 0.24),
             _layer([(0.08, "商品编码：6901234567892")], 0.26),
             _layer(list(zip(columns, ("0.35g*24粒", "2", "15.00", "30.00", "统筹"), strict=True)), 0.28),
             _layer([(0.08, "*医疗仪器器械*医用外科口罩")], 0.30),
             _layer([(0.08, "商品编码：6901234567893")], 0.32),
             _layer(list(zip(columns, ("10只/袋", "1", "8.50", "8.50", "自费"), strict=True)), 0.34),
             Line("合计金额（小写）：¥38.50"), Line("合计金额（大写）：叁拾捌元伍角")]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "*中成药*连花清瘟胶囊", "spec": "0.35g*24粒", "quantity": "2", "unit_price": "15.00",
         "amount": "30.00"},
        {"name": "*医疗仪器器械*医用外科口罩", "spec": "10只/袋", "quantity": "1", "unit_price": "8.50",
         "amount": "8.50"}]


def test_a_bill_printed_whole_on_each_of_three_pages_bills_its_fees_once():
    def page(number: int, checked: str = "1,374.03") -> list[Line]:
        return [Line(text, page=number) for text in (
            "票据代码：12345678    票据号码：00001234", f"检查费{GAP}{checked}", f"西药费{GAP}1,416.87",
            "合计（小写）：￥2,790.90")]

    reading = read_fields("invoice", page(1) + page(2) + page(3))
    assert reading.fields["line_items"] == [{"category": "检查费", "amount": "1374.03"},
                                            {"category": "西药费", "amount": "1416.87"}]
    # A copy read otherwise than the first page: which reading is right is not known.
    misread = read_fields("invoice", page(1) + page(2, checked="1,874.03") + page(3))
    assert "line_items" not in misread.fields
    assert [item["field"] for item in misread.unreadable] == ["line_items"]


def test_a_name_and_spec_column_its_goods_named_above_their_figures_and_quantities_with_units():
    columns = (0.08, 0.3, 0.4, 0.52)
    lines = [Line("发票号码：12345678901234567890"),
             _layer(list(zip(columns, ("药品名称/规格", "数量", "单价", "金额"), strict=True)), 0.20),
             # The spec runs past the name's column; a code line before the figures.
             _layer([(0.08, "*中成药*连花清瘟胶囊"), (0.3, "0.35g*24粒")], 0.22),
             _layer([(0.08, "商品编码：6901234567892")], 0.24),
             _layer(list(zip(columns[1:], ("2盒", "15.00", "30.00"), strict=True)), 0.26),
             _layer([(0.08, "*中药饮片*黄芪 500g")], 0.28),
             _layer(list(zip(columns[1:], ("1袋", "8.50", "8.50"), strict=True)), 0.30),
             Line("合计金额（小写）：¥38.50")]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "*中成药*连花清瘟胶囊", "spec": "0.35g*24粒", "quantity": "2", "unit_price": "15.00",
         "amount": "30.00"},
        {"name": "*中药饮片*黄芪", "spec": "500g", "quantity": "1", "unit_price": "8.50", "amount": "8.50"}]
