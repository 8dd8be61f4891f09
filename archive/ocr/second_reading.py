"""Doubtful field lines read a second and a third time, alone.

On a scan, tesseract often gives a character it read rightly a low confidence because of what
surrounds it on the page: a stroke of the next field, a speck between two columns, a seal's
edge (measured on the tuning seed: 院 of a hospital's name at 4–46 beside a speck before 科室,
骨 of 股骨颈骨折 at 11–38). Read again as one line from its own box, the same characters mostly
come back at 57–88. And binarisation, which the page needs, merges the strokes of dense
characters: 霞 becomes 去 or 规 at confidence 0 on the page, and 霞 at 55–90 read from the grey
page before its threshold (measured on the tuning seeds).

So a line that holds a label's value (it has a colon) with a doubtful Chinese word or digit is read
again from its box twice: from the page as OCR read it (black and white) and from the grey page
before binarisation. Each reading is aligned with the page's, character by character:
- a character a second reading also gives, inside a run of at least two agreeing characters,
  keeps the better of the two confidences;
- a Chinese character the page read below REREAD_BELOW, where the grey reading, aligned one for
  one, gives another Chinese character at or above it, is that character, at that confidence.
A word is raised only when every one of its characters (specks aside) is so confirmed or
replaced, and never lowered. A value is still taken only above the field threshold
(archive.ocr.fields), so a misread stays out unless a second reading makes it confidently.
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
_READ_AGAIN = re.compile(r"[\u3400-\u9fff0-9]")  # a doubtful Chinese character or digit

Reading = list[tuple[str, float]]  # each character with its confidence


def needs_second_reading(texts: list[str], confidences: list[float]) -> bool:
    return bool(_HAS_COLON.search("".join(texts))) and any(
        confidence < REREAD_BELOW and _READ_AGAIN.search(text)
        for text, confidence in zip(texts, confidences, strict=True))


def confirmed_confidences(words: Reading, second: Reading) -> list[float]:
    """Each word's confidence after aligning its characters with a second reading of the line
    (each character with its confidence)."""
    return [confidence for _, confidence in reread_words(words, [second])]


def reread_words(words: Reading, confirming: list[Reading], grey: Reading | None = None) -> Reading:
    """The words (text, confidence) after the other readings of their line: characters confirmed
    by each of `confirming`, then doubtful ones replaced from `grey` (see the module's text)."""
    first = [(character, index) for index, (text, _) in enumerate(words) for character in text
             if not character.isspace()]
    page = "".join(character for character, _ in first)
    characters = [character for character, _ in first]
    confidences = [words[index][1] for _, index in first]
    for second in confirming:
        matcher = SequenceMatcher(None, page, "".join(c for c, _ in second), autojunk=False)
        for block in matcher.get_matching_blocks():
            if block.size >= MIN_AGREEING_RUN:
                for offset in range(block.size):
                    position = block.a + offset
                    confidences[position] = max(confidences[position], second[block.b + offset][1])
    for position, (character, confidence) in _replacements(page, confidences, grey or []):
        characters[position], confidences[position] = character, confidence
    result = []
    for index, (text, confidence) in enumerate(words):
        own = [n for n, (_, owner) in enumerate(first) if owner == index]
        # A speck glued to a word (院”科室) is no part of any value (see lines.JUNK): only the
        # word's real characters must be confirmed.
        real = [confidences[n] for n in own if characters[n] not in JUNK]
        new_text = "".join(characters[n] for n in own) if own else text
        if new_text != text.replace(" ", ""):
            result.append((new_text, min(real)))  # replaced: as sure as its least sure character
        else:
            result.append((text, max(confidence, min(real)) if real else confidence))
    return result


def _replacements(page: str, confidences: list[float], grey: Reading) -> list[tuple[int, tuple[str, float]]]:
    """(position, (character, confidence)) for each doubtful Chinese character of the page's
    reading that the grey reading, aligned one for one, gives as another at or above REREAD_BELOW."""
    matcher = SequenceMatcher(None, page, "".join(c for c, _ in grey), autojunk=False)
    found = []
    for operation, start, stop, other, other_stop in matcher.get_opcodes():
        if operation != "replace" or stop - start != other_stop - other:
            continue
        for offset in range(stop - start):
            character, confidence = grey[other + offset]
            if (confidences[start + offset] < REREAD_BELOW <= confidence and _HAN.match(character)
                    and _HAN.match(page[start + offset])):
                found.append((start + offset, (character, confidence)))
    return found


def second_reading(row: list, image: Image.Image, scale: float, dpi: int,
                   grey: Image.Image | None = None) -> list:
    """The row's words (archive.ocr.pages.Word, in page pixels) read again: from their box in
    `image` (the prepared page, `scale` times the page) and in `grey` (the same page before
    binarisation, when there is one)."""
    if not needs_second_reading([w.text for w in row], [w.confidence for w in row]):
        return row
    box = tuple(round(value * scale) for value in words_box(row))
    readings = [read_line(line_crop(source, box), SIMPLIFIED_MODEL, dpi)
                for source in (image, grey) if source is not None]
    words = reread_words([(w.text, w.confidence) for w in row], readings,
                         grey=readings[1] if grey is not None else None)
    return [replace(word, text=text, confidence=confidence)
            if (text, confidence) != (word.text, word.confidence) else word
            for word, (text, confidence) in zip(row, words, strict=True)]
