"""Doubtful field lines and capital amounts read a second and a third time, alone.

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

A run of words that looks like a capital amount is read again the same two ways, and by chi_tra
too, and merged as archive.ocr.capitals explains. All of a page's lines are read again in one
tesseract call per model (archive.ocr.line_readings).
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from archive.ocr.capitals import (
    SIMPLIFIED_MODEL,
    TRADITIONAL_MODEL,
    capital_runs,
    has_traditional_model,
    merge_readings,
)
from archive.ocr.line_readings import Reading, line_crop, read_lines, words_box
from archive.ocr.lines import JUNK
from archive.ocr.preprocess import Prepared

REREAD_BELOW = 50.0  # as FIELD_MIN_CONFIDENCE: a word below it would keep its value from being taken
MIN_AGREEING_RUN = 2  # a single character agreeing between two different readings is chance
_HAS_COLON = re.compile(r"[:：;；]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_READ_AGAIN = re.compile(r"[\u3400-\u9fff0-9]")  # a doubtful Chinese character or digit


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


def read_rows_again(rows: list[list], prepared: Prepared) -> list[list]:
    """The page's rows of words (archive.ocr.pages.Word, in page pixels) after their second
    readings: each doubtful labelled row (see `needs_second_reading`) and each run of words that
    looks like a capital amount (capitals.capital_runs), read again from its box on the prepared
    page and on the grey page; capital amounts by chi_tra too."""
    capitals = {n: runs for n, row in enumerate(rows) if (runs := capital_runs([w.text for w in row]))}
    doubtful = [n for n, row in enumerate(rows) if n not in capitals
                and needs_second_reading([w.text for w in row], [w.confidence for w in row])]
    spans = [(n, start, stop) for n, runs in capitals.items() for start, stop in runs]
    boxes = ([words_box(rows[n]) for n in doubtful]
             + [words_box(rows[n][start:stop]) for n, start, stop in spans])
    if not boxes:
        return rows
    pages = [page for page in (prepared.image, prepared.grey) if page is not None]
    simplified = read_lines(_crops(pages, boxes, prepared.scale), SIMPLIFIED_MODEL, prepared.dpi)
    readings = [simplified[n::len(boxes)] for n in range(len(boxes))]  # each box: one per page
    if spans and has_traditional_model():
        traditional = read_lines(_crops(pages, boxes[len(doubtful):], prepared.scale), TRADITIONAL_MODEL,
                                 prepared.dpi)
        for n in range(len(spans)):
            readings[len(doubtful) + n] += traditional[n::len(spans)]
    rows = list(rows)
    for n, own in zip(doubtful, readings[:len(doubtful)], strict=True):
        rows[n] = _row_read_again(rows[n], own, grey=own[1] if prepared.grey is not None else None)
    for (n, start, stop), own in reversed(list(zip(spans, readings[len(doubtful):], strict=True))):
        rows[n] = _capital_read_again(rows[n], start, stop, own)
    return rows


def _crops(pages: list, boxes: list[tuple[int, int, int, int]], scale: float) -> list:
    """Each box (in page pixels) cut out of each prepared page (`scale` times the page's size),
    page by page."""
    return [line_crop(page, tuple(round(value * scale) for value in box)) for page in pages for box in boxes]


def _row_read_again(row: list, readings: list[Reading], grey: Reading | None) -> list:
    words = reread_words([(w.text, w.confidence) for w in row], readings, grey=grey)
    return [replace(word, text=text, confidence=confidence)
            if (text, confidence) != (word.text, word.confidence) else word
            for word, (text, confidence) in zip(row, words, strict=True)]


def _capital_read_again(row: list, start: int, stop: int, readings: list[Reading]) -> list:
    """The row with its words from `start` to `stop`, a capital amount, merged with its other
    readings; where that changed it, one word per character, side by side in the run's box."""
    run = row[start:stop]
    reading = [(character, word.confidence) for word in run for character in word.text]
    merged = merge_readings(reading, *readings)
    if merged == reading:
        return row
    left, top, width, height = words_box(run)
    step = width / len(merged)
    return [*row[:start],
            *(replace(run[0], text=character, left=round(left + n * step), top=top, width=round(step),
                      height=height, confidence=confidence)
              for n, (character, confidence) in enumerate(merged)),
            *row[stop:]]
