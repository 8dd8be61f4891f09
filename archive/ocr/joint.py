"""Values chosen together under the document's own constraints.

Reading field by field takes, for each, the first label's value that checks out. A form may print
a label twice (合计 under the items and 合计 in the fund block), or a value run together with a
neighbour may still check out as a value of its type. When the values taken break a constraint
the document states — a total is the sum of its parts ([sums] in labels.toml), the capital amount
states the figures ([corroborates]), dates come in order ([order]) — and exactly one other value
read for exactly one of those fields makes the constraint hold, that value is the one printed for
it. Nothing is worked out: only values read after the field's own label are chosen from, and a
constraint no single read value repairs is left broken for the checks to report from a text layer;
on a page read by OCR its values are refused instead (`refuse_broken_sums`,
`refuse_dates_out_of_order`): a printed document's sums hold, so a broken one holds a misread, and
a wrong amount may be paid where an absent one is read by a person. On such a page a sum with a
list among its terms (a table's rows) is never repaired, in either direction: a misread list would
pick, of the figures read after the total's label, the one that is its own sum (a page subtotal
under 合计) and stand confirmed by a total it chose.
"""

from __future__ import annotations

from decimal import Decimal

from archive.ocr.corroboration import sum_term
from archive.ocr.lines import FieldReading

# value and its provenance (None: unknown), as read for a field besides the one taken
Alternative = tuple[object, dict | None]


def constrained_fields(*, pairs: list[list[str]], sums: list[dict], order: list[list[str]]) -> set[str]:
    """The fields a constraint of the document relates."""
    fields = {name for pair in pairs for name in pair} | {name for pair in order for name in pair}
    return fields | {name for rule in sums for name in (rule["total"], *rule["parts"])}


def choose_jointly(reading: FieldReading, alternatives: dict[str, list[Alternative]], *,
                   pairs: list[list[str]], sums: list[dict], order: list[list[str]],
                   by_ocr: bool = False) -> list[str]:
    """Replace taken values by other values read for the same field where that alone makes a
    broken constraint hold; returns the fields replaced. Each constraint is tried once, in order
    (sums, pairs, dates), with the values chosen so far. `by_ocr`: the page was read by OCR, so a
    sum of a list (see the module's doc) is left broken for `refuse_broken_sums`."""
    checks = ([(_sum_holds, rule, [rule["total"], *rule["parts"]]) for rule in sums]
              + [(_pair_holds, pair, pair) for pair in pairs]
              + [(_order_holds, pair, pair) for pair in order])
    replaced = []
    for holds, rule, names in checks:
        values = {name: reading.fields.get(name) for name in names}
        if None in values.values() or holds(rule, values):
            continue
        if by_ocr and holds is _sum_holds and any(isinstance(value, list) for value in values.values()):
            continue
        repairs = [(name, value, source) for name in names for value, source in alternatives.get(name, [])
                   if holds(rule, {**values, name: value})]
        if len({(name, str(value)) for name, value, _ in repairs}) != 1:
            continue  # none, or more than one way: the reading cannot tell which was printed
        name, value, source = repairs[0]
        alternatives[name] = [(reading.fields[name], reading.sources.get(name)),
                              *[(v, s) for v, s in alternatives[name] if v != value]]
        reading.fields[name] = value
        if source is not None:
            reading.sources[name] = source
        else:
            reading.sources.pop(name, None)
        replaced.append(name)
    return replaced


def refuse_contradicted(reading: FieldReading, *, pairs: list[list[str]], sums: list[dict]) -> list[str]:
    """Refuse a value two of the document's constraints contradict while agreeing with each other:
    a total that is neither the sum of its parts nor its capital amount, when those two are the
    same amount, was read from something else (a neighbouring cell, another figure). It is left
    absent and reported (`contradicted`), not replaced: the value the constraints imply is not
    read after its label. Returns the fields refused."""
    implied: dict[str, list[Decimal]] = {}
    for rule in sums:
        parts = [sum_term(reading.fields.get(name)) for name in rule["parts"]]
        if rule["total"] in reading.fields and None not in parts:
            implied.setdefault(rule["total"], []).append(sum(parts, Decimal(0)))
    for pair in pairs:
        for name in pair:
            others = [sum_term(reading.fields.get(other)) for other in pair if other != name]
            if name in reading.fields and len(others) == 1 and others[0] is not None:
                implied.setdefault(name, []).append(others[0])
    refused = []
    for name, values in implied.items():
        read = sum_term(reading.fields[name])
        if len(values) >= 2 and len(set(values)) == 1 and read is not None and read != values[0]:
            refused.append(name)
    for name in refused:
        value = reading.fields.pop(name)
        reading.unreadable.append({"field": name, "read": str(value), "reason": "contradicted"})
        reading.sources.pop(name, None)
    return refused


