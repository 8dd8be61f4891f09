"""Fields of a document, read by their printed labels (archive/ocr/labels.toml).

A value is the text after a label and its separator (a colon, or a wide gap), up to the next gap
of two or more spaces, the next label, or the end of the line; or the next line when the label
ends its line. It is then checked against the field's type and pattern, and normalised.

Nothing is guessed. A value that does not check out (a date with a stray character, an amount
with `¢` in it, a name with Latin letters, an ID number whose check digit fails on a scan), or
that OCR read with low confidence, leaves the field absent and is reported as unreadable, with
what was read, so that a person looks at it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from stdnum.cn import ric, uscc

from archive.ocr.capitals import MAX_UNCONFIRMED, unconfirmed
from archive.ocr.cells import cell_below, segments, widen_gaps
from archive.ocr.corroboration import corroborate
from archive.ocr.lines import (
    JUNK,
    JUNK_TOKEN,
    Box,
    FieldReading,
    Line,
    is_cjk,
    label_pattern,
    rows_source,
    union,
)
from archive.ocr.normalize import amount_to_capital, read_amount, read_capital_amount, read_date
from archive.ocr.reference import known_name
from archive.ocr.tables import line_items, statement_items
from archive.ocr.vat_items import vat_items

LABELS_FILE = Path(__file__).with_name("labels.toml")
FIELD_MIN_CONFIDENCE = 50.0  # an OCR value with any character below this is not taken (measured on
# the tuning seed: at 50, 2 wrong in 423 values taken; at 70, 1 in 395)
_COLON = r"[:：;；]"  # OCR reads the full-width colon as any of these
_COLONS = rf"\s*(?:{_COLON}\s*)+"
_SEPARATOR = rf"(?:{_COLONS}|\s{{2,}}|\s*$)"  # ":;" too: one colon read as two
# A wide gap ends a value, unless a range goes on after it (`2026年1月1日  至 2026年12月31日`,
# `2026年1月1  日至 2026年12月31日`).
_VALUE_END = re.compile(r"\s{2,}(?![\s至到~—－]|日\s*[至到~—－])|\t|$")
_LABEL_OR_LINE_END = re.compile(r"\t|$")
_NOT_LABEL_START = r"(?<![A-Za-z0-9])"  # a label is not part of a Latin word or number
# What forms print after a label besides its colon: (章), （盖章）, （医疗保障经办机构）.
_DECORATION = r"(?:\s*[（(《〈][^（()）》〈〉:：\n]{1,12}[）)》〉])?"
# A label no list knows, recognisable by its colon: two to ten Chinese characters (a decoration
# after them) and a colon, after a space or glued to a figure. It ends the value before it
# (`医保编号：721726665471 医保类型：城乡居民`).
_CLOSING = r"(?:(?<=[\u4e00-\u9fff])\s*[）)])?"  # a label printed in brackets: （小写）：578.34
_LABEL_LIKE = re.compile(r"(?:(?<=\s)|(?<=[0-9A-Za-z.]))[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,9}"
                         + _DECORATION + r"\s*[:：]")
# A cell that is an unknown label and nothing else: short (a longer run before a colon is more
# likely a value glued to a label, 县人民医院转出院：).
_LABEL_ALONE = re.compile(r"[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,5}" + _DECORATION + r"\s*[:：]")
_HEADER_WORD = re.compile(r"[\u4e00-\u9fff（）()]{2,8}")
_TEXT = r"[\u4e00-\u9fff（）()·、，,0-9A-Za-z\-]{1,60}"  # a text value unless labels.toml says else


@cache
def _spec() -> dict:
    return tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))


_DERIVED_LABELS = {"visit_type": "门诊/住院", "valid_from": "有效期起", "valid_to": "有效期止",
                   "line_items": "费用明细", "items": "费用明细", "qr_codes": "二维码"}


def field_label(kind: str | None, name: str) -> str:
    """The printed (Chinese) label of a field, for showing it to reviewers."""
    rule = _spec().get(kind or "", {}).get(name)
    if isinstance(rule, dict) and rule.get("labels"):
        return rule["labels"][0]
    return _DERIVED_LABELS.get(name, name)


def missing_fields(kind: str | None, reading: FieldReading) -> list[str]:
    """Fields every document of `kind` carries that were neither read nor seen unreadable."""
    seen = {name for item in reading.unreadable for name in fields_of(kind, item["field"])}
    return [name for name in _spec().get("required", {}).get(kind or "", [])
            if name not in reading.fields and name not in seen]


def fields_of(kind: str | None, name: str) -> list[str]:
    """The fields a labelled value fills: its own name, or those of a range (`validity` →
    `valid_from`, `valid_to`)."""
    rule = _spec().get(kind or "", {}).get(name)
    return rule.get("into", [name]) if isinstance(rule, dict) else [name]


def guess_kind(text: str) -> str | None:
    """The kind by its printed title; when the title is not readable (a stamp, a fold, OCR
    dropping a character), by the kind whose own field labels the text shows most, if at least
    two and more than any other kind's."""
    head = re.sub(r"\s", "", text[:400])
    for kind, titles in _spec()["kinds"].items():
        if any(title in head for title in titles):
            return kind
    scores = sorted(((sum(bool(_printed_label(label).search(text)) for label in labels), kind)
                     for kind, labels in _distinctive_labels().items()), reverse=True)
    if scores and scores[0][0] >= 2 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


