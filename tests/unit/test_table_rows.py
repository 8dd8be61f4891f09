"""Item rows of a scanned statement put together from word boxes (archive/ocr/table_rows.py):
lines split by the engine joined again, words given to the header's columns by where they lie,
figures checked by unit price × quantity = amount. The inputs are hand-made OCR lines: words with
boxes (fractions of the page) and confidences, as archive.ocr.pages gives them."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from archive.ocr.table_rows import figure_candidates

HEIGHT = 0.018
# Where the header's words lie across the page, and so the columns under them.
NAME, SPEC, PRICE, QUANTITY, AMOUNT, CLASS = 0.11, 0.40, 0.52, 0.63, 0.72, 0.85


def _ocr_line(words: list[tuple[str, float]], top: float, *, confidence: float = 95.0,
              page: int = 1) -> Line:
    """A line of words each starting at its x (fraction of the page), a Chinese character 0.015
    wide, others 0.008."""
    text, confidences, boxes = "", [], []
    for n, (word, left) in enumerate(words):
        if n:
            text += "  "
            confidences += [confidence] * 2
            boxes += [None, None]
        width = sum(0.015 if ch >= "\u3000" else 0.008 for ch in word)
        box = (left, top, left + width, top + HEIGHT)
        text += word
        confidences += [confidence] * len(word)
        boxes += [box] * len(word)
    return Line(text, tuple(confidences), tuple(boxes), page)


def _statement(rows: list[Line], total: str) -> list[Line]:
    return [_ocr_line([("住院患者每日费用清单", 0.35)], 0.05),
            _ocr_line([("患者姓名：武彤", 0.11), ("住院号：517606", 0.45)], 0.10),
            _ocr_line([("费用日期：2026-02-06", 0.11)], 0.15),
            # The header, a stamp's character (中) read into it.
            _ocr_line([("项目名称", NAME), ("规格", SPEC), ("单价", PRICE), ("数量", QUANTITY),
                       ("金额", AMOUNT), ("中", 0.80), ("类别", CLASS)], 0.20),
            *rows,
            _ocr_line([("当日合计：", 0.11), (total, 0.20)], 0.40)]


def test_a_row_split_by_the_engine_and_a_name_split_by_a_gap_are_read_by_their_columns():
    rows = [
        # One printed row that the engine read as two lines (the second a little lower).
        _ocr_line([("头颅CT平扫", NAME), ("次", SPEC), ("200.56", PRICE), ("200.56", AMOUNT)], 0.240),
        _ocr_line([("1", QUANTITY), ("乙", CLASS)], 0.246),
        # A long name read as two words with a gap between; a stamp's 用 between amount and class.
        _ocr_line([("普通", NAME), ("床位费", 0.16), ("日", SPEC), ("195.67", PRICE), ("1", QUANTITY),
                   ("195.67", AMOUNT), ("用", 0.82), ("甲", CLASS)], 0.27),
        _ocr_line([("吸氧", NAME), ("小时", SPEC), ("168.45", PRICE), ("2", QUANTITY), ("336.90", AMOUNT),
                   ("甲", CLASS)], 0.30),
    ]
    reading = read_fields("daily_statement", _statement(rows, "733.13"))
    assert reading.fields["items"] == [
        {"name": "头颅CT平扫", "spec": "次", "unit_price": "200.56", "quantity": "1", "amount": "200.56",
         "insurance_class": "乙"},
        {"name": "普通床位费", "spec": "日", "unit_price": "195.67", "quantity": "1", "amount": "195.67",
         "insurance_class": "甲"},
        {"name": "吸氧", "spec": "小时", "unit_price": "168.45", "quantity": "2", "amount": "336.90",
         "insurance_class": "甲"}]


def test_a_missing_figure_is_not_filled_in():
    """A quantity the engine did not read: the row is not read (and the list not given), although
    amount ÷ price would say what it is."""
    rows = [_ocr_line([("换药", NAME), ("次", SPEC), ("250.83", PRICE), ("752.49", AMOUNT), ("甲", CLASS)],
                      0.24),
            _ocr_line([("吸氧", NAME), ("小时", SPEC), ("203.48", PRICE), ("3", QUANTITY), ("610.44", AMOUNT),
                       ("甲", CLASS)], 0.27)]
    reading = read_fields("daily_statement", _statement(rows, "1362.93"))
    assert "items" not in reading.fields
    assert [item["reason"] for item in reading.unreadable if item["field"] == "items"] == ["row_unreadable"]


def test_figures_that_do_not_multiply_out_are_read_again_as_the_readings_that_fit():
    assert figure_candidates("63.95", "2", "127.90") == [("63.95", "2", "127.90")]
    assert figure_candidates("63.95", "2", "127.98") == [("63.95", "2", "127.90")]  # 8 for 0
    assert figure_candidates("63.95", "2", "12790") == [("63.95", "2", "127.90")]  # the point lost
    # 200.56 × 1 = 200.66? The 6 of the amount may be a 5, or the 5 of the price a 6: two readings.
    assert figure_candidates("200.56", "1", "200.66") == [("200.66", "1", "200.66"),
                                                          ("200.56", "1", "200.56")]
    assert figure_candidates("250.83", "3", "111.11") == []


def test_a_row_read_again_is_taken_only_when_the_total_confirms_it():
    def rows(amount: str) -> list[Line]:
        return [_ocr_line([("头孢呋辛钠", NAME), ("0.75g", SPEC), ("63.95", PRICE), ("2", QUANTITY),
                           (amount, AMOUNT), ("甲", CLASS)], 0.24),
                _ocr_line([("血常规", NAME), ("次", SPEC), ("105.73", PRICE), ("1", QUANTITY),
                           ("105.73", AMOUNT), ("甲", CLASS)], 0.27)]

    confirmed = read_fields("daily_statement", _statement(rows("127.98"), "233.63"))
    assert [item["amount"] for item in confirmed.fields["items"]] == ["127.90", "105.73"]
    # The printed total says otherwise: the list is not given, and a person is asked to read it.
    contradicted = read_fields("daily_statement", _statement(rows("127.98"), "233.71"))
    assert "items" not in contradicted.fields
    assert any(item["field"] == "items" for item in contradicted.unreadable)


def test_vat_items_on_a_scan_columns_from_the_white_space_between_the_rows_words():
    """数电票 items as OCR reads them: the header's 税率 / 征收率 in three words, a long name
    reaching past halfway to 规格型号, and a stamp's character alone on a line of its own."""
    header = _ocr_line([("项目名称", 0.09), ("规格型号", 0.37), ("单位", 0.485), ("数量", 0.535),
                        ("单价", 0.584), ("金额", 0.66), ("税率", 0.743), ("/", 0.776), ("征收率", 0.79),
                        ("税额", 0.86)], 0.40)
    rows = [_ocr_line([("*", 0.087), ("医疗仪器器械", 0.096), ("*", 0.187), ("医用外科口罩", 0.196),
                       ("10只/袋", 0.37), ("袋", 0.49), ("3", 0.534), ("176.64", 0.584), ("529.92", 0.658),
                       ("1%", 0.742), ("5.30", 0.857)], 0.43),
            _ocr_line([("市", 0.242)], 0.445),
            _ocr_line([("*", 0.087), ("化学药品制剂", 0.097), ("*", 0.188), ("布洛芬缓释胶囊", 0.197),
                       ("0.3g*20粒", 0.369), ("盒", 0.489), ("3", 0.536), ("19.56", 0.588), ("58.68", 0.658),
                       ("1%", 0.743), ("0.59", 0.857)], 0.46)]
    lines = [_ocr_line([("电子发票（普通发票）", 0.35)], 0.05),
             _ocr_line([("发票号码：88891445214257907362", 0.5)], 0.1), header, *rows,
             _ocr_line([("合计", 0.09), ("¥588.60", 0.658), ("¥5.89", 0.86)], 0.50)]
    reading = read_fields("vat_invoice", lines)
    assert reading.fields["items"] == [
        {"name": "*医疗仪器器械*医用外科口罩", "spec": "10只/袋", "quantity": "3", "unit_price": "176.64",
         "amount": "529.92", "tax_rate": "1%", "tax": "5.30"},
        {"name": "*化学药品制剂*布洛芬缓释胶囊", "spec": "0.3g*20粒", "quantity": "3", "unit_price": "19.56",
         "amount": "58.68", "tax_rate": "1%", "tax": "0.59"}]


