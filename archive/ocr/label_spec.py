"""The label rules (archive/ocr/labels.toml): what each kind's fields are called, which fields a
kind must carry, and the kind a text is by its title or its labels."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from archive.ocr.lines import FieldReading

LABELS_FILE = Path(__file__).with_name("labels.toml")
COLON = r"[:：;；]"  # OCR reads the full-width colon as any of these
SHARED_LABEL_MIN = 4


@cache
def label_rules() -> dict:
    return tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))


_DERIVED_LABELS = {"visit_type": "门诊/住院", "valid_from": "有效期起", "valid_to": "有效期止",
                   "line_items": "费用明细", "items": "费用明细", "qr_codes": "二维码",
                   "days": "逐日清单"}


def field_label(kind: str | None, name: str) -> str:
    """The printed (Chinese) label of a field, for showing it to reviewers."""
    rule = label_rules().get(kind or "", {}).get(name)
    if isinstance(rule, dict) and rule.get("labels"):
        return rule["labels"][0]
    return _DERIVED_LABELS.get(name, name)


def missing_fields(kind: str | None, reading: FieldReading) -> list[str]:
    """Fields every document of `kind` carries that were neither read nor seen unreadable."""
    seen = {name for item in reading.unreadable for name in fields_of(kind, item["field"])}
    return [name for name in label_rules().get("required", {}).get(kind or "", [])
            if name not in reading.fields and name not in seen]


def fields_of(kind: str | None, name: str) -> list[str]:
    """The fields a labelled value fills: its own name, or those of a range (`validity` →
    `valid_from`, `valid_to`)."""
    rule = label_rules().get(kind or "", {}).get(name)
    return rule.get("into", [name]) if isinstance(rule, dict) else [name]


def guess_kind(text: str) -> str | None:
    """The kind by its printed title; when the title is not readable (a stamp, a fold, OCR
    dropping a character), by the kind whose own field labels the text shows most, if at least
    two and more than any other kind's."""
    head = re.sub(r"\s", "", text[:400])
    for kind, titles in label_rules()["kinds"].items():
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
    return re.compile(rf"(?<![\u4e00-\u9fff]){re.escape(label)}\s*{COLON}")


@cache
def field_rules(kind: str) -> dict[str, dict]:
    """The labelled fields of a kind. A field another kind's form also carries (the same name and
    type: 医保编号 on a bill and on a referral) is read by that form's labels too, after its own:
    a label means the same field whichever form prints it. Only labels of SHARED_LABEL_MIN Chinese
    characters or more, without brackets: a short one (医院, 合计) is also a word of other labels and
    values there. Never a label this kind gives another field of its own: a bill's 合计金额 is its
    total, a VAT invoice's the amount before tax, and one printed value read as both fills a
    field the document does not state."""
    spec = label_rules()
    own = {name: rule for name, rule in spec.get(kind, {}).items()
           if isinstance(rule, dict) and "labels" in rule}
    taken = {label for rule in own.values() for label in rule["labels"]}
    rules = {}
    for name, rule in own.items():
        labels = list(rule["labels"])
        for other in spec["kinds"]:
            theirs = spec.get(other, {}).get(name)
            if other != kind and isinstance(theirs, dict) and theirs.get("type") == rule["type"]:
                labels += [label for label in theirs.get("labels", ()) if label not in labels
                           and label not in taken
                           and re.fullmatch(rf"[\u4e00-\u9fff]{{{SHARED_LABEL_MIN},}}", label)]
        labels += [variant for variant in _variants(rule["type"], labels) if variant not in taken
                   and variant not in labels]
        rules[name] = {**rule, "labels": labels}
    return rules


def _variants(kind_of_value: str, labels: list[str]) -> list[str]:
    """The labels in the other wordings of their head word ([label_variants]): 收费时间 for
    收费日期, 个人自付金额 for 个人自付. Chinese labels only (not 合计（小写）)."""
    variants = label_rules().get("label_variants", {})
    plain = [label for label in labels if re.fullmatch(r"[\u4e00-\u9fff]{2,}", label)]
    if kind_of_value == "date":
        return [label[:-len(word)] + other for label in plain
                for word, other in variants.get("date", {}).items() if label.endswith(word)]
    suffix = variants.get("amount_suffix")
    if kind_of_value == "amount" and suffix:
        return [label + suffix for label in plain if "金额" not in label and not label.endswith(("额", "写"))]
    return []


@cache
def printed_words() -> frozenset[str]:
    """Every label and document title of every kind: words a form prints for what they are."""
    spec = label_rules()
    labels = {label for kind in spec["kinds"] for rule in spec.get(kind, {}).values()
              if isinstance(rule, dict) for label in rule.get("labels", ())}
    labels |= {label for others in spec.get("other_labels", {}).values() for label in others}
    return frozenset(labels.union(*spec["kinds"].values()))


@cache
def _distinctive_labels() -> dict[str, frozenset[str]]:
    """Each kind's field labels that no other kind prints."""
    labels = {kind: {label for rule in label_rules().get(kind, {}).values()
                     if isinstance(rule, dict) for label in rule.get("labels", ())}
              for kind in label_rules()["kinds"]}
    return {kind: frozenset(own - set().union(*(other for k, other in labels.items() if k != kind)))
            for kind, own in labels.items()}


def correctable_fields(kind: str | None) -> dict[str, str]:
    """The fields of a kind a person may correct, with their types: every labelled field (the
    two dates of a range each on its own), and an invoice's visit type. Lists are not."""
    fields = {}
    for name, rule in label_rules().get(kind or "", {}).items():
        if isinstance(rule, dict) and "labels" in rule:
            if rule["type"] == "date_range":
                fields.update(dict.fromkeys(rule["into"], "date"))
            else:
                fields[name] = rule["type"]
    if kind == "invoice":
        fields["visit_type"] = "visit_type"
    return fields
