"""Values a dot-matrix printer filled in off register are paired with their labels by geometry
(archive.ocr.registration), before the lines are joined for the field readers."""

import numpy as np

from archive.ocr.fields import FIELD_MIN_CONFIDENCE
from archive.ocr.pages import Word, assemble_line
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
