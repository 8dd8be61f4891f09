"""Doubtful values confirmed by the document itself ([corroborates] and [sums] in labels.toml) or
by what its case already states ([case_facts])."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from archive.ocr.lines import FieldReading


def corroborate(reading: FieldReading, doubtful: dict[str, tuple], *, pairs: list[list[str]],
                sums: list[dict], known: dict[str, str] | None = None) -> None:
    """Take low-confidence values that are confirmed: by the other writing of the same value
    ([corroborates] in labels.toml), by a printed sum that holds exactly ([sums]), or by being
    exactly what the case states (`known`, from [case_facts]). A value so taken confirms others
    in turn, so this goes on until nothing more is confirmed."""
    known = known or {}
    while True:
        confirmed = [name for name, value in known.items()
                     if name in doubtful and doubtful[name][0] == value]
        confirmed += [name for names in pairs for name in _confirmed_by_pair(names, reading, doubtful)]
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
    values = {name: sum_term(reading.fields[name] if name in reading.fields else doubtful[name][0])
              for name in terms}
    if None in values.values() or values[rule["total"]] != sum(values[name] for name in rule["parts"]):
        return []
    return unsure


def sum_term(value) -> Decimal | None:
    """An amount, or a list field's rows' amounts added up."""
    try:
        if isinstance(value, list):
            return sum((Decimal(row["amount"]) for row in value), Decimal(0))
        return Decimal(value)
    except (InvalidOperation, KeyError, TypeError):
        return None