def refuse_disagreeing_writings(reading: FieldReading, *, pairs: list[list[str]], sums: list[dict],
                                terms: dict[str, Decimal | None] | None = None) -> list[str]:
    """On a page read by OCR, the two writings of one amount ([corroborates]: figures and capital
    characters) that still disagree after the joint choice: one of them is misread. The writing a
    sum of the document upholds (the parts read add up to it exactly) is kept, the other refused;
    when no sum tells them apart, both are refused. Either way what is refused is left absent and
    reported (`contradicted`), so a person reads it, rather than one wrong value standing. (From a
    text layer both are what was printed, and the checks report the mismatch as the document's.)
    `terms`: a sum's terms that are no field (see `refuse_broken_sums`). Returns the fields refused."""
    refused = []
    for pair in pairs:
        values = {name: sum_term(reading.fields.get(name)) for name in pair}
        if None in values.values() or len(set(values.values())) == 1:
            continue
        upheld = [name for name in pair if any(_upholds(rule, name, reading, terms) for rule in sums)]
        refused += [name for name in pair if name not in upheld] if len(upheld) < len(pair) else []
    for name in dict.fromkeys(refused):
        value = reading.fields.pop(name)
        reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
        reading.unreadable.append({"field": name, "read": str(value), "reason": "contradicted"})
        reading.sources.pop(name, None)
    return refused


def refuse_dates_out_of_order(reading: FieldReading, *, order: list[list[str]]) -> list[str]:
    """On a page read by OCR, two dates the document prints in order ([order]) read the other way
    round after the joint choice: one of them is misread (a 0 read as 8, a 1 as 7), and nothing
    says which. Both are refused (`contradicted`, absent and reported). Returns the fields refused."""
    refused = [name for pair in order if all(reading.fields.get(name) for name in pair)
               and not _order_holds(pair, {name: reading.fields[name] for name in pair}) for name in pair]
    return _refuse(reading, refused)


def refuse_broken_sums(reading: FieldReading, *, pairs: list[list[str]], sums: list[dict],
                       terms: dict[str, Decimal | None] | None = None) -> list[str]:
    """On a page read by OCR, a sum of the document ([sums]) that still does not hold after the
    joint choice, with every term read: at least one term is misread, and nothing on the page
    says which. Every term is refused (`contradicted`, absent and reported) but those another
    constraint upholds: the other writing of the same amount ([corroborates]) or another sum that
    holds exactly with it. A `partial` sum (one a document may print other terms of) is never
    judged so. `terms`: the amounts of a sum's terms that are no field ([sum_terms], read by
    `sum_terms.read_sum_terms`; None: printed but not read), never refused themselves. (A printed
    document's sums hold; from a text layer the values are what was printed, and the checks
    report the mismatch as the document's.) Returns the fields refused."""
    terms = terms or {}
    refused = []
    for rule in sums:
        names = [rule["total"], *rule["parts"]]
        values = {name: terms[name] if name in terms else reading.fields.get(name) for name in names}
        if rule.get("partial") or any(sum_term(value) is None for value in values.values()) or _sum_holds(
                rule, values):
            continue
        refused += [name for name in names if name not in terms
                    and not _upheld_elsewhere(name, rule, reading, pairs, sums, terms)]
    return _refuse(reading, refused)


def _refuse(reading: FieldReading, names: list[str]) -> list[str]:
    """Takes `names` out of the reading as `contradicted` (absent, reported with what was read)."""
    for name in dict.fromkeys(names):
        value = reading.fields.pop(name)
        reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
        reading.unreadable.append({"field": name, "read": _shown(value), "reason": "contradicted"})
        reading.sources.pop(name, None)
    return list(dict.fromkeys(names))


def _upheld_elsewhere(name: str, broken: dict, reading: FieldReading, pairs: list[list[str]],
                      sums: list[dict], terms: dict[str, Decimal | None]) -> bool:
    """Whether a constraint other than the `broken` sum confirms field `name` as read."""
    for pair in pairs:
        others = [reading.fields.get(other) for other in pair if other != name]
        if name in pair and others and all(sum_term(other) is not None and sum_term(other)
                                           == sum_term(reading.fields[name]) for other in others):
            return True
    return any(rule is not broken and _upholds(rule, name, reading, terms) for rule in sums)


def _shown(value: object) -> str:
    """A refused value as the reviewers see what was read: a list by its rows' amounts."""
    if isinstance(value, list):
        return " + ".join(str(row.get("amount")) for row in value if isinstance(row, dict))
    return str(value)


def _upholds(rule: dict, name: str, reading: FieldReading,
             terms: dict[str, Decimal | None] | None = None) -> bool:
    """Whether sum `rule` names field `name` and holds exactly with every one of its terms read
    (`terms`: those that are no field, see `refuse_broken_sums`)."""
    terms = terms or {}
    names = [rule["total"], *rule["parts"]]
    values = {term: terms[term] if term in terms else reading.fields.get(term) for term in names}
    if name not in names or any(sum_term(value) is None for value in values.values()):
        return False
    return _sum_holds(rule, values)


def _sum_holds(rule: dict, values: dict) -> bool:
    amounts = {name: sum_term(value) for name, value in values.items()}
    if None in amounts.values():
        return True  # not a sum of amounts to judge
    return amounts[rule["total"]] == sum((amounts[name] for name in rule["parts"]), Decimal(0))


def _pair_holds(_pair: list[str], values: dict) -> bool:
    return len({str(value) for value in values.values()}) == 1


def _order_holds(pair: list[str], values: dict) -> bool:
    return str(values[pair[0]]) <= str(values[pair[1]])  # ISO dates order as strings
