"""Lines read again with real tesseract: a page's lines stacked and read in one call per model
(archive.ocr.line_readings), each reading given back to its own line (archive.ocr.second_reading)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.ocr import line_readings, second_reading
from archive.ocr.capitals import has_traditional_model
from archive.ocr.pages import Word
from archive.ocr.preprocess import Prepared

pytestmark = pytest.mark.ocr

FONT = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 42)


def rendered(lines: list[str]) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A white page with one line of text each 110 px, and each line's box (left, top, width, height)."""
    page = Image.new("L", (1400, 110 * len(lines) + 60), 255)
    draw = ImageDraw.Draw(page)
    boxes = []
    for n, text in enumerate(lines):
        left, top, right, bottom = draw.textbbox((40, 40 + 110 * n), text, font=FONT)
        draw.text((40, 40 + 110 * n), text, font=FONT, fill=0)
        boxes.append((left, top, right - left, bottom - top))
    return page, boxes


def text_of(reading) -> str:
    return "".join(character for character, _ in reading)


def test_stacked_lines_come_back_each_to_its_own_crop_in_order():
    texts = ["科室：心血管内科", "姓名：张建国", "入院日期：2024年3月5日"]
    page, boxes = rendered(texts)
    # A blank crop among them reads as nothing and moves no other line's words.
    crops = [line_readings.line_crop(page, box) for box in boxes] + [Image.new("L", (300, 60), 255)]
    readings = line_readings.read_lines(crops, "chi_sim", 300)
    assert [text_of(reading) for reading in readings] == [text.replace("：", ":") for text in texts] + [""]
    assert all(0 <= confidence <= 100 for reading in readings for _, confidence in reading)
    assert line_readings.read_lines([], "chi_sim", 300) == []


@pytest.mark.skipif(not has_traditional_model(), reason="chi_tra is not installed")
def test_a_page_is_read_again_in_one_call_per_model(monkeypatch):
    page, boxes = rendered(["科室：心血管内科", "合计（大写）：柒仟捌佰玖拾元整"])
    (d_left, d_top, d_width, d_height), (c_left, c_top, c_width, c_height) = boxes
    label_width = d_width * 3 // 8  # 科室： is three of its eight characters
    doubtful = [Word("科室:", d_left, d_top, label_width, d_height, 93.0),
                Word("心血管内科", d_left + label_width, d_top, d_width - label_width, d_height, 20.0)]
    capital_start = c_left + c_width * 7 // 15  # 合计（大写）： is seven of its fifteen characters
    step = (c_left + c_width - capital_start) // 8
    # chi_sim has no 柒, 仟 or 捌: the page reads them as other characters.
    capital = [Word("合计(大写):", c_left, c_top, capital_start - c_left, c_height, 90.0)] + [
        Word(character, capital_start + n * step, c_top, step, c_height, 40.0)
        for n, character in enumerate("染什抽佰玖拾元整")]
    calls = []
    real = line_readings.read_lines

    def counted(crops, model, dpi):  # the real reading, counted
        calls.append((model, len(crops)))
        return real(crops, model, dpi)

    monkeypatch.setattr(second_reading, "read_lines", counted)

    rows = second_reading.read_rows_again([doubtful, capital], Prepared(page, 300, 1.0, 0.0, grey=page))

    # chi_sim reads both lines from both pages at once; chi_tra reads the capital amount's two crops.
    assert calls == [("chi_sim", 4), ("chi_tra", 2)]
    # The doubtful department, read the same way alone, is confirmed.
    assert rows[0][1].text == "心血管内科" and rows[0][1].confidence >= second_reading.REREAD_BELOW
    assert "".join(word.text for word in rows[1][1:]) == "柒仟捌佰玖拾元整"
    assert rows[1][0] == capital[0]
