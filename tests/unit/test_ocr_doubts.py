"""Values read by OCR (photos, scans) that the document itself shows to be misread end absent and
reported, not wrong (issue 17): two writings of one amount that disagree; a capital amount
cut short at a gap."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line

SPLIT = "统筹基金支付：3000.00  个人账户支付：202.73  个人自付：1000.00  个人自费：0.00"


def ocr(text: str, confidence: float = 97.0) -> Line:
    return Line(text, tuple(confidence for _ in text))


def refused(reading) -> set[str]:
    return {item["field"] for item in reading.unreadable if item["reason"] == "contradicted"}


def test_a_capital_amount_the_figures_and_their_sum_contradict_is_refused():
    # A photo's capital amount lost its 叁分 (肆仟贰佰零贰元柒角): it still reads as an amount,
    # 4202.70; the figures say 4202.73 and the split adds up to them to the cent.
    lines = [ocr("合计（小写）：4202.73"), ocr("合计（大写）：肆仟贰佰零贰元柒角"), ocr(SPLIT)]
    reading = read_fields("invoice", lines)
    assert reading.fields["total_amount"] == "4202.73"
    assert "total_amount_capital" not in reading.fields
    assert refused(reading) == {"total_amount_capital"}


def test_two_writings_that_disagree_with_nothing_to_tell_them_apart_are_both_refused():
    lines = [ocr("合计（小写）：4202.73"), ocr("合计（大写）：肆仟贰佰零贰元柒角")]
    reading = read_fields("invoice", lines)
    assert "total_amount" not in reading.fields and "total_amount_capital" not in reading.fields
    assert refused(reading) == {"total_amount", "total_amount_capital"}
    # The figures the split upholds are kept whichever writing was misread.
    wrong_figures = [ocr("合计（小写）：4202.78"), ocr("合计（大写）：肆仟贰佰零贰元柒角叁分"),
                     ocr(SPLIT.replace("202.73", "202.78"))]
    reading = read_fields("invoice", wrong_figures)
    assert reading.fields["total_amount"] == "4202.78" and refused(reading) == {"total_amount_capital"}


def test_a_text_layer_keeps_what_it_prints_for_the_checks_to_report():
    lines = [Line("合计（小写）：4202.73"), Line("合计（大写）：肆仟贰佰零贰元柒角")]
    fields = read_fields("invoice", lines).fields
    assert (fields["total_amount"], fields["total_amount_capital"]) == ("4202.73", "4202.70")


def test_a_capital_amount_goes_on_past_a_wide_gap_between_its_characters():
    reading = read_fields("invoice", [ocr("金额合计（大写）：肆仟贰佰零贰元柒角  叁分  (小写）：4202.73")])
    assert reading.fields["total_amount_capital"] == "4202.73" == reading.fields["total_amount"]
    # and stops at the next cell that is not capital characters
    reading = read_fields("invoice", [ocr("合计（大写）：壹佰元整  收款人：张三")])
    assert reading.fields["total_amount_capital"] == "100.00"


VAT_COLUMNS = (0.05, 0.3, 0.42, 0.5, 0.6, 0.72, 0.82)


def ocr_row(values: tuple[str, ...], top: float) -> Line:
    """A row OCR read from a photo: its cells at the table's columns (one may be missing: not
    read), each character 0.012 wide, confidently read."""
    text, boxes = "", []
    for left, cell in zip(VAT_COLUMNS, values, strict=True):
        if not cell:
            continue
        if text:
            text += "  "
            boxes += [None, None]
        text += cell
        boxes += [(left + 0.012 * n, top, left + 0.012 * (n + 1), top + 0.012) for n in range(len(cell))]
    return Line(text, tuple(97.0 for _ in text), tuple(boxes))


def vat_invoice(*rows: tuple[str, ...]) -> list[Line]:
    header = ("项目名称", "规格型号", "数量", "单价", "金额", "税率", "税额")
    return [ocr("发票号码：26442000000012345678"), ocr_row(header, 0.3),
            *(ocr_row(row, 0.33 + 0.03 * n) for n, row in enumerate(rows)),
            ocr("合计  ¥588.60  ¥5.89")]


MASKS = ("*医疗仪器器械*医用外科口罩", "10只/袋", "3", "176.64", "529.92", "1%", "5.30")
IBUPROFEN = ("*化学药品制剂*布洛芬缓释胶囊", "0.3g*20粒", "3", "19.56", "58.68", "1%", "0.59")


def test_vat_goods_rows_read_by_ocr_whose_figures_cannot_all_be_right_give_no_list():
    assert len(read_fields("vat_invoice", vat_invoice(MASKS, IBUPROFEN)).fields["items"]) == 2
    # The quantity not read (a unit price without one), or read 8 for 3: the rows still add up
    # to the 合计, but the list would be wrong. It is not given, and a person is asked.
    for misread in (IBUPROFEN[:2] + ("",) + IBUPROFEN[3:], IBUPROFEN[:2] + ("8",) + IBUPROFEN[3:]):
        reading = read_fields("vat_invoice", vat_invoice(MASKS, misread))
        assert "items" not in reading.fields
        assert any(item["field"] == "items" for item in reading.unreadable)


def cells_line(cells: tuple[str, ...], columns: tuple[float, ...], top: float, ocr: bool = True) -> Line:
    text, boxes = "", []
    for left, cell in zip(columns, cells, strict=True):
        if text:
            text += "  "
            boxes += [None, None]
        text += cell
        boxes += [(left + 0.012 * n, top, left + 0.012 * (n + 1), top + 0.012) for n in range(len(cell))]
    return Line(text, tuple(97.0 for _ in text) if ocr else None, tuple(boxes))


def test_a_spec_glued_to_its_goods_name_by_ocr_is_still_the_spec():
    columns = (0.05, 0.7, 0.8, 0.9)
    header = cells_line(("药品名称/规格", "数量", "单价", "金额"), columns, 0.2)
    # Glued, or with the unit parted from its figures as a photo's OCR gives it.
    for read in ("*化学药品制剂*硝苯地平控释片30mg*7片", "* 化学药品制剂 * 硝苯地平控释片 30mg*7 片"):
        row = cells_line((read, "4", "145.62", "582.48"), columns, 0.24)
        reading = read_fields("vat_invoice", [ocr("发票号码：26442000000012345678"), header, row,
                                              ocr("合计：582.48")])
        assert reading.fields["items"] == [{"name": "*化学药品制剂*硝苯地平控释片", "spec": "30mg*7片",
                                            "quantity": "4", "unit_price": "145.62", "amount": "582.48"}]


def test_a_dose_that_is_part_of_the_goods_name_stays_in_it():
    # 甘露醇20%注射液 and 复方氨基酸注射液18AA are names: a dose glued inside a name, with no pack
    # count after it, is not split off as a spec.
    columns = (0.05, 0.7, 0.8, 0.9)
    header = cells_line(("药品名称/规格", "数量", "单价", "金额"), columns, 0.2)
    for name in ("*化学药品制剂*甘露醇20%注射液", "*化学药品制剂*复方氨基酸注射液18AA"):
        row = cells_line((name, "2", "15.00", "30.00"), columns, 0.24)
        reading = read_fields("vat_invoice", [ocr("发票号码：26442000000012345678"), header, row,
                                              ocr("合计：30.00")])
        assert reading.fields["items"] == [{"name": name, "quantity": "2", "unit_price": "15.00",
                                            "amount": "30.00"}], name
