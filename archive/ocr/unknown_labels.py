"""Fields read after a label no list knows.

A form may call a field by a wording labels.toml lacks. Two kinds of evidence still tie such a
label to a field, when the field was not read by its own labels:
- its head word: the last two characters of a label name what it is (…日期 a date, …期限 a
  period). An unknown label whose head is the head of exactly one unread date field's labels,
  and whose value reads as that field's type, is that field — if no other unknown label on the
  document has the same head.
- the value's own check digit: an 18-character ID number or unified social credit code whose
  check digit holds is recognisable by itself, after any label.
Each value so taken is reported (`matched`, with the label read) so that a person confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from stdnum.cn import ric, uscc

from archive.ocr.field_values import Candidate, take
from archive.ocr.label_match import DECORATION
from archive.ocr.label_spec import printed_words
from archive.ocr.lines import FieldReading, Line

# A label no list knows: two to ten Chinese characters at the start of a line or after a gap,
# (a decoration,) a colon.
_UNKNOWN_LABEL = re.compile(r"(?:^|(?<=\s))([\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,9})" + DECORATION
                            + r"\s*[:：]")
_BY_HEAD = ("date", "date_range")  # types whose values are told apart from other text by their form
_SELF_CHECKING = ("id_number", "credit_code")
HEAD = 2  # characters


def read_by_unknown_labels(lines: list[Line], rules: dict[str, dict], reading: FieldReading,
                           into: Callable[[str], list[str]],
                           value_at: Callable[[int, re.Match], Iterator[Candidate]],
                           min_confidence: float) -> None:
    """Fill unread fields of `rules` from unknown labels (see the module's doc). `into(name)`:
    the fields a rule fills; `value_at(line index, label match)`: the candidates after a label."""
    unread = {name: rule for name, rule in rules.items()
              if not any(part in reading.fields for part in into(name))
              and not any(item["field"] in into(name) for item in reading.unreadable)}
    if not unread:
        return
    known = {_bare(word) for word in printed_words()}
    own = {_bare(label) for rule in rules.values() for label in rule["labels"]}
    found: dict[str, list[tuple[str, object, Candidate]]] = {}  # field: (label, value, candidate)
    heads: dict[str, int] = {}  # head word: unknown labels with it
    for index, line in enumerate(lines):
        for match in _UNKNOWN_LABEL.finditer(line.text):
            label = re.sub(r"\s", "", match.group(1))
            if label in known or any(label.endswith(word) for word in own):
                continue  # a label the lists know, or one ending in this kind's: read by its own field
            heads[label[-HEAD:]] = heads.get(label[-HEAD:], 0) + 1
            for name in _fields_for(label, rules, unread):
                for candidate in value_at(index, match):
                    value, reason = take(unread[name], candidate, min_confidence)
                    if reason is None:
                        found.setdefault(name, []).append((label, value, candidate))
                        break
    for name, readings in found.items():
        rule = unread[name]
        if len({str(value) for _, value, _ in readings}) != 1:
            continue  # two different values: which is it?
        label, value, candidate = readings[0]
        if rule["type"] in _BY_HEAD and heads[label[-HEAD:]] != 1:
            continue
        if rule["type"] in _SELF_CHECKING and not _check_digit_holds(rule["type"], str(value)):
            continue
        taken = value if isinstance(value, dict) else {name: value}
        reading.fields.update(taken)
        if (source := candidate.source()) is not None:
            reading.sources.update(dict.fromkeys(taken, source))
        reading.matched += [{"field": field, "read": candidate.text, "label": label, "known": str(part)}
                            for field, part in taken.items()]


def _fields_for(label: str, rules: dict[str, dict], unread: dict[str, dict]) -> list[str]:
    """The unread fields an unknown label may be: the date field whose labels share its head word
    when it is the only one of the kind's date fields that does (read or not: an invoice's 入院,
    出院 and 开票日期 leave a 离院日期 to no one), and any self-checking field."""
    by_head = [name for name, rule in rules.items() if rule["type"] in _BY_HEAD
               and label[-HEAD:] in {_bare(own)[-HEAD:] for own in rule["labels"]}]
    self_checking = [name for name, rule in unread.items() if rule["type"] in _SELF_CHECKING]
    return (by_head if len(by_head) == 1 and by_head[0] in unread else []) + self_checking


def _check_digit_holds(kind: str, value: str) -> bool:
    if kind == "id_number":
        return ric.calc_check_digit(value) == value[-1]
    return uscc.is_valid(value)


def _bare(label: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", label)
