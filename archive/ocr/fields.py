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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from stdnum.cn import ric, uscc

from archive.ocr.normalize import read_amount, read_capital_amount, read_date

LABELS_FILE = Path(__file__).with_name("labels.toml")
FIELD_MIN_CONFIDENCE = 50.0  # an OCR value with any character below this is not taken (measured on
# the tuning seed: at 50, 2 wrong in 423 values taken; at 70, 1 in 395)
_COLON = r"[:：;；]"  # OCR reads the full-width colon as any of these
_COLONS = rf"\s*(?:{_COLON}\s*)+"
_SEPARATOR = rf"(?:{_COLONS}|\s{{2,}}|\s*$)"  # ":;" too: one colon read as two
# A wide gap ends a value, unless a range goes on after it (`2026年1月1日  至 2026年12月31日`,
# `2026年1月1  日至 2026年12月31日`).
_VALUE_END = re.compile(r"\s{2,}(?![\s至到~—－]|日\s*[至到~—－])|\t|$")
_JUNK = " _|”“\"'‘’`~^"  # what stamps, rules and paper grain become at the edges of a value
# A token of nothing but these, standing alone, is noise (a speck read as 、 or a rule as |).
_JUNK_TOKEN = re.compile(rf"(?:(?<=\s)|^)[{re.escape(_JUNK.strip())}、，。,.·]+(?=\s|$)")
_NOT_LABEL_START = r"(?<![A-Za-z0-9])"  # a label is not part of a Latin word or number
_TEXT = r"[\u4e00-\u9fff（）()·、，,0-9A-Za-z\-]{1,60}"  # a text value unless labels.toml says else


Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the page


@dataclass(frozen=True)
class Line:
    """A line of text; for OCR with the confidence of each character (None: a text layer), and
    where it is printed: per character its box on `page` (empty when not known)."""

    text: str
    confidences: tuple[float, ...] | None = None
    boxes: tuple[Box | None, ...] = ()
    page: int | None = None


@dataclass
class FieldReading:
    fields: dict = field(default_factory=dict)
    unreadable: list[dict] = field(default_factory=list)  # {"field", "read", "reason"}
    # Where each value was read (provenance): {"page": n, "boxes": [[left, top, right, bottom]]},
    # fractions of the page's width and height; a list field has a box per row.
    sources: dict = field(default_factory=dict)


@cache
def _spec() -> dict:
    return tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))


_DERIVED_LABELS = {"visit_type": "门诊/住院", "valid_from": "有效期起", "valid_to": "有效期止",
                   "line_items": "费用明细", "items": "费用明细"}


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


def read_fields(kind: str, text: str | list[Line], *,
                min_confidence: float = FIELD_MIN_CONFIDENCE) -> FieldReading:
    """The fields of one document kind, and what was seen but could not be taken."""
    spec = _spec().get(kind, {})
    rules = {name: rule for name, rule in spec.items() if isinstance(rule, dict) and "labels" in rule}
    # Another field's label, recognisable by its colon, ends a value run together with it.
    any_label = re.compile("(?:" + "|".join(_label_pattern(label) for rule in rules.values()
                                            for label in rule["labels"]) + rf")\s*{_COLON}")
    lines = _clean_lines(text)
    printed = _printed_labels(lines, [label for rule in rules.values() for label in rule["labels"]])
    reading = FieldReading()
    doubtful: dict[str, tuple] = {}  # refused for low confidence: (the value it would be, source)
    for name, rule in rules.items():
        rejected = None
        for candidate in _values_after_label(lines, rule["labels"], any_label, printed):
            value, reason = _take(rule, candidate, min_confidence)
            if reason is None:
                taken = value if isinstance(value, dict) else {name: value}
                reading.fields.update(taken)
                if (source := candidate.source()) is not None:
                    reading.sources.update(dict.fromkeys(taken, source))
                break
            if rejected is None:
                rejected = {"field": name, "read": candidate.text, "reason": reason}
                if reason == "low_confidence" and (value := _take(rule, candidate, 0.0)[0]) is not None:
                    doubtful[name] = (value, candidate.source())
        else:
            if rejected:
                reading.unreadable.append(rejected)
    if kind == "invoice":
        _invoice_extras(lines, spec, reading, min_confidence, doubtful)
    if kind == "daily_statement":
        _statement_items(lines, reading, min_confidence, doubtful)
    _corroborate(kind, reading, doubtful)
    return reading


