"""Values a printer filled in off register, put back on their labels' lines.

A paper bill is a pre-printed form filled by a dot-matrix printer that rarely registers with it:
the values sit a few millimetres right of and below where the form expects them, between two
printed lines. An OCR engine then gives such a value a line of its own, or joins it to the next
label's line — where the field readers, which read a value after its label, take it for the
next label's value (统筹支付 read as the total that had slipped down from 小写 above it).

`regroup(rows)` pairs by geometry before the lines are joined: a label ending in a colon with
nothing after it in its cell is open; the nearest run of value words that starts just right of
its colon (at most a few characters on) and lies lower than the label by a fraction of a line
(less than a printed line step, so a regular next line is never taken) moves onto the label's
line, after it. A value that follows a label of its own in its line stays there. Rows are
handled top to bottom, so a label that lost a value slipped onto its line is then open itself.
A grid's value in the cell below its label starts under the label, not after its colon: it stays.
A label without a colon (a fee category) takes an amount so, not reaching past the next word on
its line. A figure printed so far right that its ink runs into the next label, or onto a rule,
is doubtful (`doubt_inked`, on a form whose print preprocessing found: archive.ocr.seals): its
digits are what the two inks made of them, and it is left to a person, never taken.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from archive.ocr.label_match import is_label
from archive.ocr.label_spec import label_rules

if TYPE_CHECKING:
    from archive.ocr.pages import Word

COLON_END = re.compile(r"[：:]\s*$")
COLON = re.compile(r"[：:]")
# A form's label without a colon (a fee category, 诊查费) and the amount filled in after it.
BARE_LABEL = re.compile(r"[\u4e00-\u9fff（）()]+")
AMOUNT = re.compile(r"[¥￥]?\d[\d,]*\.\d{2}")
# A goods table's name column as headed in print (archive/ocr/vat_items.py, [vat_items.columns]).
GOODS_NAMES = ("项目名称", "货物或应税劳务、服务名称", "货物或应税劳务名称", "品名", "商品名称", "品名/规格",
               "名称/规格", "商品名称/规格", "药品名称/规格", "项目名称/规格")
_UNIT = re.compile(r"[（(][\u4e00-\u9fff]{1,2}[）)]$")  # 金额(元)
BARE_REACH = 8.0  # line heights after a bare label its amount may start, if nothing is nearer
OWN_GAP = 2.5  # a value this many line heights or less after a label, in its line, is its own
LEFT_SLACK, RIGHT_REACH = 1.0, 4.0  # line heights before / after the colon a moved value may start
BELOW = (0.2, 1.3)  # how much lower than its label (line heights) a value off register lies
RUN_GAP = 1.0  # words of one value stand closer than this many line heights
# A figure whose box the form's own coloured print runs through (a label it was pushed into,
# a rule it lies on) has lost or gained strokes there: its digits cannot be trusted. Such a word
# gets at most this confidence, below what a field takes (archive.ocr.fields.FIELD_MIN_CONFIDENCE).
DOUBTFUL = 40.0
FIGURE = re.compile(r"[¥￥]?\d")
INKED = 0.004  # share of a figure's box in the form's print that makes it doubtful (none is clean)
TRIM = 0.2  # of the box's height, top and bottom, not looked at


def _right(word: Word) -> int:
    return word.left + word.width


def _middle(word: Word) -> float:
    return word.top + word.height / 2


def _height(row: list[Word]) -> int:
    """The row's line height: its words' median (a colon's own box is a fraction of it)."""
    return max(sorted(word.height for word in row)[len(row) // 2], 1)


def _row_middle(row: list[Word]) -> float:
    """Where the row's printed line is: the middle of its words that are not figures (values
    off register among them lie lower)."""
    printed = [_middle(word) for word in row if not FIGURE.match(word.text)] or [_middle(w) for w in row]
    return sorted(printed)[len(printed) // 2]


def _is_label(word: Word) -> bool:
    return bool(COLON_END.search(word.text))


def _is_bare_label(word: Word) -> bool:
    return bool(BARE_LABEL.fullmatch(word.text))


def _owned(row: list[Word], position: int) -> bool:
    """Whether the word at `position` follows a label of its own, close by, in its row."""
    if position == 0:
        return False
    before = row[position - 1]
    return _is_label(before) and row[position].left - _right(before) <= OWN_GAP * _height(row)


def _open(row: list[Word], position: int, in_goods: bool = False) -> bool:
    """A label with nothing of its own after it in its cell (for a bare label: no amount).
    Chinese text without a colon is a bare label only when labels.toml knows it, or its row holds
    a colon'd label or an amount (a form's fee line), and never in a goods table: a till's goods
    name on a line of its own is no label, and its row's unit price below is not its value."""
    label = row[position]
    if not (_is_label(label) or _is_bare_label(label)):
        return False
    if not _is_label(label) and (in_goods or not (_known_label(label.text) or any(
            _is_label(word) or AMOUNT.fullmatch(word.text) for word in row if word is not label))):
        return False
    if position + 1 == len(row):
        return True
    after = row[position + 1]
    if _is_bare_label(label):
        return not AMOUNT.fullmatch(after.text)
    return _is_label(after) or after.left - _right(label) > OWN_GAP * _height(row)


def _run(row: list[Word], start: int) -> int:
    """The end (exclusive) of the value beginning at `start`: up to a label or a wide gap."""
    stop = start + 1
    while stop < len(row) and not COLON.search(row[stop].text) and (
            row[stop].left - _right(row[stop - 1]) <= RUN_GAP * _height(row)):
        stop += 1
    return stop


def regroup(rows: list[list[Word]]) -> list[list[Word]]:
    """`rows` (each left to right, top to bottom) with values off register moved onto their
    labels' rows; rows left empty are dropped."""
    rows = [list(row) for row in rows]
    in_goods = False
    for number, row in enumerate(rows):
        if any(COLON.search(word.text) for word in row):
            in_goods = False  # a till's goods table ends at its first colon'd label
        in_goods = in_goods or _goods_header(row)
        position = 0
        while position < len(row):
            if _open(row, position, in_goods):
                following = row[position + 1] if position + 1 < len(row) else None
                found = _value_below(rows, number, row[position], following)
                if found is not None:
                    below, start, stop = found
                    moved = [replace(word, line=row[position].line) for word in rows[below][start:stop]]
                    del rows[below][start:stop]
                    row[position + 1:position + 1] = moved
            position += 1
    return [row for row in rows if row]


def _known_label(text: str) -> bool:
    """A label labels.toml knows: a field's, or a fee category of a bill ([invoice.line_items])."""
    categories = label_rules().get("invoice", {}).get("line_items", {}).get("categories", ())
    return text in categories or is_label(text)


def _goods_header(row: list[Word]) -> bool:
    """A goods table's header: no colon, a goods name's column and an amount's."""
    if any(COLON.search(word.text) for word in row):
        return False
    columns = label_rules().get("vat_items", {}).get("columns", {})
    names = set(GOODS_NAMES) | set(columns.get("name", ())) | set(columns.get("name_spec", ()))
    amounts = {"金额"} | set(columns.get("amount", ()))
    words = {_UNIT.sub("", re.sub(r"\s", "", word.text)) for word in row}
    return bool(words & names) and bool(words & amounts)


def doubt_inked(words: list[Word], form_ink: np.ndarray | None, scale: float = 1.0) -> list[Word]:
    """`words` (in the pixels of `form_ink` divided by `scale`) with each figure that the form's
    own print runs through given a doubtful confidence: where a value off register touches the
    next label or lies on a rule, the two inks make other digits of it (191.39 read as 191.30).
    Applied again after a second reading too: that reads the same pixels, so agreeing with the
    first is no confirmation of the figure."""
    if form_ink is None:
        return words
    checked = []
    for word in words:
        if FIGURE.match(word.text) and word.confidence > DOUBTFUL:
            top, left = round(word.top * scale), round(word.left * scale)
            height, width = round(word.height * scale), round(word.width * scale)
            trim = round(height * TRIM)  # the rule a value sits on is not in it
            region = form_ink[max(0, top + trim):max(0, top + height - trim),
                              max(0, left):max(0, left + width)]
            if region.size and (region > 0).mean() > INKED:
                word = replace(word, confidence=DOUBTFUL)
        checked.append(word)
    return checked


def _value_below(rows: list[list[Word]], number: int, label: Word,
                 following: Word | None) -> tuple[int, int, int] | None:
    """(row, start, stop) of the value off register for the open `label` in row `number`: for a
    label with a colon any value, for a bare label an amount, and never past the next word in
    the label's row."""
    height, middle = _height(rows[number]), _row_middle(rows[number])
    bare = not _is_label(label)
    reach = BARE_REACH if bare else RIGHT_REACH
    if following is not None:
        reach = min(reach, (following.left - _right(label)) / height)
    best: tuple[float, int, int, int] | None = None
    for below in range(number, min(len(rows), number + 3)):
        for start, word in enumerate(rows[below]):
            if word is label or COLON.search(word.text) or _owned(rows[below], start) or (
                    bare and not AMOUNT.fullmatch(word.text)):
                continue
            lower = (_middle(word) - middle) / height
            after = (word.left - _right(label)) / height
            if not (BELOW[0] <= lower <= BELOW[1] and -LEFT_SLACK <= after <= reach):
                continue
            distance = abs(after) + lower
            if best is None or distance < best[0]:
                best = (distance, below, start, start + 1 if bare else _run(rows[below], start))
    return None if best is None else best[1:]