@cache
def _printed_label(label: str) -> re.Pattern:
    # As printed: at the start of a word (not the tail of 开票日期 for 日期) and before its colon.
    return re.compile(rf"(?<![\u4e00-\u9fff]){re.escape(label)}\s*{_COLON}")


@cache
def _printed_words() -> frozenset[str]:
    """Every label and document title of every kind: words a form prints for what they are."""
    spec = _spec()
    labels = {label for kind in spec["kinds"] for rule in spec.get(kind, {}).values()
              if isinstance(rule, dict) for label in rule.get("labels", ())}
    return frozenset(labels.union(*spec["kinds"].values()))


@cache
def _distinctive_labels() -> dict[str, frozenset[str]]:
    """Each kind's field labels that no other kind prints."""
    labels = {kind: {label for rule in _spec().get(kind, {}).values()
                     if isinstance(rule, dict) for label in rule.get("labels", ())}
              for kind in _spec()["kinds"]}
    return {kind: frozenset(own - set().union(*(other for k, other in labels.items() if k != kind)))
            for kind, own in labels.items()}


def correctable_fields(kind: str | None) -> dict[str, str]:
    """The fields of a kind a person may correct, with their types: every labelled field (the
    two dates of a range each on its own), and an invoice's visit type. Lists are not."""
    fields = {}
    for name, rule in _spec().get(kind or "", {}).items():
        if isinstance(rule, dict) and "labels" in rule:
            if rule["type"] == "date_range":
                fields.update(dict.fromkeys(rule["into"], "date"))
            else:
                fields[name] = rule["type"]
    if kind == "invoice":
        fields["visit_type"] = "visit_type"
    return fields


VISIT_TYPES = {"inpatient": "inpatient", "住院": "inpatient",
               "outpatient": "outpatient", "门诊": "outpatient"}


def read_typed_value(kind: str | None, name: str, text: str) -> tuple[str | None, str | None]:
    """A value a person typed for field `name`, checked and normalised as if read from a text
    layer: (value, None), or (None, why it cannot be taken) — the reasons of `_take`."""
    kinds = correctable_fields(kind)
    if name not in kinds:
        return None, "not_correctable"
    text = text.strip()
    if kinds[name] == "visit_type":
        value = VISIT_TYPES.get(text.lower())
        return (value, None) if value else (None, "unexpected_characters")
    rules = _spec()[kind]
    rule = rules.get(name, {"type": "date"})  # not in the rules: one date of a range
    value, reason = _take(rule, _Candidate(text, None), 0.0)
    if reason == "not_a_capital_amount" and (figures := read_amount(text)):
        return figures, None  # the amount the capital characters say, typed in figures
    return (None, reason) if reason else (str(value), None)


