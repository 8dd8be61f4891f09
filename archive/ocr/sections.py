"""Labels whose meaning depends on the block they are printed in ([sections] in labels.toml).

A 数电票 prints `名称：` and `统一社会信用代码/纳税人识别号：` twice, once under 购买方信息 and once
under 销售方信息 (side by side); the older VAT invoices print `名    称：` and `纳税人识别号：` in a
购买方 box and a 销售方 box (one above the other); an agreement prints a 统一社会信用代码 for
甲方 (the agency) and one for 乙方 (the provider), in blocks or in a column each. The label says
what a value is, the block whose it is: a value belongs to the block whose heading stands above
it (or on its row) in its column — the nearest heading at or left of the value, in the rightmost
such column. Without boxes, a heading earlier on the value's own line.

A field read this way replaces one read by its own labels only when that reading lies in another
block (the agency's credit code is never the provider's); otherwise it fills fields not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from archive.ocr.cells import segments
from archive.ocr.field_values import Candidate, take
from archive.ocr.label_match import CLOSING, DECORATION, SEPARATOR, is_label
from archive.ocr.lines import FieldReading, Line, is_cjk, label_pattern, union

STACKED_ROWS = 3  # a heading down a strip spans the block's rows, which are spaced for their text
COLUMN_SLACK = 0.01  # page widths: a heading a little right of its block's first value still heads it


def heading_pattern(headings: list[str]) -> re.Pattern:
    """A block's heading as forms print it: the word as a word of its own (购买方, 购买方信息,
    甲方（医疗保障经办机构）：), not the start of a longer word or label (购买方名称, 甲方应当)."""
    words = "|".join(label_pattern(word) for word in sorted(headings, key=len, reverse=True))
    return re.compile(rf"(?<![\u4e00-\u9fff])(?:{words})(?:\s*信\s*息)?" + DECORATION
                      + r"(?=\s*(?:[:：;；]|\s|$))")


def find_headings(lines: list[Line], sections: dict[str, dict]) -> list[tuple[str, int, int, list | None]]:
    """(section, line index, position, box) of every heading printed, across a line or down a
    column (see `_stacked`)."""
    found = []
    stacked = _stacked(lines)
    for section, spec in sections.items():
        pattern = heading_pattern(spec["headings"])
        named = _named_heading(spec)
        for index, line in enumerate(lines):
            for match in [*pattern.finditer(line.text), *(named.finditer(line.text) if named else ())]:
                box = union(line.boxes[match.start():match.end()]) if line.boxes else None
                found.append((section, index, match.start(), box))
        for text, index, box in stacked:
            if pattern.fullmatch(text):
                found.append((section, index, -1, box))
    return found


def _named_heading(spec: dict) -> re.Pattern | None:
    """A block's word fused with one of its labels (销售方名称：, 购方税号：) opens that block too: a
    till's roll prints the seller's 纳税人识别号 under 销售方名称 with no heading of its own, and the
    block it is in is the seller's, whatever party word stands higher up (购买方：个人)."""
    labels = sorted({label for names in spec.get("labels", {}).values() for label in names}, key=len,
                    reverse=True)
    if not labels:
        return None
    words = "|".join(label_pattern(word) for word in sorted(spec["headings"], key=len, reverse=True))
    return re.compile(rf"(?<![\u4e00-\u9fff])(?:{words})(?=\s*(?:{'|'.join(map(label_pattern, labels))}))")


def _stacked(lines: list[Line]) -> list[tuple[str, int, list]]:
    """Words printed down a column, a character a row (数电票 print 购买方信息 and 销售方信息 so,
    in the left strip of each block): single Chinese characters standing alone on their lines,
    one under another at the same left, each within STACKED_ROWS character heights of the one above.
    (text, index of the first character's line, box of them all)."""
    alone = sorted(((line.page or 0, line.boxes[found.start()], found.group(), index)
                    for index, line in enumerate(lines) if line.boxes
                    for found in re.finditer(r"(?<!\S)[\u4e00-\u9fff](?!\S)", line.text)
                    if line.boxes[found.start()] is not None), key=lambda c: (c[0], c[1][0], c[1][1]))
    columns: list[list] = []
    for character in alone:
        page, box = character[0], character[1]
        width, height = box[2] - box[0], box[3] - box[1]
        last = columns[-1][-1] if columns else None
        if (last is not None and last[0] == page and abs(last[1][0] - box[0]) < width / 2
                and 0 < box[1] - last[1][1] < STACKED_ROWS * height):
            columns[-1].append(character)
        else:
            columns.append([character])
    return [("".join(c[2] for c in column), column[0][3], union([c[1] for c in column]))
            for column in columns if len(column) >= 2]


