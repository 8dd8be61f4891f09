"""Amounts a document prints that are no field's but are terms of one of its sums ([sum_terms] in
labels.toml): the medical fee bill's 个人现金支付 and its other funds' lines (其他支付, 大病保险支付).

The bill's payment identity, 合计 = 医保统筹基金支付 + 其他支付 + 个人账户支付 + 个人现金支付 (the MoF
medical fee bill, 财综〔2018〕72号, prints every payer of the total), holds on every bill that prints
those lines, while 统筹 + 账户 + 自付 + 自费 does not (the account pays part of 自付 on many, other
funds pay part of the rest). To judge it the terms that are no field are read too, after their
own labels as printed, and used only there: a sum with one of its terms printed but not read (low
confidence, no amount), or with a `required` term not printed at all, is not judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from archive.ocr.field_values import Candidate, take

AMOUNT = {"type": "amount"}


def read_sum_terms(specs: dict[str, dict], printed: dict[str, bool],
                   values_after: Callable[[list[str]], Iterable[Candidate]],
                   min_confidence: float) -> dict[str, Decimal | None]:
    """Each term's amount (None: not to be judged). `specs`: term name → {labels, required}; a
    term's labels are each a line of its own, and the amounts of those printed add up (一 bill
    prints 其他支付, another 大病保险支付 and 医疗救助支付). A term printed nowhere is 0 unless
    `required` (then None: a bill without 个人现金支付 does not state the identity); a term whose
    `overall` line (其他支付) is printed beside another of its lines is not judged either: bills
    differ on whether the overall line includes the others. `printed`:
    whether each label is printed as it is; `values_after(labels)`: the candidates read after
    those labels, best first."""
    terms: dict[str, Decimal | None] = {}
    for name, spec in specs.items():
        shown = [label for label in spec["labels"] if printed.get(label)
                 and not _inside_longer(label, spec["labels"], printed)]
        if not shown:
            terms[name] = None if spec.get("required") else Decimal(0)
            continue
        if len(shown) > 1 and set(shown) & set(spec.get("overall", ())):
            terms[name] = None  # 其他支付 may already hold the 大病保险 printed beside it, or not
            continue
        amounts = [_first_amount(values_after([label]), min_confidence) for label in shown]
        terms[name] = None if None in amounts else sum(amounts, Decimal(0))
    return terms


def _inside_longer(label: str, labels: list[str], printed: dict[str, bool]) -> bool:
    """现金支付 where 个人现金支付 is printed is the same line, counted once."""
    return any(other != label and other.endswith(label) and printed.get(other) for other in labels)


def _first_amount(candidates: Iterable[Candidate], min_confidence: float) -> Decimal | None:
    """The amount of the first candidate, if it is one read with confidence."""
    for candidate in candidates:
        value, reason = take(AMOUNT, candidate, min_confidence)
        return Decimal(value) if reason is None and value is not None else None
    return None