def extract_fields(kind: str, text: str | list[Line]) -> dict:
    return read_fields(kind, text).fields


def read_fields(kind: str, text: str | list[Line], *, min_confidence: float = FIELD_MIN_CONFIDENCE,
                case: dict[str, str | None] | None = None) -> FieldReading:
    """The fields of one document kind, and what was seen but could not be taken. `case`: what
    the document's case states (claimant_name, claimant_id_number, insurance_number)."""
    spec = _spec().get(kind, {})
    rules = {name: rule for name, rule in spec.items() if isinstance(rule, dict) and "labels" in rule}
    # Another field's label, recognisable by its colon, ends a value run together with it.
    any_label = re.compile("(?:" + "|".join(label_pattern(label) for rule in rules.values()
                                            for label in rule["labels"]) + rf")\s*{_COLON}")
    lines = _clean_lines(text)
    printed = _printed_labels(lines, [label for rule in rules.values() for label in rule["labels"]])
    # So does the label of a field not printed as it is, read with a character wrong or lost
    # (县人民医院转和医院：… for 转入医院).
    ends = [any_label, _LABEL_LIKE, *(pattern for label, shown in printed.items() if not shown
                                      for pattern in _misread_label(label))]
    reading = FieldReading()
    doubtful: dict[str, tuple] = {}  # refused for low confidence: (the value it would be, source)
    capitals: dict[str, _Candidate] = {}  # what was read for each capital amount
    for name, rule in rules.items():
        rejected = None
        for candidate, as_read in _candidates(lines, rule, ends, printed):
            if rule["type"] == "capital":
                capitals.setdefault(name, candidate)
            value, reason = _take(rule, candidate, min_confidence) if as_read else (None, "")
            if reason is not None and "known" in rule and (
                    known := known_name(candidate.text, candidate.confidences, rule["known"])):
                value, reason = known, None
                reading.matched.append({"field": name, "read": candidate.text, "known": known})
            if reason is not None and rule["type"] == "date_range" and as_read:
                # One date of a range read in doubt does not make the other doubtful.
                value, refused = _range_in_parts(rule, candidate, min_confidence)
                reason = None if value else reason
                reading.unreadable += [{"field": part, "read": candidate.text, "reason": why}
                                       for part, why in refused.items() if value]
            if reason is None:
                taken = value if isinstance(value, dict) else {name: value}
                reading.fields.update(taken)
                if (source := candidate.source()) is not None:
                    reading.sources.update(dict.fromkeys(taken, source))
                break
            if rejected is None and reason:
                rejected = {"field": name, "read": candidate.text, "reason": reason}
                if reason == "low_confidence" and (value := _take(rule, candidate, 0.0)[0]) is not None:
                    doubtful[name] = (value, candidate.source())
        else:
            if rejected:
                reading.unreadable.append(rejected)
    if kind == "invoice":
        _invoice_extras(lines, spec, reading, min_confidence, doubtful)
    if kind == "daily_statement":
        statement_items(lines, reading, min_confidence, doubtful)
    if kind == "vat_invoice":
        vat_items(lines, reading, min_confidence, doubtful)
    facts = _spec().get("case_facts", {}).get(kind, {})
    known = {name: (case or {}).get(fact) for name, fact in facts.items()}
    pairs = _spec().get("corroborates", {}).get(kind, [])
    corroborate(reading, doubtful, pairs=pairs, sums=_spec().get("sums", {}).get(kind, []),
                known={name: value for name, value in known.items() if value})
    _capitals_by_figures(reading, capitals, pairs)
    return reading