def test_invoice_fee_rows_split_by_the_engine_are_joined_by_their_boxes():
    """A provincial bill prints three categories to a row; the engine read the last amount of a
    row as a line of its own, a little lower."""
    lines = [_ocr_line([("河北省医疗住院收费票据", 0.35)], 0.05),
             _ocr_line([("手术费", 0.10), ("1,026.60", 0.18), ("诊查费", 0.35), ("690.54", 0.43),
                        ("化验费", 0.60)], 0.20),
             _ocr_line([("1,164.80", 0.68)], 0.206),
             _ocr_line([("合计（大写）：贰仟捌佰捌拾壹元玖角肆分", 0.10), ("小写：¥2,881.94", 0.60)], 0.25)]
    reading = read_fields("invoice", lines)
    assert reading.fields["line_items"] == [{"category": "手术费", "amount": "1026.60"},
                                            {"category": "诊查费", "amount": "690.54"},
                                            {"category": "化验费", "amount": "1164.80"}]


def test_a_name_read_in_two_parts_is_one_when_the_catalogue_has_it_whole():
    """A statement printed as runs of text, not in columns (the rows' words overlap from row to
    row, so no columns are fitted): 头孢呋辛钠 read as 头孢呋  辛钠 is one name."""
    header = _ocr_line([("项目", 0.095), ("规格", 0.146), ("单价", 0.202), ("数量", 0.254), ("金额", 0.309),
                        ("类别", 0.365)], 0.20)
    rows = [_ocr_line([("头孢呋", 0.098), ("辛钠", 0.154), ("0.75g", 0.202), ("63.95", 0.265), ("2", 0.329),
                       ("127.90", 0.356), ("甲", 0.432)], 0.23),
            _ocr_line([("丹参注射液", 0.097), ("10ml", 0.203), ("464.51", 0.262), ("2", 0.337),
                       ("929.02", 0.361), ("乙", 0.439)], 0.26)]
    lines = [_ocr_line([("住院费用一日清单", 0.35)], 0.05), _ocr_line([("日期：2026-03-05", 0.1)], 0.15),
             header, *rows, _ocr_line([("当日合计：", 0.094), ("1056.92", 0.186)], 0.29)]
    reading = read_fields("daily_statement", lines)
    assert reading.fields["items"] == [
        {"name": "头孢呋辛钠", "spec": "0.75g", "unit_price": "63.95", "quantity": "2", "amount": "127.90",
         "insurance_class": "甲"},
        {"name": "丹参注射液", "spec": "10ml", "unit_price": "464.51", "quantity": "2", "amount": "929.02",
         "insurance_class": "乙"}]


