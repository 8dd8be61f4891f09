"""Amounts a document prints that are no field's but are terms of one of its sums ([sum_terms] in
labels.toml): the medical fee bill's 个人现金支付 and its other funds' lines (其他支付, 大病保险支付).

The bill's payment identity, 合计 = 医保统筹基金支付 + 其他支付 + 个人账户支付 + 个人现金支付 (the MoF
medical fee bill, 财综〔2018〕72号, prints every payer of the total), holds on every bill that prints
those lines, while 统筹 + 账户 + 自付 + 自费 does not (the account pays part of 自付 on many, other
funds pay part of the rest). To judge it the terms that are no field are read too, after their
own labels as printed, and used only there: a sum with one of its terms printed but not read (low
confidence, no amount), with a `required` term not printed at all, or beside a payer line it does
not know, is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from archive.ocr.field_values import Candidate, take

AMOUNT = {"type": "amount"}


def read_sum_terms(specs: dict[str, dict], printed: dict[str, bool],
                   values_after: Callable[[list[str]], Iterable[Candidate]],
                   min_confidence: float, *, page_text: str = "",
                   own_labels: Iterable[str] = ()) -> dict[str, Decimal | None]:
    """Each term's amount (None: not to be judged). `specs`: term name → {labels, required,
    payer_endings}; the amounts of a term's labels printed add up. A term printed nowhere is 0
    unless `required` (then None: a bill without 个人现金支付 does not state the identity).
    `printed`: whether each label is printed as it is; `values_after(labels)`: the candidates read
    after those labels, best first. A term with `payer_endings` is not judged when `page_text`
    names another payer with an amount after it (民政救助：500.00) that is none of `own_labels`
    (the identity's field labels) nor the terms' own: that line may or may not be in the term."""
    known = {*own_labels, *(label for spec in specs.values() for label in spec["labels"])}
    terms: dict[str, Decimal | None] = {}
    for name, spec in specs.items():
        shown = [label for label in spec["labels"] if printed.get(label)
                 and not _inside_longer(label, spec["labels"], printed)]
        if not shown:
            terms[name] = None if spec.get("required") else Decimal(0)
            continue
        if _other_payers(page_text, spec.get("payer_endings", ()), known):
            terms[name] = None
            continue
        amounts = [_first_amount(values_after([label]), min_confidence) for label in shown]
        terms[name] = None if None in amounts else sum(amounts, Decimal(0))
    return terms


def _other_payers(page_text: str, endings: Iterable[str], known: set[str]) -> bool:
    """Whether the page prints an amount after a payer's name none of `known` ends (个人账户支付
    is known through 账户支付 only if listed; 大病保险：500.00 is another payer)."""
    endings = tuple(endings)
    if not endings:
        return False
    ending = "|".join(re.escape(word) for word in endings)
    pattern = re.compile(rf"([\u4e00-\u9fff]{{1,10}}(?:{ending}))\s*(?:[（(][^）)]{{0,6}}[）)])?"
                         rf"\s*[:：]?\s*[￥¥]?\s*-?\d")
    return not all(_known(match.group(1), known) for match in pattern.finditer(page_text))


def _known(name: str, known: set[str]) -> bool:
    """A payer's name is one of `known` as printed, or ends with a long one (the run of characters
    before a label can hold the end of the text before it: 元整医保统筹基金支付). A short label
    ending a longer name is another payer: 离休统筹支付 is not 统筹支付."""
    return name in known or any(name.endswith(label) for label in known if len(label) >= 6)


def _inside_longer(label: str, labels: list[str], printed: dict[str, bool]) -> bool:
    """现金支付 where 个人现金支付 is printed is the same line, counted once."""
    return any(other != label and other.endswith(label) and printed.get(other) for other in labels)


def _first_amount(candidates: Iterable[Candidate], min_confidence: float) -> Decimal | None:
    """The amount of the first candidate, if it is one read with confidence."""
    for candidate in candidates:
        value, reason = take(AMOUNT, candidate, min_confidence)
        return Decimal(value) if reason is None and value is not None else None
    return None