def _capitals_by_figures(reading: FieldReading, capitals: dict[str, _Candidate],
                         pairs: list[list[str]]) -> None:
    """A capital amount not taken is the amount of its figures (taken on their own) when what was
    read agrees with them character by character but for at most MAX_UNCONFIRMED characters
    read as no capital character at all (see `capitals.unconfirmed`). The reviewers are told
    which character was not read."""
    for pair in pairs:
        for name, candidate in capitals.items():
            figures = [reading.fields.get(other) for other in pair if other != name]
            if name not in pair or name in reading.fields or len(figures) != 1 or figures[0] is None:
                continue
            gaps = unconfirmed(candidate.text, figures[0])
            if gaps is None or len(gaps) > MAX_UNCONFIRMED:
                continue
            reading.fields[name] = figures[0]
            reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
            if (source := candidate.source()) is not None:
                reading.sources[name] = source
            reading.matched.append({"field": name, "read": candidate.text,
                                    "known": amount_to_capital(figures[0]),
                                    "unread": [position + 1 for position in gaps]})


def _clean_lines(text: str | list[Line]) -> list[Line]:
    if isinstance(text, str):
        return [Line(line.strip()) for line in text.splitlines() if line.strip()]
    return [widen_gaps(line) for line in text if line.text.strip()]


@dataclass(frozen=True)
class _Candidate:
    text: str
    confidences: tuple[float, ...] | None
    boxes: tuple[Box | None, ...] = ()
    page: int | None = None

    @property
    def lowest_confidence(self) -> float | None:
        return min(self.confidences) if self.confidences else None

    def source(self) -> dict | None:
        box = union(self.boxes)
        return None if box is None or self.page is None else {"page": self.page, "boxes": [box]}


def _candidates(lines: list[Line], rule: dict, ends: list[re.Pattern],
                printed: dict[str, bool]) -> Iterator[tuple[_Candidate, bool]]:
    """(candidate, whether it may be taken as read). A field with a reference list (`known`)
    then also gets the text after its label up to the next label, across wide gaps (县  中医院):
    taken only if it is a name on the list."""
    yield from ((candidate, True) for candidate in _values_after_label(lines, rule["labels"], ends, printed))
    if "known" in rule:
        yield from ((candidate, False) for candidate in _values_after_label(
            lines, rule["labels"], ends, printed, value_end=_LABEL_OR_LINE_END))


def _values_after_label(lines: list[Line], labels: list[str], ends: list[re.Pattern],
                        printed: dict[str, bool] | None = None,
                        value_end: re.Pattern | None = None) -> Iterator[_Candidate]:
    """Candidate values, best label first: the rest of the line up to a wide gap (or
    `value_end`) or the next label, known or label-like; or, when the line holds no value there
    (the label ends it, or a label follows: a grid's row of labels), the value in the cell below
    the label. A label standing as a word of its own is tried before one at the end of a longer
    word (清单日期 before the 日期 of 入院日期). Last, after every label as printed, the labels with
    one character misread (see `_misread_label`)."""
    value_end = value_end or _VALUE_END
    patterns = [re.compile(_NOT_LABEL_START + label_pattern(label) + _DECORATION + _CLOSING + _SEPARATOR)
                for label in labels]
    patterns += [pattern for label in labels for pattern in _misread_label(label)] if printed else []
    others = set(printed or {}) - set(labels)
    for own_word in (True, False):
        for number, pattern in enumerate(patterns):
            for index, line in enumerate(lines):
                for match in pattern.finditer(line.text):
                    if (match.start() == 0 or not is_cjk(line.text[match.start() - 1])) != own_word:
                        continue
                    if number >= len(labels) and not _far_from_others(match, labels, printed or {}):
                        continue
                    if number < len(labels) and _decorated_like_another(match, labels, others):
                        continue  # the label with its bracket is another field's: 合计（大写）
                    yield from _value_at(lines, index, match, ends, value_end)


def _value_at(lines: list[Line], index: int, match: re.Match, ends: list[re.Pattern],
              value_end: re.Pattern) -> Iterator[_Candidate]:
    line = lines[index]
    start = match.end()
    rest = line.text[start:]
    end = value_end.search(rest)
    stop = start + (end.start() if end else len(rest))
    stop = min([stop, *(following.start() for end_pattern in ends
                        if (following := end_pattern.search(line.text, start))
                        and following.start() > start)])
    candidate = _span(line, start, stop)
    value = candidate.text and not _is_label(candidate.text)
    if value and not _label_row(line):
        yield candidate
        return
    below = _value_below(lines, index, match)
    if below is not None:
        yield below
    elif value:
        yield candidate  # nothing under it: a key–value row of short words after all