def test_a_class_header_run_together_with_the_next_column_still_gives_each_row_its_class():
    # OCR read 医保类别 and 自付比例 as one header word; the rows' 10 % are under the second half.
    header = _ocr_line([("项目名称", NAME), ("规格", SPEC), ("单价", PRICE), ("数量", QUANTITY),
                        ("金额", AMOUNT), ("医保类别自付比例", CLASS)], 0.20)
    rows = [_ocr_line([("吸氧", NAME), ("小时", SPEC), ("168.45", PRICE), ("2", QUANTITY),
                       ("336.90", AMOUNT), ("乙", CLASS + 0.01), ("10%", CLASS + 0.08)], 0.24)]
    lines = _statement(rows, "336.90")
    lines[3] = header
    assert read_fields("daily_statement", lines).fields["items"] == [
        {"name": "吸氧", "spec": "小时", "unit_price": "168.45", "quantity": "2", "amount": "336.90",
         "insurance_class": "乙"}]


def test_rows_with_no_total_or_subtotal_read_after_them_are_not_given():
    # A photo cut off below a row: rows may be lost after it, and nothing on the page shows it.
    rows = [_ocr_line([("吸氧", NAME), ("小时", SPEC), ("168.45", PRICE), ("2", QUANTITY),
                       ("336.90", AMOUNT), ("甲", CLASS)], 0.24)]
    reading = read_fields("daily_statement", _statement(rows, "336.90")[:-1])
    assert "items" not in reading.fields
    assert [item["reason"] for item in reading.unreadable if item["field"] == "items"] == ["row_unreadable"]
    assert read_fields("daily_statement", _statement(rows, "336.90")).fields["items"][0]["amount"] == "336.90"
