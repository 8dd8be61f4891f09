"""Where a label is printed in a line: its patterns (decoration, spaced characters, brackets of
either width, a colon or a wide gap after it), labels no list knows recognised by their colon,
labels read with a character wrong or lost, and rows of a grid that are labels only."""

from __future__ import annotations

import re
from functools import cache

from archive.ocr.cells import segments
from archive.ocr.label_spec import COLON, label_rules, printed_words
from archive.ocr.lines import Line, is_cjk, label_pattern

COLONS = rf"\s*(?:{COLON}\s*)+"
SEPARATOR = rf"(?:{COLONS}|\s{{2,}}|\s*$)"  # ":;" too: one colon read as two
# A label closed by its decoration (收款单位（盖章）, 收款人（章）) needs no wide gap: the bracket
# ends it, and a boxed form's value stands one narrow gap after it — unless what follows is the
# next decorated label (a footer's 收款单位（章） 收款人（章） 复核人（章） prints no values).
DECORATED_GAP = r"(?<=[）)》〉])\s(?=[^\s:：;；])(?![\u4e00-\u9fff]{1,8}[（(][^）)\s]{0,4}[）)])"
# A wide gap ends a value, unless a range goes on after it (`2026年1月1日  至 2026年12月31日`) or a
# date does (`2026年1月1  日至 2026年12月31日`, `2025 年 01  月 01 日`: OCR spaces a date's units).
# A column rule a text layer keeps as a box-drawing character ends a value too.
VALUE_END = re.compile(r"\s{2,}(?![\s至到~—－年月日])|\t|\s*[│┃║¦]|$")
LABEL_OR_LINE_END = re.compile(r"\t|\s*[│┃║¦]|$")
# A capital amount goes on past a wide gap into more capital characters: on a photo the gap
# between two of its characters can widen so (肆仟贰佰零贰元柒角  叁分), and cut there it is still
# an amount, a wrong one.
# (Nor do those characters begin a label: 叁分  (小写）： is the amount's end and the next label.)
_CAPITAL_CHARACTER = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整"
CAPITAL_VALUE_END = re.compile(rf"\s{{2,}}(?![\s{_CAPITAL_CHARACTER}])|\t|\s*[│┃║¦]|$")
# A typed value may follow its label with no colon or gap at all (数电票: `（小写）¥4449.00`,
# `价税合计（大写） ⊗肆仟…`): only where the value's own first character says what it is.
GLUED = {"amount": r"[¥￥]\s?\d|\d[\d,]*\.\d{2}(?!\d)",
         "capital": r"[⊗ⓧ]|[零壹贰叁肆伍陆柒捌玖拾佰仟]+[万亿元圆]",
         "date": r"\d{4}\s*[年\-/.]\s*\d{1,2}",
         "date_range": r"[自从]\s*\d{4}\s*[年\-/.]\s*\d{1,2}",  # 有效期自2026年1月1日起至…止
         "code": r"\d{6}", "id_number": r"\d{17}[\dXx]", "credit_code": r"[0-9A-Z]{18}(?![0-9A-Z])"}
NOT_LABEL_START = r"(?<![A-Za-z0-9])"  # a label is not part of a Latin word or number
# What forms print after a label besides its colon: (章), （盖章）, （医疗保障经办机构）.
DECORATION = r"(?:\s*[（(《〈][^（()）》〈〉:：\n]{1,12}[）)》〉]|\s*/\s*[A-Za-z][A-Za-z .']{0,20}[A-Za-z.])?"
# A label no list knows, recognisable by its colon: two to ten Chinese characters (a decoration
# after them) and a colon, after a space or glued to a figure. It ends the value before it
# (`医保编号：721726665471 医保类型：城乡居民`).
CLOSING = r"(?:(?<=[\u4e00-\u9fff])\s*[）)])?"  # a label printed in brackets: （小写）：578.34
LABEL_LIKE = re.compile(r"(?:(?<=\s)|(?<=[0-9A-Za-z.]))[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,9}"
                         + DECORATION + r"\s*[:：]")
CAPITAL_LABEL_LIKE = re.compile(rf"(?:(?<=\s)|(?<=[0-9A-Za-z.]))(?![{_CAPITAL_CHARACTER}])[\u4e00-\u9fff]"
                                 r"(?:\s?[\u4e00-\u9fff]){1,9}" + DECORATION + r"\s*[:：]")
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
    return (compact in words or bare in words or bool(_LABEL_ALONE.fullmatch(text.strip()))
            or _headed_like_a_label(bare) or _sibling_of_a_label(bare))


SIBLING_MIN = 4  # a name of two or three characters may well be one from a short label


def _sibling_of_a_label(compact: str) -> bool:
    """A Chinese-only cell of SIBLING_MIN or more characters one character from a label: a label
    in a wording no list has, standing where its sibling would (转往医院 under 转出医院 in a form's
    label column), or a label misread. Never a value: a hospital or a name one character from a
    label is far rarer than a label no list knows."""
    if len(compact) < SIBLING_MIN or not re.fullmatch(r"[\u4e00-\u9fff]+", compact):
        return False
    return any(len(word) >= SIBLING_MIN and _edits(compact, word) <= 1 for word in _label_words())