def _corroborate(kind: str, reading: FieldReading, doubtful: dict[str, tuple]) -> None:
    """Take low-confidence values that the document confirms: the other writing of the same
    value ([corroborates] in labels.toml), or a printed sum that holds exactly ([sums]). A value
    so taken confirms others in turn, so this goes on until nothing more is confirmed."""
    pairs = _spec().get("corroborates", {}).get(kind, [])
    sums = _spec().get("sums", {}).get(kind, [])
    while True:
        confirmed = [name for names in pairs for name in _confirmed_by_pair(names, reading, doubtful)]
        confirmed += [name for rule in sums for name in _confirmed_by_sum(rule, reading, doubtful)]
        if not confirmed:
            return
        for name in dict.fromkeys(confirmed):
            reading.fields[name], source = doubtful.pop(name)
            reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
            if source is not None:
                reading.sources[name] = source


def _confirmed_by_pair(names: list[str], reading: FieldReading, doubtful: dict[str, tuple]) -> list[str]:
    """Every field of a pair read, all with the same value: the doubtful ones are confirmed."""
    values = {reading.fields[name] if name in reading.fields else doubtful.get(name, (None,))[0]
              for name in names}
    if None in values or len(values) > 1:
        return []
    return [name for name in names if name in doubtful and name not in reading.fields]


def _confirmed_by_sum(rule: dict, reading: FieldReading, doubtful: dict[str, tuple]) -> list[str]:
    """The one doubtful term of a sum whose other terms are all sure, when the sum holds."""
    terms = [rule["total"], *rule["parts"]]
    unsure = [name for name in terms if name not in reading.fields]
    if len(unsure) != 1 or unsure[0] not in doubtful:
        return []
    values = {name: _sum_term(reading.fields[name] if name in reading.fields else doubtful[name][0])
              for name in terms}
    if None in values.values() or values[rule["total"]] != sum(values[name] for name in rule["parts"]):
        return []
    return unsure


def _sum_term(value) -> Decimal | None:
    """An amount, or a list field's rows' amounts added up."""
    try:
        if isinstance(value, list):
            return sum((Decimal(row["amount"]) for row in value), Decimal(0))
        return Decimal(value)
    except (InvalidOperation, KeyError, TypeError):
        return None


def _clean_lines(text: str | list[Line]) -> list[Line]:
    if isinstance(text, str):
        return [Line(line.strip()) for line in text.splitlines() if line.strip()]
    return [line for line in text if line.text.strip()]


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


def union(boxes) -> list[float] | None:
    """The smallest box holding every known box (None: none known)."""
    known = [box for box in boxes if box is not None]
    if not known:
        return None
    return [min(b[0] for b in known), min(b[1] for b in known), max(b[2] for b in known),
            max(b[3] for b in known)]


def _rows_source(lines: list[Line]) -> dict | None:
    """A list field's provenance: one box per row, on the page of the first row."""
    boxes = [(line.page, union(line.boxes)) for line in lines]
    boxes = [(page, box) for page, box in boxes if page is not None and box is not None]
    if not boxes:
        return None
    first = boxes[0][0]
    return {"page": first, "boxes": [box for page, box in boxes if page == first]}