def _decorated_like_another(match: re.Match, labels: list[str], others: set[str]) -> bool:
    """A label read with a bracket after it that makes it another label, or one character from
    any label with a bracket (合计（中写）: 小写 or 大写?), is not this label decorated."""
    read = _compact_label(match.group())
    if read in {label.translate(_BRACKETS) for label in labels}:
        return False
    return read in {other.translate(_BRACKETS) for other in others} or any(
        _edits(read, other) <= 1 for other in {*labels, *others} if re.search(r"[（(]", other))


def _compact_label(text: str) -> str:
    return re.sub(r"\s", "", text).rstrip(":：;；").translate(_BRACKETS)


def _is_label(text: str) -> bool:
    """Text that is a label itself (a known one, with or without its decoration, or one ending in
    a colon): not a value."""
    compact = _compact_label(text)
    bare = re.sub(r"（[^）]*）$", "", compact)
    words = {word.translate(_BRACKETS) for word in _printed_words()}
    return compact in words or bare in words or bool(_LABEL_ALONE.fullmatch(text.strip()))


def _label_row(line: Line) -> bool:
    """A grid's row of labels, with the values in the cells below: no cell holds a colon, and two
    or more cells are labels, or one is and every other is a short word (姓名  性别: a header no
    list knows all of)."""
    cells = [line.text[slice(*span)] for span in segments(line.text)]
    if len(cells) < 2 or any(re.search(_COLON, cell) for cell in cells):
        return False
    labels = sum(map(_is_label, cells))
    return labels >= 2 or (labels == 1 and all(_HEADER_WORD.fullmatch(re.sub(r"\s", "", cell))
                                               for cell in cells))


def _value_below(lines: list[Line], index: int, match: re.Match) -> _Candidate | None:
    """The value in the cell under a label (see `cells.cell_below`), unless that is a label."""
    found = cell_below(lines, index, match.start(), match.end())
    candidate = _span(*found) if found is not None else None
    return None if candidate is None or not candidate.text or _is_label(candidate.text) else candidate


def _span(line: Line, start: int, stop: int) -> _Candidate:
    """The text between start and stop with junk trimmed from both ends, and its confidences."""
    while start < stop and line.text[start] in JUNK:
        start += 1
    while stop > start and line.text[stop - 1] in JUNK:
        stop -= 1
    confidences = line.confidences[start:stop] if line.confidences is not None else None
    return _Candidate(line.text[start:stop], confidences, line.boxes[start:stop], line.page)


_MISREAD_LABEL_MIN = 4  # characters: a shorter label with one misread is too much like other words
_BRACKETS = str.maketrans("(《〈)》〉", "（（（）））")


@cache
def _misread_label(label: str) -> tuple[re.Pattern, ...]:
    """A long label with one of its Chinese characters misread (合计（小宇）for 合计（小写）) or
    lost (票日期 for 开票日期), followed by its colon: without one, other words a character from a
    label would pass too."""
    if sum(map(is_cjk, label)) < _MISREAD_LABEL_MIN:
        return ()
    positions = [position for position, character in enumerate(label) if is_cjk(character)]
    variants = [label_pattern(label, misread=position) for position in positions]
    variants += [label_pattern(label[:position] + label[position + 1:]) for position in positions]
    return tuple(re.compile(_NOT_LABEL_START + variant + _COLONS) for variant in variants)


def _printed_labels(lines: list[Line], labels: list[str]) -> dict[str, bool]:
    """Each label of the kind: whether it is printed, as it is, somewhere in the lines."""
    return {label: any(re.search(_NOT_LABEL_START + label_pattern(label) + _DECORATION + _SEPARATOR,
                                 line.text) for line in lines) for label in labels}