@cache
def _label_words() -> frozenset[str]:
    return frozenset(word.translate(BRACKETS) for word in printed_words()
                     if re.fullmatch(r"[\u4e00-\u9fff]+", word))


def _headed_like_a_label(compact: str) -> bool:
    """A short, Chinese-only cell ending in a label's head word, or a form's word of its own
    ([label_heads]): 申请日期, 金额, 性别."""
    heads = label_rules().get("label_heads", {})
    if compact in heads.get("alone", ()):
        return True
    return (bool(re.fullmatch(rf"[\u4e00-\u9fff]{{2,{heads.get('longest', 8)}}}", compact))
            and compact.endswith(tuple(heads.get("words", ()))))


def label_row(line: Line) -> bool:
    """A grid's row of labels, with the values in the cells below: no cell holds a colon, and two
    or more cells are labels, or one is and every other is a short word (姓名  性别: a header no
    list knows all of)."""
    cells = [line.text[slice(*span)] for span in segments(line.text)]
    if len(cells) < 2 or any(re.search(COLON, cell) for cell in cells):
        return False
    marks = [is_label(cell) for cell in cells]
    if _key_value_pairs(cells, marks):
        return False
    labels = sum(marks)
    # One label and one word is a key–value row (转往医院 | 湖南省人民医院), as ruled forms print a
    # column of labels each with its value; a header no list knows all of has more cells.
    return labels >= 2 or (labels == 1 and len(cells) > 2 and all(
        _HEADER_WORD.fullmatch(re.sub(r"\s", "", cell)) for cell in cells))


def _key_value_pairs(cells: list[str], marks: list[bool]) -> bool:
    """A ruled form's row of label cells each followed by its value cell, with no colons (医保编号 |
    9732086958 | 申请日期 | 2026年3月5日): labels and values alternate, label first, and a value
    cell is plainly a value (it holds a figure, or is longer than a header's word) — not a header
    row whose unknown words (出生年月) happen to fall between its labels."""
    if len(cells) % 2 or marks[0::2] != [True] * (len(cells) // 2) or any(marks[1::2]):
        return False
    return any(re.search(r"\d", cell) or not _HEADER_WORD.fullmatch(re.sub(r"\s", "", cell))
               for cell in cells[1::2])


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


def inside_another(text: str, match: re.Match, others: set[str]) -> bool:
    """Whether a label read with a character wrong or lost lies within another label printed as it
    is: 方名称 (购方名称 with 购 lost) inside 销方名称, 购方税号 misread in 销方税号. The characters
    read belong to the other label: the value after it is the other field's, never this one's. (An
    other label wholly within what was read, 合计金额 in 合计金额（小宇）, says nothing: it is read
    with more.)"""
    return any(found.start() < match.end() and match.start() < found.end()
               and (found.start() < match.start() or found.end() > match.end())
               for other in others for found in _printed_pattern(other).finditer(text))


@cache
def _printed_pattern(label: str) -> re.Pattern:
    return re.compile(NOT_LABEL_START + label_pattern(label))


@cache
def _confusions() -> dict[str, str]:
    """Each character with those OCR reads it as ([ocr_confusables] in labels.toml)."""
    table: dict[str, str] = {}
    for group in label_rules().get("ocr_confusables", {}).get("groups", []):
        for character in group:
            table[character] = table.get(character, "") + group.replace(character, "")
    return table


@cache
def confusable_label(label: str) -> tuple[re.Pattern, ...]:
    """A label with one character read as a character OCR is known to confuse it with (姓各 for
    姓名, 转人医院 for 转入医院), followed by its colon. Unlike `misread_label` this holds for
    short labels too: the confusion is a known one, not any character."""
    if sum(map(is_cjk, label)) < 2:
        return ()
    table = _confusions()
    variants = []
    for position, character in enumerate(label):
        if character in table:
            # label_pattern puts "one or two of any Chinese character" there: narrow it to the look-alikes.
            pattern = label_pattern(label, misread=position)
            variants.append(pattern.replace(r"[\u4e00-\u9fff]{1,2}", f"[{table[character]}]", 1))
    return tuple(re.compile(NOT_LABEL_START + variant + DECORATION + COLONS) for variant in variants)


def unlike_others(match: re.Match, others: set[str]) -> bool:
    """A label read with a known confusion is taken only if what was read is no other label of the
    kind, as printed or with a known confusion of its own."""
    read = re.sub(r"\s", "", match.group()).rstrip(":：;；").translate(BRACKETS)
    read = re.sub(r"（[^）]*）$", "", read)
    table = _confusions()
    for other in others:
        other = other.translate(BRACKETS)
        if len(other) == len(read) and all(a == b or b in table.get(a, "") for a, b in zip(other, read,
                                                                                          strict=True)):
            return False
    return True