def _values_after_label(lines: list[Line], labels: list[str], any_label: re.Pattern,
                        printed: dict[str, bool] | None = None) -> Iterator[_Candidate]:
    """Candidate values, best label first: the rest of the line up to a wide gap or the next
    label, or the next line when the label ends its line (a value printed under its label).
    Last, after every label as printed, the labels with one character misread (see
    `_misread_label`)."""
    patterns = [re.compile(_NOT_LABEL_START + _label_pattern(label) + _SEPARATOR) for label in labels]
    patterns += [pattern for label in labels for pattern in _misread_label(label)] if printed else []
    for number, pattern in enumerate(patterns):
        for index, line in enumerate(lines):
            for match in pattern.finditer(line.text):
                if number >= len(labels) and not _far_from_others(match, labels, printed or {}):
                    continue
                start = match.end()
                rest = line.text[start:]
                end = _VALUE_END.search(rest)
                stop = start + (end.start() if end else len(rest))
                if (following := any_label.search(line.text, start)) and start < following.start() < stop:
                    stop = following.start()
                candidate = _span(line, start, stop)
                if candidate.text:
                    yield candidate
                elif not line.text[start:].strip() and index + 1 < len(lines):
                    below = lines[index + 1]
                    if not any_label.search(below.text):
                        first = _VALUE_END.search(below.text.strip())
                        candidate = _span(below, 0, len(below.text) - len(below.text.lstrip())
                                          + (first.start() if first else len(below.text)))
                        if candidate.text:
                            yield candidate


def _span(line: Line, start: int, stop: int) -> _Candidate:
    """The text between start and stop with junk trimmed from both ends, and its confidences."""
    while start < stop and line.text[start] in _JUNK:
        start += 1
    while stop > start and line.text[stop - 1] in _JUNK:
        stop -= 1
    confidences = line.confidences[start:stop] if line.confidences is not None else None
    return _Candidate(line.text[start:stop], confidences, line.boxes[start:stop], line.page)


_MISREAD_LABEL_MIN = 4  # characters: a shorter label with one misread is too much like other words
_BRACKETS = str.maketrans("(《)》", "（（））")


@cache
def _misread_label(label: str) -> tuple[re.Pattern, ...]:
    """A long label with one of its Chinese characters misread (合计（小宇）for 合计（小写）) or
    lost (票日期 for 开票日期), followed by its colon: without one, other words a character from a
    label would pass too."""
    if sum(map(_is_cjk, label)) < _MISREAD_LABEL_MIN:
        return ()
    positions = [position for position, character in enumerate(label) if _is_cjk(character)]
    variants = [_label_pattern(label, misread=position) for position in positions]
    variants += [_label_pattern(label[:position] + label[position + 1:]) for position in positions]
    return tuple(re.compile(_NOT_LABEL_START + variant + _COLONS) for variant in variants)


def _printed_labels(lines: list[Line], labels: list[str]) -> dict[str, bool]:
    """Each label of the kind: whether it is printed, as it is, somewhere in the lines."""
    return {label: any(re.search(_NOT_LABEL_START + _label_pattern(label) + _SEPARATOR, line.text)
                       for line in lines) for label in labels}


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


@cache
def _label_pattern(label: str, misread: int | None = None) -> str:
    """OCR puts spaces anywhere and mixes full- and half-width brackets: allow both. The
    character at `misread` may be any Chinese character."""
    brackets = {"（": "[（(《]", "(": "[（(《]", "）": "[）)》]", ")": "[）)》]"}  # 《》: how OCR reads some
    return r"\s*".join(r"[\u4e00-\u9fff]" if n == misread else brackets.get(ch, re.escape(ch))
                       for n, ch in enumerate(label))


def _take(rule: dict, candidate: _Candidate, min_confidence: float) -> tuple[object, str | None]:
    """(normalised value, None) or (None, why it was not taken)."""
    ocr = candidate.confidences is not None
    lowest = candidate.lowest_confidence
    if rule["type"] == "amount" and ocr and (currency := _CURRENCY_MISREAD.match(candidate.text)):
        # The misread currency sign is no part of the value: judge the figures alone.
        lowest = min(candidate.confidences[currency.end():] or (0.0,))
    if ocr and lowest is not None and lowest < min_confidence:
        return None, "low_confidence"
    raw = _JUNK_TOKEN.sub(" ", candidate.text).strip()
    kind = rule["type"]
    if kind == "date_range":
        parts = re.split(r"\s*(?:至|到|—|~|－)\s*", raw, maxsplit=1)
        dates = [read_date(part) for part in parts]
        if len(dates) == 2 and all(dates):
            return dict(zip(rule["into"], dates, strict=True)), None
        return None, "not_a_date_range"
    if kind in ("text", "code"):
        compact = re.sub(r"\s+", "", raw) if kind == "code" or _is_cjk(raw) else raw
        pattern = rule.get("pattern", _TEXT if kind == "text" else r"[0-9A-Za-z][0-9A-Za-z\-]*")
        if not re.fullmatch(pattern, compact) or (kind == "code" and not any(c.isdigit() for c in compact)):
            return None, "unexpected_characters"
        return compact, None
    if kind == "date":
        value = read_date(raw)
        return (value, None) if value else (None, "not_a_date")
    if kind == "amount":
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