def section_at(headings: list, lines: list[Line], index: int, start: int, box: list | None) -> str | None:
    """The block a value at lines[index].text[start:] (box `box`) is printed in."""
    if box is not None:
        page = lines[index].page
        above = [(heading_box[0], heading_box[1], section) for section, at, _, heading_box in headings
                 if heading_box is not None and lines[at].page == page
                 and heading_box[1] <= box[3] and heading_box[0] <= box[0] + COLUMN_SLACK]
        if above:
            column = max(left for left, _, _ in above)
            in_column = [(top, section) for left, top, section in above if left >= column - COLUMN_SLACK]
            return max(in_column)[1]
    before = [(position, section) for section, at, position, _ in headings
              if at == index and position < start]
    return max(before)[1] if before else None


def read_sections(lines: list[Line], sections: dict[str, dict], rules: dict[str, dict],
                  reading: FieldReading, value_at: Callable[[int, re.Match], Iterator[Candidate]],
                  min_confidence: float) -> None:
    """Fill (or correct) the fields `sections` name from their blocks (see the module's doc)."""
    if not sections:
        return
    headings = find_headings(lines, sections)
    if not headings:
        return
    for section, spec in sections.items():
        for name, labels in spec.get("labels", {}).items():
            rule = rules.get(name)
            if rule is None:
                continue
            refused: list[dict] = []
            value = _read_in_section(lines, headings, section, labels, rule, value_at, min_confidence,
                                     refused)
            if value is None:
                if refused and name not in reading.fields and not any(
                        item["field"] == name for item in reading.unreadable):
                    reading.unreadable.append({"field": name, **refused[0]})
                continue
            taken, candidate = value
            current = reading.sources.get(name)
            if name in reading.fields and not _elsewhere(headings, lines, current, section):
                continue
            reading.fields[name] = taken
            reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
            if (source := candidate.source()) is not None:
                reading.sources[name] = source
            elif name in reading.sources:
                del reading.sources[name]


def _elsewhere(headings: list, lines: list[Line], source: dict | None, section: str) -> bool:
    """Whether a value already read (its provenance) lies in a block other than `section`."""
    if not source or not source.get("boxes"):
        return False
    box = source["boxes"][0]
    index = next((n for n, line in enumerate(lines) if line.page == source.get("page")), None)
    if index is None:
        return False
    found = section_at(headings, lines, index, 0, box)
    return found is not None and found != section


def _read_in_section(lines: list[Line], headings: list, section: str, labels: list[str], rule: dict,
                     value_at: Callable[[int, re.Match], Iterator[Candidate]],
                     min_confidence: float, refused: list[dict]) -> tuple[object, Candidate] | None:
    """The first value after one of `labels` that lies in `section` and checks out; `refused`
    gets what was read in the section right after such a label but did not check out."""
    patterns = [re.compile(rf"(?<![\u4e00-\u9fff/]){label_pattern(label)}" + DECORATION + CLOSING + SEPARATOR)
                for label in sorted(labels, key=len, reverse=True)]
    for pattern in patterns:
        for index, line in enumerate(lines):
            for match in pattern.finditer(line.text):
                for candidate in _cells_after(lines, index, match, value_at):
                    box = union(candidate.boxes) if candidate.boxes else None
                    at = line.text.find(candidate.text, match.end()) if not box else match.end()
                    if section_at(headings, lines, index if not box else _line_of(lines, candidate, index),
                                  max(at, match.end()), box) != section:
                        continue
                    value, reason = take(rule, candidate, min_confidence)
                    if reason is None:
                        return value, candidate
                    if line.text.find(candidate.text, match.end()) == match.end():
                        refused.append({"read": candidate.text, "reason": reason})
    return None


def _line_of(lines: list[Line], candidate: Candidate, default: int) -> int:
    return next((n for n, line in enumerate(lines) if line.page == candidate.page), default)


def _cells_after(lines: list[Line], index: int, match: re.Match,
                 value_at: Callable[[int, re.Match], Iterator[Candidate]]) -> Iterator[Candidate]:
    """The value after a label, then the further cells on its line (a row label with a value in
    each party's column) up to the next label (a cell with a colon, or a label of its own)."""
    yield from value_at(index, match)
    line = lines[index]
    for start, stop in segments(line.text):
        if start < match.end():
            continue
        text = line.text[start:stop]
        if is_label(text) or re.search(r"[:：]", text):
            return
        if len(text) < 2 or not (is_cjk(text) or re.search(r"\d", text)):
            continue  # a character of a heading printed down the block's strip
        confidences = line.confidences[start:stop] if line.confidences is not None else None
        yield Candidate(text, confidences, line.boxes[start:stop], line.page)
