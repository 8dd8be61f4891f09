"""Fields of a document, read by their printed labels (archive/ocr/labels.toml).

A value is the text after a label and its colon, up to the next gap of two or more spaces or
the end of the line; then it is normalised by the field's type. A value that does not
normalise is left out: a field is absent rather than invented.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from archive.ocr.normalize import parse_amount, parse_capital_amount, parse_date

LABELS_FILE = Path(__file__).with_name("labels.toml")
_SEPARATOR = r"\s*[:：]?\s*"
_VALUE_END = re.compile(r"\s{2,}|\t|$")


@cache
def _spec() -> dict:
    return tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))


_DERIVED_LABELS = {"visit_type": "门诊/住院", "valid_from": "有效期起", "valid_to": "有效期止",
                   "line_items": "费用明细"}


def field_label(kind: str | None, name: str) -> str:
    """The printed (Chinese) label of a field, for showing it to reviewers."""
    rule = _spec().get(kind or "", {}).get(name)
    if isinstance(rule, dict) and rule.get("labels"):
        return rule["labels"][0]
    return _DERIVED_LABELS.get(name, name)


def guess_kind(text: str) -> str | None:
    head = re.sub(r"\s", "", text[:400])
    for kind, titles in _spec()["kinds"].items():
        if any(title in head for title in titles):
            return kind
    return None


def extract_fields(kind: str, text: str) -> dict:
    spec = _spec().get(kind, {})
    rules = {name: rule for name, rule in spec.items() if isinstance(rule, dict) and "labels" in rule}
    # Another field's label, recognisable by its colon, ends a value run together with it.
    any_label = re.compile("(?:" + "|".join(_label_pattern(label) for rule in rules.values()
                                            for label in rule["labels"]) + r")\s*[:：]")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fields: dict = {}
    for name, rule in rules.items():
        for raw in _values_after_label(lines, rule["labels"], any_label):
            if rule["type"] == "date_range":
                dates = [parse_date(part) for part in re.split(r"至|到|—|~|－", raw, maxsplit=1)]
                if len(dates) == 2 and all(dates):
                    fields.update(zip(rule["into"], dates, strict=True))
                    break
                continue
            value = _normalise(rule["type"], raw)
            if value is not None:
                fields[name] = value
                break
    if kind == "invoice":
        fields.update(_invoice_extras(lines, spec))
    if kind == "daily_statement" and (items := _statement_items(lines)):
        fields["items"] = items
    return fields


_ITEM_ROW = re.compile(
    r"^(?P<name>\S+)\s+(?:(?P<spec>\S+)\s+)?(?P<price>\d+\.\d{2})\s+(?P<quantity>\d+(?:\.\d+)?)\s+"
    r"(?P<amount>\d+\.\d{2})(?:\s+(?P<cls>[甲乙丙]))?$")


def _statement_items(lines: list[str]) -> list[dict]:
    """Rows of the itemised table: name, spec, unit price, quantity, amount, insurance class."""
    items = []
    for line in lines:
        row = _ITEM_ROW.match(line)
        if not row:
            continue
        item = {"name": row["name"], "spec": row["spec"], "unit_price": parse_amount(row["price"]),
                "quantity": row["quantity"], "amount": parse_amount(row["amount"]),
                "insurance_class": row["cls"]}
        items.append({k: v for k, v in item.items() if v is not None})
    return items


def _values_after_label(lines: list[str], labels: list[str], any_label: re.Pattern) -> Iterator[str]:
    """Candidate values, best label first: the rest of the line up to a wide gap or the next
    label, or the next line when the value is printed under its label."""
    for label in labels:
        pattern = re.compile(_label_pattern(label) + _SEPARATOR)
        for index, line in enumerate(lines):
            for match in pattern.finditer(line):
                rest = line[match.end():]
                end = _VALUE_END.search(rest)
                value = rest[: end.start()] if end else rest
                if (following := any_label.search(value)) and following.start() > 0:
                    value = value[: following.start()]
                value = value.strip(" _|”“\"'")
                if not value and index + 1 < len(lines):
                    value = _VALUE_END.split(lines[index + 1])[0].strip()
                if value:
                    yield value


@cache
def _label_pattern(label: str) -> str:
    """OCR puts spaces anywhere and mixes full- and half-width brackets: allow both."""
    brackets = {"（": "[（(]", "(": "[（(]", "）": "[）)]", ")": "[）)]"}
    return r"\s*".join(brackets.get(ch, re.escape(ch)) for ch in label)


def _normalise(kind: str, raw: str):
    if kind == "text":
        return raw or None
    if kind == "code":
        code = re.match(r"[0-9A-Za-z][0-9A-Za-z\-]*", raw.strip())
        return code.group() if code and any(c.isdigit() for c in code.group()) else None
    if kind == "date":
        return parse_date(raw)
    if kind == "amount":
        return parse_amount(raw)
    if kind == "capital":
        return parse_capital_amount(raw)
    if kind == "id_number":
        candidate = raw.replace(" ", "").upper()
        return candidate if re.fullmatch(r"\d{17}[\dX]", candidate) else None
    if kind == "credit_code":
        candidate = raw.replace(" ", "").upper()
        return candidate if re.fullmatch(r"[0-9A-Z]{18}", candidate) else None
    raise ValueError(f"unknown field type {kind!r} in {LABELS_FILE}")


def _invoice_extras(lines: list[str], spec: dict) -> dict:
    extras: dict = {}
    head = "".join(lines[:6])
    if "住院" in head:
        extras["visit_type"] = "inpatient"
    elif "门诊" in head:
        extras["visit_type"] = "outpatient"
    categories = spec["line_items"]["categories"]
    item = re.compile(rf"^({'|'.join(map(re.escape, categories))}){_SEPARATOR}([￥¥]?[\d,]+\.\d{{2}})")
    items = []
    for line in lines:
        match = item.match(line)
        if match and (amount := parse_amount(match.group(2))):
            items.append({"category": match.group(1), "amount": amount})
    if items:
        extras["line_items"] = items
    return extras

