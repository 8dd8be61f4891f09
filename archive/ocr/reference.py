"""Names the agency knows (storage_config/reference.toml): its designated providers, departments,
diagnoses and the drug and service catalogue. A value OCR read in doubt is taken as the name on
such a list that it is, when exactly one name is near enough to what was read.

Why it is safe: only the characters OCR itself doubted may differ (a character read with
confidence is never changed), a name differs in at most one character in three, and a name is
taken only when every other name would need clearly more doubt to explain the reading. So
县人民艾院 with 艾 in doubt is 县人民医院; 外科 with 外 in doubt is neither 外科 nor 内科; and a name not
on the list, read with confidence, is taken as read.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from functools import cache

from Levenshtein import distance

from archive.config import REPO_ROOT
from archive.ocr.charset import writable_characters
from archive.ocr.pages import LANGUAGES

REFERENCE_FILE = REPO_ROOT / "storage_config" / "reference.toml"
SURE = 90.0  # a character read at or above this confidence is what is printed
MARGIN = 0.5  # how much dearer than the cheapest every other name must be
MAX_COST = 1.0  # less doubt than one whole character: a character OCR did not see is never supplied


@cache
def _reference() -> dict:
    return tomllib.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


@cache
def names(list_name: str) -> tuple[str, ...]:
    """The names on one list: `names`, or the `name` of each of its `items`."""
    table = _reference()[list_name]
    return tuple(table["names"]) if "names" in table else tuple(item["name"] for item in table["items"])


@cache
def catalogue() -> dict[str, dict]:
    """The drug and service catalogue by name: {name: {"name", "class", "unit"?}}."""
    return {item["name"]: item for item in _reference()["catalogue"]["items"]}


def allowed_edits(name: str) -> int:
    """Characters that may differ: one per three of the name (0 for 内科, 1 for 县人民医院)."""
    return len(name) // 3


def known_name(read: str, confidences: Sequence[float] | None, list_name: str) -> str | None:
    """The one name on the list that `read` is (spaces aside; `confidences` per character, None
    for a text layer), or None.

    Making a reading into a name costs, for each character changed or dropped, its confidence
    (0–1; a character read at SURE or above cannot change, unless the name has there one the
    model cannot write: see archive/ocr/charset.py), and 1 for each character added. The
    cheapest name is taken when it costs less than MAX_COST, is within its `allowed_edits`, and
    every other name costs at least MARGIN more: 股骨颈消折 with 消 at 0 and 颈 at 0.8 is
    股骨颈骨折 (0) and not 股骨干骨折 (0.8), but with 颈 at 0.3 it is neither."""
    text, weights = _weighed(read, confidences)
    if not text:
        return None
    writable = _writable(confidences)
    costs = sorted((_cost(text, weights, name, writable), name) for name in names(list_name))
    if not costs:
        return None  # an empty list knows no name
    best, name = costs[0]
    if best >= MAX_COST or distance(text, name) > allowed_edits(name):
        return None
    return name if len(costs) == 1 or costs[1][0] >= best + MARGIN else None


def fits(read: str, confidences: Sequence[float] | None, word: str) -> bool:
    """Whether `read` can be `word` for less than MAX_COST (旦 at 80 for 日; 有目 at 49 each)."""
    text, weights = _weighed(read, confidences)
    return _cost(text, weights, word, _writable(confidences)) < MAX_COST


def _writable(confidences: Sequence[float] | None) -> frozenset[str] | None:
    """The characters the reading could have held: the OCR model's, or every one (None) for a
    text layer, which holds exactly what is printed."""
    return writable_characters(LANGUAGES) if confidences is not None else None


def _weighed(read: str, confidences: Sequence[float] | None) -> tuple[str, list[float]]:
    """The reading without spaces, and what changing each of its characters costs."""
    kept = [(ch, c) for ch, c in zip(read, confidences or (100.0,) * len(read), strict=True)
            if not ch.isspace()]
    return "".join(ch for ch, _ in kept), [c / 100 if c < SURE else math.inf for _, c in kept]


def _cost(text: str, weights: list[float], name: str, writable: frozenset[str] | None) -> float:
    """The cheapest way to make `text` into `name` (edit distance, weighted as `known_name` says).
    A character of the name the OCR model cannot write is free to stand for any one read."""
    previous = [float(j) for j in range(len(name) + 1)]  # from nothing: add every character
    for i, character in enumerate(text):
        current = [previous[0] + weights[i]]
        for j, wanted in enumerate(name):
            change = 0.0 if character == wanted or (writable and wanted not in writable) else weights[i]
            current.append(min(previous[j] + change,  # keep or change text[i]
                               previous[j + 1] + weights[i],  # drop text[i]
                               current[j] + 1.0))  # add name[j]
        previous = current
    return previous[-1]
