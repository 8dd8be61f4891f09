"""Values a dot-matrix printer filled in off register are paired with their labels by geometry
(archive.ocr.registration), before the lines are joined for the field readers."""

from dataclasses import replace

import numpy as np
from PIL import Image

from archive.ocr.fields import FIELD_MIN_CONFIDENCE, read_fields
from archive.ocr.lines import Line
from archive.ocr.pages import Word, _ocr, assemble_line
from archive.ocr.preprocess import Prepared
from archive.ocr.registration import doubt_inked, regroup

H = 40  # a line's height in pixels; printed lines are 70 apart (1.75 heights)


def _word(text: str, left: int, top: int, line: int, width: int | None = None) -> Word:
    return Word(text, left, top, width or len(text) * (H if not text[0].isdigit() else H // 2), H, 95.0, line)


def _texts(rows: list[list[Word]]) -> list[str]:
    return [assemble_line(row).text for row in rows]


def test_a_value_slipped_below_goes_back_after_its_colon():
    # 票据号码： has nothing after it: its number, printed 0.8 of a line lower and a few
    # characters right, was read as a line of its own; so was 姓名：'s name.
    rows = [[_word("票据代码：", 0, 0, 0), _word("5974151543", 230, 8, 0), _word("票据号码：", 600, 0, 0)],
            [_word("2577790465", 830, 32, 1)],
            [_word("姓名：", 0, 70, 2)],
            [_word("邓静洋", 150, 102, 3)]]
    assert _texts(regroup(rows)) == ["票据代码：  5974151543  票据号码：  2577790465", "姓名：  邓静洋"]


def test_a_value_joined_to_the_next_labels_line_is_not_that_labels():
    # ¥5,340.74 belongs to 小写: above; read into 统筹支付:'s line it was taken as the fund's
    # share (a wrong amount). 统筹支付:'s own value lies lower still.
    rows = [[_word("合计(大写)：", 0, 0, 0), _word("伍仟叁佰肆拾元柒角肆分", 320, 30, 0),
             _word("小写：", 900, 0, 0)],
            [_word("统筹支付：", 0, 60, 1), _word("¥5,340.74", 1060, 32, 1)],
            [_word("3738.52", 230, 92, 2)]]
    assert _texts(regroup(rows)) == ["合计(大写)：  伍仟叁佰肆拾元柒角肆分  小写：  ¥5,340.74",
                                     "统筹支付：  3738.52"]


def test_a_fee_category_takes_the_amount_slipped_below_it():
    rows = [[_word("手术费", 0, 0, 0), _word("1,026.60", 250, 5, 0), _word("诊查费", 600, 0, 0)],
            [_word("690.54", 850, 34, 1)]]
    assert _texts(regroup(rows)) == ["手术费  1,026.60  诊查费  690.54"]


def test_registered_lines_and_grids_are_left_alone():
    registered = [[_word("姓名：", 0, 0, 0), _word("张三", 150, 0, 0), _word("性别：", 600, 0, 0)],
                  [_word("住院号：", 0, 70, 1), _word("413089", 190, 70, 1)]]
    assert regroup(registered) == registered
    # A grid: the values in the cells under their labels, a printed line lower.
    grid = [[_word("统筹基金支付", 0, 0, 0), _word("个人账户支付", 400, 0, 0)],
            [_word("1141.92", 10, 70, 1), _word("249.24", 410, 70, 1)]]
    assert regroup(grid) == grid
    # A label left empty on the form, and a value a whole line lower: not its value.
    empty = [[_word("收款人：", 600, 0, 0)], [_word("住院号：", 0, 70, 1), _word("413089", 780, 70, 1)]]
    assert regroup(empty) == empty


def test_a_figure_the_forms_print_runs_through_is_doubtful():
    # 191.39 pushed into 个人自付： was read 191.30: the label's red stroke is in the figure's box.
    form_ink = np.zeros((100, 400), dtype=np.uint8)
    form_ink[20:60, 200:206] = 255  # the next label's first stroke
    into_label = _word("191.30", 100, 20, 0, width=104)
    clear = _word("96.82", 300, 20, 0, width=80)
    label = _word("人自付：", 206, 20, 0)
    checked = doubt_inked([into_label, label, clear], form_ink)
    assert checked[0].confidence < FIELD_MIN_CONFIDENCE
    assert checked[1:] == [label, clear]  # a label, and a figure clear of the print, as read
    assert doubt_inked([into_label], None) == [into_label]  # not a pre-printed form


class _RereadingEngine:
    """Reads a label and a figure pushed into the form's print; its second reading of the row
    agrees with the first (the same pixels), so it raises every character's confidence."""

    def read(self, image, *, dpi):
        return [Word("个人自付：", 0, 40, 200, 40, 95.0, 0), Word("191.30", 400, 40, 120, 40, 90.0, 0)]

    def refine(self, rows, prepared):
        return [[replace(word, confidence=96.0) for word in row] for row in rows]


def test_a_doubtful_figure_stays_doubtful_after_a_second_reading_agrees():
    form_ink = np.zeros((200, 800), dtype=np.uint8)
    form_ink[40:80, 400:408] = 255  # the form's print runs through the figure
    prepared = Prepared(Image.new("L", (800, 200), 255), dpi=300, scale=2.0, skew=0.0, form_ink=form_ink)
    page = _ocr(_RereadingEngine(), prepared, 1, (400, 100))
    figure = next(word for word in page.words if word.text == "191.30")
    assert figure.confidence < FIELD_MIN_CONFIDENCE
    assert next(word for word in page.words if word.text != "191.30").confidence == 96.0


def test_a_roll_receipts_unit_price_stays_in_its_goods_row_on_tight_lines():
    # 30 px glyphs on a 36 px line step: the price row lies 1.2 lines below the goods name,
    # which has no colon and is no label: its unit price is not its value.
    def cjk(text, left, top):
        return Word(text, left, top, 30 * len(text), 30, 95.0, top // 36)

    def figure(text, left, top):
        return Word(text, left, top, 15 * len(text), 30, 95.0, top // 36)

    goods = [[cjk("阿莫西林胶囊", 0, 72)],
             [figure("2", 215, 108), figure("6.25", 280, 108), figure("12.50", 400, 108)]]
    assert _texts(regroup(goods)) == ["阿莫西林胶囊", "2  6.25  12.50"]
    slip = [[cjk("发票号码：", 0, 0), figure("37819031", 160, 0)],
            [cjk("商品名称", 0, 36), cjk("数量", 200, 36), cjk("单价", 280, 36), cjk("金额", 400, 36)],
            *goods, [cjk("合计：", 0, 180), figure("12.50", 100, 180)]]
    lines = [Line(line.text, line.confidences, line.boxes, 1)
             for line in (assemble_line(row, (1000, 400)) for row in regroup(slip))]
    assert read_fields("vat_invoice", lines).fields["items"] == [
        {"name": "阿莫西林胶囊", "quantity": "2", "unit_price": "6.25", "amount": "12.50"}]


def test_a_fee_category_alone_on_its_line_still_takes_its_amount_slipped_below():
    rows = [[_word("床位费", 0, 0, 0), _word("诊查费", 600, 0, 0)],
            [_word("120.00", 250, 34, 1), _word("690.54", 850, 34, 1)]]
    assert _texts(regroup(rows)) == ["床位费  120.00  诊查费  690.54"]
