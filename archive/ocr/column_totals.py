"""Sums printed in a table's total row, read by the column they stand under ([column_totals] in
labels.toml).

VAT invoices (数电票 and the older paper and electronic ones) print no label beside 合计金额 and
合计税额: the items table ends with a row `合计  ¥588.60  ¥5.89` whose figures stand under the
header's 金额 and 税额. Each figure of such a row is the field of the header word whose column it
falls in (columns part halfway between header words; a figure is placed by its middle). Only with
boxes: a row's figures without them cannot be told apart.
"""

from __future__ import annotations

import re

from archive.ocr.field_values import Candidate, take
from archive.ocr.lines import FieldReading, Line, label_pattern, union

_FIGURE = re.compile(r"[¥￥]?\s?\d[\d,]*\.\d{2}(?!\d)")
_HEADER_WORD = re.compile(r"[^\s│┃║¦]+")


def read_column_totals(lines: list[Line], spec: dict, rules: dict[str, dict], reading: FieldReading,
                       min_confidence: float) -> None:
    """Fill the unread fields `spec["columns"]` names from the total row under the table header."""
    if not spec:
        return
    wanted = {name: words for name, words in spec.get("columns", {}).items()
              if name in rules and name not in reading.fields}
    if not wanted:
        return
    # 合    计: forms space a short row label out to the cell's width.
    row_words = "|".join(label_pattern(word) for word in spec.get("rows", ()))
    total_row = re.compile(rf"^\s*(?:{row_words})(?=\s|[¥￥]|$)")
    for index, line in enumerate(lines):
        if not line.boxes or not total_row.match(line.text):
            continue
        header = _header_above(lines, index, wanted)
        if header is None:
            continue
        columns = _columns(header, {word for words in wanted.values() for word in words})
        for figure in _FIGURE.finditer(line.text):
            box = union(line.boxes[figure.start():figure.end()])
            if box is None:
                continue
            middle = (box[0] + box[2]) / 2
            word = next((word for word, left, right in columns if left <= middle < right), None)
            for name, words in list(wanted.items()):
                if word is None or word not in words:
                    continue
                start, stop = figure.span()
                candidate = Candidate(line.text[start:stop], line.confidences[start:stop]
                                      if line.confidences is not None else None,
                                      line.boxes[start:stop], line.page)
                value, reason = take(rules[name], candidate, min_confidence)
                if reason is None:
                    reading.fields[name] = value
                    reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
                    if (source := candidate.source()) is not None:
                        reading.sources[name] = source
                    del wanted[name]
        return


def _header_above(lines: list[Line], index: int, wanted: dict[str, list[str]]) -> Line | None:
    """The nearest line above on the same page whose words include a column word of each field."""
    for line in reversed(lines[:index]):
        if line.page != lines[index].page:
            return None
        if line.boxes and all(any(_word(word).search(line.text) for word in columns)
                              for columns in wanted.values()):
            return line
    return None


def _word(word: str) -> re.Pattern:
    # A column word as a header prints it: a word of its own, its characters spaced out or not
    # (金 额), a unit after it (金额（元）).
    return re.compile(rf"(?<!\S){label_pattern(word)}(?:[（(][^）)]*[）)])?(?!\S)")


def _columns(header: Line, wanted: set[str]) -> list[tuple[str, float, float]]:
    """Each header word with the span of its column: halfway to its neighbours' middles."""
    spans = [(found.start(), found.end(), word) for word in wanted
             for found in _word(word).finditer(header.text)]
    spans += [(found.start(), found.end(), found.group()) for found in _HEADER_WORD.finditer(header.text)
              if not any(start < found.end() and found.start() < stop for start, stop, _ in spans)]
    placed = []
    for start, stop, word in sorted(spans):
        box = union(header.boxes[start:stop])
        if box is not None:
            placed.append((word, (box[0] + box[2]) / 2))
    columns = []
    for n, (word, middle) in enumerate(placed):
        left = (placed[n - 1][1] + middle) / 2 if n else -1.0
        right = (middle + placed[n + 1][1]) / 2 if n + 1 < len(placed) else 2.0
        columns.append((word, left, right))
    return columns