# tesseract's chi_sim cannot output ¥ or ￥ (they are not in its character set): it reads the sign
# as Y or as some Chinese character. Only such a single character, standing where the sign is
# printed and followed by a complete amount with two decimals, is taken for the sign.
_CURRENCY_MISREAD = re.compile(r"(?:[Yy]|[\u4e00-\u9fff])\s?(?=\d)")
_AMOUNT_WITH_CENTS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}")


def _amount_after_currency(raw: str) -> str | None:
    match = _CURRENCY_MISREAD.match(raw)
    if match and _AMOUNT_WITH_CENTS.fullmatch(raw[match.end():]):
        return read_amount(raw[match.end():])
    return None


def _is_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _confident(line: Line, start: int, stop: int, min_confidence: float) -> bool:
    return line.confidences is None or min(line.confidences[start:stop] or (100.0,)) >= min_confidence


def _invoice_extras(lines: list[Line], spec: dict, reading: FieldReading, min_confidence: float,
                    doubtful: dict[str, tuple]) -> None:
    _visit_type(lines[:6], spec["visit_type"]["values"], reading)
    categories = spec["line_items"]["categories"]
    # OCR puts spaces inside a word (化  验费): a category is matched across them.
    category = re.compile(rf"^\s*({'|'.join(map(_label_pattern, categories))})")
    rows = _Rows()
    for line in lines:
        if not (match := category.match(line.text)):
            continue
        tail = _JUNK_TOKEN.sub(" ", line.text[match.end():]).strip(_JUNK).lstrip(":：;；").strip(_JUNK)
        amount = read_amount(tail)
        confident = _confident(line, 0, len(line.text), min_confidence)
        if amount and (confident or _one_word_fits(line, match.start(1), match.end(1), categories,
                                                   min_confidence)):
            rows.add(line, {"category": re.sub(r"\s", "", match.group(1)), "amount": amount}, confident)
        else:
            rows.unreadable.append(line.text)
    rows.give("line_items", reading, doubtful)


@dataclass
class _Rows:
    """The rows of a list field as they are read."""

    items: list[dict] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)  # read, but with low confidence

    def add(self, line: Line, item: dict, confident: bool) -> None:
        self.items.append(item)
        self.lines.append(line)
        if not confident:
            self.in_doubt.append(line.text)

    def give(self, name: str, reading: FieldReading, doubtful: dict[str, tuple]) -> None:
        """Every row read with confidence, or the list is not given: a list missing a row would
        be a wrong list. A list whose every row was read, some with low confidence, is doubtful:
        taken only if its printed total confirms it (see [sums] in labels.toml)."""
        if self.unreadable:
            reading.unreadable.append({"field": name, "read": " / ".join(self.unreadable),
                                       "reason": "row_unreadable"})
        elif self.in_doubt:
            doubtful[name] = (self.items, _rows_source(self.lines))
            reading.unreadable.append({"field": name, "read": " / ".join(self.in_doubt),
                                       "reason": "low_confidence"})
        elif self.items:
            reading.fields[name] = self.items
            if source := _rows_source(self.lines):
                reading.sources[name] = source