def _edits(one: str, other: str) -> int:
    """How many characters must change, be added or dropped to make one the other: 0, 1 or 2
    (for two or more)."""
    one, other = sorted((one.translate(_BRACKETS), other.translate(_BRACKETS)), key=len)
    if len(other) - len(one) > 1:
        return 2
    if len(one) == len(other):
        return min(2, sum(a != b for a, b in zip(one, other, strict=True)))
    return 1 if any(other[:n] + other[n + 1:] == one for n in range(len(other))) else 2


def _far_from_others(match: re.Match, labels: list[str], printed: dict[str, bool]) -> bool:
    """A label read with one character wrong or lost is taken only if it cannot be another
    field's label: it is not one character from another label either, or that label is printed
    as it is elsewhere (a form prints each label once: 转人医院 beside 转出医院 is 转入医院)."""
    read = re.sub(r"\s", "", match.group()).rstrip(":：;；")
    return not any(_edits(read, other) == 0 or (_edits(read, other) == 1 and not printed[other])
                   for other in printed.keys() - set(labels))


def _take(rule: dict, candidate: _Candidate, min_confidence: float) -> tuple[object, str | None]:
    """(normalised value, None) or (None, why it was not taken)."""
    ocr = candidate.confidences is not None
    lowest = candidate.lowest_confidence
    if rule["type"] == "amount" and ocr and (currency := _CURRENCY_MISREAD.match(candidate.text)):
        # The misread currency sign is no part of the value: judge the figures alone.
        lowest = min(candidate.confidences[currency.end():] or (0.0,))
    if rule["type"] in ("date", "date_range") and ocr:
        # A date is its digits: a doubtful 年, 月, 日 or 至 that still reads as a date (as it or
        # as another separator) gives the same date, and one that does not is refused below.
        digits = [c for ch, c in zip(candidate.text, candidate.confidences, strict=True) if ch.isdigit()]
        lowest = min(digits) if digits else lowest
    if ocr and lowest is not None and lowest < min_confidence:
        return None, "low_confidence"
    raw = JUNK_TOKEN.sub(" ", candidate.text).strip()
    kind = rule["type"]
    if kind == "date_range":
        parts = _RANGE_SEPARATOR.split(_RANGE_WORDS.sub("", raw), maxsplit=1)
        dates = [read_date(part) for part in parts]
        if len(dates) == 2 and all(dates):
            return dict(zip(rule["into"], dates, strict=True)), None
        return None, "not_a_date_range"
    if kind in ("text", "code"):
        compact = re.sub(r"\s+", "", raw) if kind == "code" or is_cjk(raw) else raw
        pattern = rule.get("pattern", _TEXT if kind == "text" else r"[0-9A-Za-z][0-9A-Za-z\-]*")
        if not re.fullmatch(pattern, compact) or (kind == "code" and not any(c.isdigit() for c in compact)):
            return None, "unexpected_characters"
        return compact, None
    if kind == "date":
        value = read_date(raw)
        return (value, None) if value else (None, "not_a_date")
    if kind == "amount":
        if ocr:
            raw = _TRAILING_SPECK.sub("", _MISREAD_SEPARATOR.sub(",", raw))
        value = read_amount(raw) or _amount_after_currency(raw)
        return (value, None) if value else (None, "not_an_amount")
    if kind == "capital":
        value = read_capital_amount(raw)
        return (value, None) if value else (None, "not_a_capital_amount")
    if kind == "id_number":
        number = re.sub(r"\s", "", raw).upper()
        if not re.fullmatch(r"\d{17}[\dX]", number):
            return None, "not_an_id_number"
        # On a scan a failed check digit is far more often a misread digit than a wrong number;
        # from a text layer the number is what was printed, and the referral check reports it.
        if ocr and ric.calc_check_digit(number) != number[-1]:
            return None, "check_digit"
        return number, None
    if kind == "credit_code":
        code = re.sub(r"\s", "", raw).upper()
        if not re.fullmatch(r"[0-9A-Z]{18}", code):
            return None, "not_a_credit_code"
        if ocr and not uscc.is_valid(code):
            return None, "check_digit"
        return code, None
    raise ValueError(f"unknown field type {kind!r} in {LABELS_FILE}")


