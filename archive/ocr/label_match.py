"""Where a label is printed in a line: its patterns (decoration, spaced characters, brackets of
either width, a colon or a wide gap after it), labels no list knows recognised by their colon,
labels read with a character wrong or lost, and rows of a grid that are labels only."""

from __future__ import annotations

import re
from functools import cache

from archive.ocr.cells import segments
from archive.ocr.label_spec import COLON, printed_words
from archive.ocr.lines import Line, is_cjk, label_pattern

COLONS = rf"\s*(?:{COLON}\s*)+"
SEPARATOR = rf"(?:{COLONS}|\s{{2,}}|\s*$)"  # ":;" too: one colon read as two
# A wide gap ends a value, unless a range goes on after it (`2026年1月1日  至 2026年12月31日`,
# `2026年1月1  日至 2026年12月31日`).
VALUE_END = re.compile(r"\s{2,}(?![\s至到~—－]|日\s*[至到~—－])|\t|$")
LABEL_OR_LINE_END = re.compile(r"\t|$")
NOT_LABEL_START = r"(?<![A-Za-z0-9])"  # a label is not part of a Latin word or number
# What forms print after a label besides its colon: (章), （盖章）, （医疗保障经办机构）.
DECORATION = r"(?:\s*[（(《〈][^（()）》〈〉:：\n]{1,12}[）)》〉])?"
# A label no list knows, recognisable by its colon: two to ten Chinese characters (a decoration
# after them) and a colon, after a space or glued to a figure. It ends the value before it
# (`医保编号：721726665471 医保类型：城乡居民`).
CLOSING = r"(?:(?<=[\u4e00-\u9fff])\s*[）)])?"  # a label printed in brackets: （小写）：578.34
LABEL_LIKE = re.compile(r"(?:(?<=\s)|(?<=[0-9A-Za-z.]))[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,9}"
                         + DECORATION + r"\s*[:：]")
# A cell that is an unknown label and nothing else: short (a longer run before a colon is more
# likely a value glued to a label, 县人民医院转出院：).
_LABEL_ALONE = re.compile(r"[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,5}" + DECORATION + r"\s*[:：]")
_HEADER_WORD = re.compile(r"[\u4e00-\u9fff（）()]{2,8}")


def decorated_like_another(match: re.Match, labels: list[str], others: set[str]) -> bool:
    """A label read with a bracket after it that makes it another label, or one character from
    any label with a bracket (合计（中写）: 小写 or 大写?), is not this label decorated."""
    read = _compact_label(match.group())
    if read in {label.translate(BRACKETS) for label in labels}:
        return False
    return read in {other.translate(BRACKETS) for other in others} or any(
        _edits(read, other) <= 1 for other in {*labels, *others} if re.search(r"[（(]", other))


def _compact_label(text: str) -> str:
    return re.sub(r"\s", "", text).rstrip(":：;；").translate(BRACKETS)


def is_label(text: str) -> bool:
    """Text that is a label itself (a known one, with or without its decoration, or one ending in
    a colon): not a value."""
    compact = _compact_label(text)
    bare = re.sub(r"（[^）]*）$", "", compact)
    words = {word.translate(BRACKETS) for word in printed_words()}
    return compact in words or bare in words or bool(_LABEL_ALONE.fullmatch(text.strip()))


def label_row(line: Line) -> bool:
    """A grid's row of labels, with the values in the cells below: no cell holds a colon, and two
    or more cells are labels, or one is and every other is a short word (姓名  性别: a header no
    list knows all of)."""
    cells = [line.text[slice(*span)] for span in segments(line.text)]
    if len(cells) < 2 or any(re.search(COLON, cell) for cell in cells):
        return False
    labels = sum(map(is_label, cells))
    return labels >= 2 or (labels == 1 and all(_HEADER_WORD.fullmatch(re.sub(r"\s", "", cell))
                                               for cell in cells))



_MISREAD_LABEL_MIN = 4  # characters: a shorter label with one misread is too much like other words
BRACKETS = str.maketrans("(《〈)》〉", "（（（）））")


@cache
def misread_label(label: str) -> tuple[re.Pattern, ...]:
    """A long label with one of its Chinese characters misread (合计（小宇）for 合计（小写）) or
    lost (票日期 for 开票日期), followed by its colon: without one, other words a character from a
    label would pass too."""
    if sum(map(is_cjk, label)) < _MISREAD_LABEL_MIN:
        return ()
    positions = [position for position, character in enumerate(label) if is_cjk(character)]
    variants = [label_pattern(label, misread=position) for position in positions]
    variants += [label_pattern(label[:position] + label[position + 1:]) for position in positions]
    return tuple(re.compile(NOT_LABEL_START + variant + COLONS) for variant in variants)


def printed_labels(lines: list[Line], labels: list[str]) -> dict[str, bool]:
    """Each label of the kind: whether it is printed, as it is, somewhere in the lines."""
    return {label: any(re.search(NOT_LABEL_START + label_pattern(label) + DECORATION + SEPARATOR,
                                 line.text) for line in lines) for label in labels}


def _edits(one: str, other: str) -> int:
    """How many characters must change, be added or dropped to make one the other: 0, 1 or 2
    (for two or more)."""
    one, other = sorted((one.translate(BRACKETS), other.translate(BRACKETS)), key=len)
    if len(other) - len(one) > 1:
        return 2
    if len(one) == len(other):
        return min(2, sum(a != b for a, b in zip(one, other, strict=True)))
    return 1 if any(other[:n] + other[n + 1:] == one for n in range(len(other))) else 2


def far_from_others(match: re.Match, labels: list[str], printed: dict[str, bool]) -> bool:
    """A label read with one character wrong or lost is taken only if it cannot be another
    field's label: it is not one character from another label either, or that label is printed
    as it is elsewhere (a form prints each label once: 转人医院 beside 转出医院 is 转入医院)."""
    read = re.sub(r"\s", "", match.group()).rstrip(":：;；")
    return not any(_edits(read, other) == 0 or (_edits(read, other) == 1 and not printed[other])
                   for other in printed.keys() - set(labels))
