"""A pre-printed form's fields read apart (its two inks: archive.ocr.two_inks) taken only where
a second reading or the document itself confirms them.

Read apart, a dot-matrix figure whose strokes the separation cut reads as another digit, with
the engine's full confidence (统筹支付 4652.72 read 4552.72), and a value may land after the next
label on the merged line. Neither shows in the reading apart itself. So the page is also read
whole, with both inks, as any other page is (`PageText.whole`), and each field of the two
readings is judged:

- both readings give the same value: taken;
- a value one of them gives is confirmed by the document: the other writing of the same value
  ([corroborates]: 合计 in figures and in capitals) gives it too, or a printed sum of fields
  ([sums]) holds to the cent with it and with every other term already taken — the one term in
  question, for two terms in doubt may be two values swapped or two misreads that cancel out —,
  or it is what the case states ([case_facts]): taken;
- the page read whole gives a value the reading apart does not: taken, as on any page;
- otherwise (the readings disagree, or the value was read apart only): absent, and a person is
  asked to read it (reason `not_confirmed`).
"""

from __future__ import annotations

from decimal import Decimal

from archive.ocr.corroboration import sum_term
from archive.ocr.lines import FieldReading

NOT_CONFIRMED = "not_confirmed"


def confirmed_apart(apart: FieldReading, whole: FieldReading, *, pairs: list[list[str]],
                    sums: list[dict], fields: set[str], known: dict[str, str] | None = None) -> FieldReading:
    """One reading of the page from `apart` (read in two inks) and `whole` (read with both),
    each value taken as the module says; `fields`: the kind's field names (a sum with a term that
    is none, read only to judge the sum, confirms nothing here)."""
    known = {name: value for name, value in (known or {}).items() if value}
    names = list(dict.fromkeys([*apart.fields, *whole.fields]))
    taken = {name: apart.fields[name] for name in names
             if name in apart.fields and whole.fields.get(name) == apart.fields[name]}
    open_: dict[str, list] = {name: _values(name, apart, whole) for name in names if name not in taken}
    sums = [rule for rule in sums if {rule["total"], *rule["parts"]} <= fields]
    while True:
        confirmed = {}
        for name, values in open_.items():
            good = {repr(value): value for value in values
                    if _confirms(name, value, pairs, sums, taken, open_, known)}
            if len(good) == 1:  # (two values each confirmed: neither is)
                confirmed[name] = next(iter(good.values()))
        if not confirmed:
            break
        for name, value in confirmed.items():
            taken[name] = value
            del open_[name]
    reading = FieldReading(matched=[item for item in apart.matched if item["field"] in taken])
    for name in names:
        if name in taken:
            reading.fields[name] = taken[name]
            read = apart if apart.fields.get(name) == taken[name] else whole
            source = read.sources.get(name)
            if source is not None:
                reading.sources[name] = source
        elif name not in apart.fields:  # read whole only: as on any page
            reading.fields[name] = whole.fields[name]
            if name in whole.sources:
                reading.sources[name] = whole.sources[name]
            reading.matched += [item for item in whole.matched if item["field"] == name]
        else:
            reading.unreadable.append({"field": name, "read": _shown(apart.fields[name]),
                                       "reason": NOT_CONFIRMED})
    reading.unreadable += [item for item in apart.unreadable
                           if item["field"] not in reading.fields
                           and item["field"] not in {i["field"] for i in reading.unreadable}]
    return reading


def _values(name: str, apart: FieldReading, whole: FieldReading) -> list:
    return [reading.fields[name] for reading in (apart, whole) if name in reading.fields]


def _confirms(name: str, value, pairs, sums, taken, open_, known) -> bool:
    return (known.get(name) == value or _by_pair(name, value, pairs, taken, open_)
            or _by_sum(name, value, sums, taken))


def _by_pair(name: str, value, pairs: list[list[str]], taken: dict, open_: dict) -> bool:
    """The other writing of the value, taken or read (in either reading), is the same."""
    for pair in pairs:
        if name in pair:
            others = [other for other in pair if other != name]
            if others and all(taken.get(other) == value or value in open_.get(other, [])
                              for other in others):
                return True
    return False


def _by_sum(name: str, value, sums: list[dict], taken: dict) -> bool:
    """A sum of fields holds exactly with `value` and every other term taken."""
    for rule in sums:
        terms = [rule["total"], *rule["parts"]]
        if name not in terms or not all(term in taken for term in terms if term != name):
            continue
        amounts = {term: sum_term(value if term == name else taken[term]) for term in terms}
        if None in amounts.values():
            continue
        if amounts[rule["total"]] == sum((amounts[part] for part in rule["parts"]), Decimal(0)):
            return True
    return False


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "；".join(" ".join(str(v) for v in row.values()) if isinstance(row, dict) else str(row)
                        for row in value)
    return str(value)