def _one_word_fits(line: Line, start: int, stop: int, words: list[str], min_confidence: float) -> bool:
    """The word at line[start:stop] is the only one of a closed vocabulary that fits what was read
    with confidence: characters read with low confidence may be anything."""
    confidences = line.confidences or (100.0,) * len(line.text)
    read = [line.text[i] if confidences[i] >= min_confidence else None for i in range(start, stop)
            if not line.text[i].isspace()]
    fitting = [word for word in words if len(word) == len(read)
               and all(ch is None or ch == w for ch, w in zip(read, word, strict=True))]
    return fitting == [re.sub(r"\s", "", line.text[start:stop])]


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
        word = line.text.strip(_JUNK)
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
        if source := _rows_source([line]):
            reading.sources["visit_type"] = source


# A row of the itemised table: name and spec, then unit price, quantity, amount, insurance class.
_ITEM_NUMBERS = re.compile(
    r"\s+(?P<price>\d+\.\d{2})\s+(?P<quantity>\d+(?:\.\d+)?)\s+(?P<amount>\d+\.\d{2})"
    r"(?:\s+(?P<cls>[甲乙丙]))?$")
_ITEMS_HEADER = re.compile(r"^项目\s*(?P<spec>规格)?")
_ITEMS_END = re.compile(r"合计|签字")
_SPACE_BY_CJK = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")


def _statement_items(lines: list[Line], reading: FieldReading, min_confidence: float,
                     doubtful: dict[str, tuple]) -> None:
    """Rows of the itemised table (name, spec, unit price, quantity, amount, insurance class):
    every line between the table's header and its total is a row, and all must read. A row read
    with low confidence in its figures is taken when they agree (price × quantity = amount), and
    the table only when its rows add up to the day's total."""
    header = next((i for i, line in enumerate(lines) if _ITEMS_HEADER.match(line.text)), None)
    body = lines[header + 1:] if header is not None else lines
    has_spec = header is not None and _ITEMS_HEADER.match(lines[header].text)["spec"] is not None
    rows = _Rows()
    for line in body:
        if header is not None and _ITEMS_END.search(line.text):
            break
        item, confident = _item_row(line, has_spec, min_confidence)
        if item is not None:
            rows.add(line, item, confident)
        elif header is not None:
            rows.unreadable.append(line.text)
    rows.give("items", reading, doubtful)


def _item_row(line: Line, has_spec: bool, min_confidence: float) -> tuple[dict | None, bool]:
    """(the row's item, read with confidence throughout) or (None, False) when it does not read."""
    numbers = _ITEM_NUMBERS.search(line.text)
    if numbers is None:
        return None, False
    cells = _item_cells(line.text[:numbers.start()])
    if cells is None or (has_spec and len(cells) < 2) or not _is_cjk(line.text[slice(*cells[0])]):
        # With a spec column, a row of one text cell is a spec run into the name: not to be split.
        return None, False
    name, spec = [*(_SPACE_BY_CJK.sub("", line.text[start:stop]) for start, stop in cells), None][:2]
    item = {"name": name, "spec": spec, "unit_price": read_amount(numbers["price"]),
            "quantity": numbers["quantity"], "amount": read_amount(numbers["amount"]),
            "insurance_class": numbers["cls"]}
    item = {k: v for k, v in item.items() if v is not None}
    if _confident(line, 0, len(line.text), min_confidence):
        return item, True
    # Doubtful figures confirm one another; words and the class nothing can confirm.
    words = [*cells, numbers.span("cls") if numbers["cls"] else (0, 0)]
    agree = Decimal(numbers["price"]) * Decimal(numbers["quantity"]) == Decimal(numbers["amount"])
    if agree and all(_confident(line, start, stop, min_confidence) for start, stop in words):
        return item, False
    return None, False


def _item_cells(text: str) -> list[tuple[int, int]] | None:
    """Spans of the name and spec cells: cells are parted by wide gaps, or (none wide) by the one
    space between a name and its spec; None when that does not give one or two cells."""
    cells = [match.span() for match in re.finditer(r"\S+(?:\s\S+)*", text)]
    if len(cells) == 1:
        words = [match.span() for match in re.finditer(r"\S+", text)]
        cells = words if len(words) == 2 else cells
    return cells if 1 <= len(cells) <= 2 else None