_RANGE_SEPARATOR = re.compile(r"\s*(?:起\s*)?(?:至|到|—|~|－)\s*")
_RANGE_WORDS = re.compile(r"^\s*(?:自|从)\s*|\s*止\s*$")  # 自2026年1月1日起至2026年12月31日止


def _range_in_parts(rule: dict, candidate: _Candidate, min_confidence: float) -> tuple[dict, dict]:
    """A date range refused as a whole, read date by date: ({field: date} for those that read,
    {field: why not} for the others)."""
    separator = _RANGE_SEPARATOR.search(candidate.text)
    if separator is None:
        return {}, {}
    parts = [(0, separator.start()), (separator.end(), len(candidate.text))]
    taken, refused = {}, {}
    for name, (start, stop) in zip(rule["into"], parts, strict=True):
        part = _Candidate(candidate.text[start:stop], candidate.confidences[start:stop]
                          if candidate.confidences is not None else None,
                          candidate.boxes[start:stop], candidate.page)
        value, reason = _take({"type": "date"}, part, min_confidence)
        if reason is None:
            taken[name] = value
        else:
            refused[name] = reason
    return taken, refused


# tesseract's chi_sim cannot output ¥ or ￥ (they are not in its character set): it reads the sign
# as Y (or its two strokes as yY) or as some Chinese character. Only such a sign, standing where
# the sign is printed and followed by a complete amount with two decimals, is taken for it.
_CURRENCY_MISREAD = re.compile(r"(?:[Yy#]{1,2}|[\u4e00-\u9fff])\s?(?=\d)")
# On a scan the thousands separator comes out as ; or : and a speck beside it as another mark
# (4;,868.24, Y4;022.14). Marks standing exactly where a separator belongs, between a digit and
# a group of three digits that ends at another separator or the decimal point, are that one
# separator; the amount is still judged by the confidence of every character read.
_MISREAD_SEPARATOR = re.compile(r"(?<=\d)[,;:；：]{1,2}(?=\d{3}(?:[,;:；：.]|$))")
# A speck after the cents of a scanned amount reads as a full stop (275.22.): no part of it.
_TRAILING_SPECK = re.compile(r"(?<=\.\d{2})\s?[.,。]$")
_AMOUNT_WITH_CENTS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}")


def _amount_after_currency(raw: str) -> str | None:
    match = _CURRENCY_MISREAD.match(raw)
    if match and _AMOUNT_WITH_CENTS.fullmatch(raw[match.end():]):
        return read_amount(raw[match.end():])
    return None


def _invoice_extras(lines: list[Line], spec: dict, reading: FieldReading, min_confidence: float,
                    doubtful: dict[str, tuple]) -> None:
    _visit_type(lines[:6], spec["visit_type"]["values"], reading)
    labels = frozenset(label for rule in spec.values() if isinstance(rule, dict)
                       for label in rule.get("labels", ()))
    line_items(lines, spec["line_items"]["categories"], reading, min_confidence, doubtful, labels)


def _visit_type(head: list[Line], values: dict[str, str], reading: FieldReading) -> None:
    """The visit type, printed in the title or on a line of its own near it, above the labelled
    fields. A line of its own that is a visit type but for one character, and shares no character
    with any other, is that one: the vocabulary is closed, and OCR reads 门 in 门诊 as 内 or 由.
    A word forms print for itself (医院, a label) is not taken for a misread 住院."""
    found = next(((line, value) for line in head for word, value in values.items() if word in line.text),
                 None)
    for line in head if found is None else ():
        if re.search(_COLON, line.text):
            break
        word = line.text.strip(JUNK)
        if word in _printed_words():
            continue
        near = [value for option, value in values.items() if len(option) == len(word) >= 2
                and sum(a == b for a, b in zip(word, option, strict=True)) == len(word) - 1]
        if len(near) == 1 and not any(set(word) & set(option) for option, value in values.items()
                                      if value != near[0]):
            found = (line, near[0])
            break
    if found is not None:
        line, reading.fields["visit_type"] = found
        if source := rows_source([line]):
            reading.sources["visit_type"] = source
