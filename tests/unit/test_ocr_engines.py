"""The engine registry and rapidocr's words from its line results (no model run here)."""

from __future__ import annotations

import numpy as np
import pytest

from archive.config import ConfigError, load_settings
from archive.ocr.engines import get_engine
from archive.ocr.engines.rapidocr import _proportional, _rows, _words


def corners(left, top, right, bottom):
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def test_an_unknown_engine_is_a_clear_configuration_error():
    with pytest.raises(ConfigError, match="ocr.engine: unknown OCR engine 'paddle'"):
        load_settings({"ARCHIVE_OCR_ENGINE": "paddle"})
    with pytest.raises(ConfigError, match="known: tesseract, rapidocr"):
        get_engine("paddle")
    assert load_settings({"ARCHIVE_OCR_ENGINE": "rapidocr"}).get("ocr.engine") == "rapidocr"


def test_each_engine_is_made_once_per_process():
    assert get_engine("rapidocr") is get_engine("rapidocr")
    assert get_engine("tesseract") is get_engine("tesseract")


def test_characters_of_a_line_are_joined_into_words_split_at_spaces_and_wide_gaps():
    # `票据：1234 号码：5` as rapidocr gives it: one piece per character, each with its box; a
    # space between 4 and 号, and a gap of four character widths before `5`.
    text = "票据：1234 号码：5"
    pieces, x = [], 100
    for character in "票据：1234号码：":
        pieces.append((character, 0.9, corners(x, 50, x + 20, 80)))
        x += 60 if character == "4" else 20
    pieces.append(("5", 0.6, corners(x + 100, 50, x + 120, 80)))
    words = _words(text, 0.9, np.array(corners(100, 50, x + 120, 80)), pieces)
    assert [w[0] for w in words] == ["票据：1234", "号码：", "5"]
    assert words[0][1:5] == (100, 50, 140, 30)  # left, top, width, height: around its characters
    assert [w[5] for w in words] == [90.0, 90.0, 60.0]  # 0–100, as tesseract's


def test_a_line_without_character_boxes_is_split_in_proportion():
    box = np.array(corners(0, 0, 300, 30), dtype=float)
    words = _words("医保号 12", 0.8, box, [("", 1.0, None)])
    assert [w[0] for w in words] == ["医保号", "12"]
    assert words[0][1] == 0 and words[0][3] == 225  # three Chinese characters: 6 of 8 units
    assert [c for c, _, _ in _proportional("ab", 0.5, box)] == ["a", "b"]


def test_boxes_side_by_side_make_one_row_in_reading_order():
    boxes = [np.array(corners(*box), dtype=float) for box in
             [(500, 102, 700, 130), (10, 100, 200, 128), (10, 150, 200, 178)]]
    assert _rows(boxes) == [[1, 0], [2]]
