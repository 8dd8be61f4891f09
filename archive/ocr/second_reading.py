"""Doubtful field lines read a second time, alone.

On a scan, tesseract often gives a character it read rightly a low confidence because of what
surrounds it on the page: a stroke of the next field, a speck between two columns, a seal's
edge (measured on the tuning seed: 院 of a hospital's name at 4–46 beside a speck before 科室,
骨 of 股骨颈骨折 at 11–38). Read again as one line from its own box, the same characters mostly
come back at 57–88. So a line that holds a label's value (it has a colon) with a doubtful
Chinese word is read again alone, and the two readings are aligned character by character:
a character both readings give, inside a run of at least two agreeing characters, keeps the
better of its two confidences; everything else keeps the page's reading as it was. A word is
raised only when every one of its characters (specks aside) is so confirmed, and never
lowered. A misread becomes confident only if the second reading makes the same misread
confidently, and a value is still taken only above the field threshold (archive.ocr.fields).
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from PIL import Image

from archive.ocr.capitals import SIMPLIFIED_MODEL, line_crop, read_line, words_box
from archive.ocr.lines import JUNK

REREAD_BELOW = 50.0  # as FIELD_MIN_CONFIDENCE: a word below it would keep its value from being taken
MIN_AGREEING_RUN = 2  # a single character agreeing between two different readings is chance
_HAS_COLON = re.compile(r"[:：;；]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def needs_second_reading(texts: list[str], confidences: list[float]) -> bool:
    return bool(_HAS_COLON.search("".join(texts))) and any(
        confidence < REREAD_BELOW and _HAN.search(text)
        for text, confidence in zip(texts, confidences, strict=True))


def confirmed_confidences(words: list[tuple[str, float]], second: list[tuple[str, float]]) -> list[float]:
    """Each word's confidence after aligning its characters with a second reading of the line
    (each character with its confidence)."""
    first = [(character, index) for index, (text, _) in enumerate(words) for character in text
             if not character.isspace()]
    best = [confidence for _, confidence in words]
    raised = [words[index][1] for _, index in first]
    matcher = SequenceMatcher(None, "".join(c for c, _ in first), "".join(c for c, _ in second),
                              autojunk=False)
    for block in matcher.get_matching_blocks():
        if block.size >= MIN_AGREEING_RUN:
            for offset in range(block.size):
                position = block.a + offset
                raised[position] = max(raised[position], second[block.b + offset][1])
    for index in range(len(words)):
        # A speck glued to a word (院”科室) is no part of any value (see lines.JUNK): only the
        # word's real characters must be confirmed.
        characters = [raised[n] for n, (character, owner) in enumerate(first)
                      if owner == index and character not in JUNK]
        if characters:
            best[index] = max(best[index], min(characters))
    return best


def second_reading(row: list, image: Image.Image, scale: float, dpi: int) -> list:
    """The row's words (archive.ocr.pages.Word, in page pixels) with their confidences confirmed
    by a second reading of the row's box in `image` (the prepared page, `scale` times the page)."""
    if not needs_second_reading([w.text for w in row], [w.confidence for w in row]):
        return row
    box = tuple(round(value * scale) for value in words_box(row))
    second = read_line(line_crop(image, box), SIMPLIFIED_MODEL, dpi)
    confidences = confirmed_confidences([(w.text, w.confidence) for w in row], second)
    return [replace(word, confidence=confidence) if confidence != word.confidence else word
            for word, confidence in zip(row, confidences, strict=True)]
