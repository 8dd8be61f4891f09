"""The engine registry and rapidocr's words from its line results (no model run here)."""

from __future__ import annotations

import numpy as np
import pytest

from archive.config import ConfigError, load_settings
from archive.ocr.engines import get_engine
from archive.ocr.engines.rapidocr import _load, _proportional, _rows, _words, piece_confidences


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


def test_a_line_becomes_words_as_tesseract_gives_them():
    # `票：1234 56 号：7` as rapidocr gives it: one piece per character, each with its box; a
    # space between 4 and 5, and a gap of five character widths before `7`.
    text = "票：1234 56号：7"
    pieces, x = [], 100
    for character in "票：123456号：":
        pieces.append((character, 0.9, corners(x, 50, x + 20, 80)))
        x += 20
    pieces.append(("7", 0.6, corners(x + 100, 50, x + 120, 80)))
    words = _words(text, 0.9, np.array(corners(100, 50, x + 120, 80)), pieces)
    # Each Chinese character and full-width sign alone (a value boxed apart from its label);
    # digits together up to a space or a wide gap.
    assert [w[0] for w in words] == ["票", "：", "1234", "56", "号", "：", "7"]
    assert words[2][1:5] == (140, 50, 80, 30)  # left, top, width, height: around its characters
    assert [w[5] for w in words] == [90.0] * 6 + [60.0]  # 0–100, as tesseract's


def test_a_line_without_character_boxes_is_split_in_proportion():
    box = np.array(corners(0, 0, 300, 30), dtype=float)
    words = _words("医保号 12", 0.8, box, [("", 1.0, None)])
    assert [w[0] for w in words] == ["医", "保", "号", "12"]
    assert words[3][1] == 225 and words[3][3] == 75  # after three Chinese characters: 6 of 8 units
    assert [c for c, _, _ in _proportional("ab", 0.5, box)] == ["a", "b"]


def test_boxes_side_by_side_make_one_row_in_reading_order():
    boxes = [np.array(corners(*box), dtype=float) for box in
             [(500, 102, 700, 130), (10, 100, 200, 128), (10, 150, 200, 178)]]
    assert _rows(boxes) == [[1, 0], [2]]


def test_a_word_of_digits_carries_its_own_lowest_character_confidence():
    # rapidocr decodes `4202.78 1234` with one confidence per character (the space's too) and
    # places a line of digits alone as two whole words: the 8 read at 0.41 must make its word
    # doubtful, and the second word must not take the space's confidence or another's.
    text = "4202.78 1234"
    confidences = [0.99, 0.99, 0.98, 0.99, 0.99, 0.97, 0.41, 0.52, 0.99, 0.96, 0.99, 0.98]
    words = [list("4202.78"), list("1234")]
    assert piece_confidences(text, words, ["EN_NUM", "EN_NUM"], confidences) == [0.41, 0.96]
    # A line with Chinese is placed character by character: each its own, the space skipped.
    mixed = "号：12 3"
    assert piece_confidences(mixed, [["号"], ["："], ["1", "2"], ["3"]], ["CN", "CN", "EN_NUM", "EN_NUM"],
                             [0.9, 0.8, 0.7, 0.3, 0.1, 0.6]) == [0.9, 0.8, 0.7, 0.3, 0.6]
    # Nothing to align by: every piece gets the line's lowest, never a higher one.
    assert set(piece_confidences("ab", [["a", "b", "c"]], ["EN_NUM"], [0.9, 0.2])) == {0.2}


def test_the_engine_places_words_with_their_own_confidences():
    from rapidocr.ch_ppocr_rec.typings import TextRecOutput, WordInfo, WordType

    ocr = _load()
    info = WordInfo(words=[list("4202.78"), list("1234")],
                    word_cols=[[1, 3, 5, 7, 9, 11, 13], [17, 19, 21, 23]],
                    word_types=[WordType.EN_NUM, WordType.EN_NUM], line_txt_len=26.0,
                    confs=[0.99, 0.99, 0.98, 0.99, 0.99, 0.97, 0.41, 0.52, 0.99, 0.96, 0.99, 0.98])
    image = np.full((32, 320, 3), 255, dtype=np.uint8)
    box = np.array(corners(0, 0, 320, 32), dtype=np.float32)
    placed = ocr.calc_word_boxes([image], np.array([box]), TextRecOutput(
        txts=("4202.78 1234",), scores=[0.9], word_results=(info,)))
    assert [(piece, confidence) for piece, confidence, _ in placed[0]] == [("4202.78", 0.41), ("1234", 0.96)]
