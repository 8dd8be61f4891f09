"""Conditions on case fields: a tiny, safe expression language (no `eval`).

A condition is a list of clauses that must all hold (AND). Each clause is an inline table

    { field = "amount", op = ">=", value = 20000 }
    { field = "claim_type", op = "in", value = ["inpatient", "trauma"] }
    { field = "amount", op = ">=", value = { limit = "large_claim_yuan" } }

- `field` is one of `CASE_FIELDS` below (unknown fields are refused when a definition loads).
- `op` is one of `==`, `!=` (every type), `<`, `<=`, `>`, `>=` (numbers), `in`, `not_in`
  (text, with a list of values).
- `value` is a literal of the field's type, or `{ limit = NAME }`: a number from the
  `[limits]` table of `storage_config/workflow.toml` (thresholds are configuration, not code).
- A clause on an empty field (an amount nobody entered yet) is unknown, and so is a condition
  none of whose clauses is false but one is unknown (`evaluate` returns None). An unknown value
  never takes the lenient branch: a step's condition that is unknown runs the step, or — with
  `if_unknown = "block"` on the step — refuses to send the case on until the field is filled in
  (archive.signoff.steps, archive.workflows.engine.submit). A chain's start_when unknown
  for a case stops the search for its chain (archive.signoff.definitions.Registry.route): the
  case is not sent on until the field is filled in, rather than falling through to a chain
  tried later. Deadline rules test fields that are always set; there unknown counts as false
  (`holds`). An empty list of clauses is always true.
OR between values of one field is `in`; a step that needs OR between fields is two steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from archive.models.cases import CLAIM_TYPES, FILERS


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # "text", "number", "flag"
    choices: tuple[str, ...] = ()


# The case fields a definition may test, and how (attribute names of archive.models.Case).
CASE_FIELDS: dict[str, FieldSpec] = {
    "claim_type": FieldSpec("text", CLAIM_TYPES),
    "amount": FieldSpec("number"),  # claimed amount in yuan (申报金额)
    "out_of_county": FieldSpec("flag"),  # treated outside the county (县外就医)
    "designated_provider": FieldSpec("flag"),  # treated at a designated provider (定点)
    "township": FieldSpec("text"),
    # Who files the claim: "insured" (外报) or "provider" (内报); archive.workflows.filers.
    "filed_by": FieldSpec("text", FILERS),
}

OPERATORS = {
    "text": {"==", "!=", "in", "not_in"},
    "number": {"==", "!=", "<", "<=", ">", ">="},
    "flag": {"==", "!="},
}


class ConditionError(ValueError):
    """A clause that cannot be used; `key` names the offending part for the error's line."""

    def __init__(self, message: str, key: str, needle: str | None = None):
        super().__init__(message)
        self.key = key
        self.needle = needle


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any  # str, Decimal, bool, or a tuple of str for in / not_in

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return bool(self.evaluate(facts))

    def evaluate(self, facts: Mapping[str, Any]) -> bool | None:
        """True or false; None when the field is empty (unknown)."""
        actual = facts.get(self.field)
        if actual is None or actual == "":
            return None
        if CASE_FIELDS[self.field].kind == "number":
            actual = Decimal(str(actual))
        match self.op:
            case "==":
                return actual == self.value
            case "!=":
                return actual != self.value
            case "<":
                return actual < self.value
            case "<=":
                return actual <= self.value
            case ">":
                return actual > self.value
            case ">=":
                return actual >= self.value
            case "in":
                return actual in self.value
            case "not_in":
                return actual not in self.value
        raise AssertionError(self.op)

    def describe(self) -> str:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.field} {self.op} {value}"


@dataclass(frozen=True)
class Condition:
    clauses: tuple[Clause, ...] = ()

    def holds(self, facts: Mapping[str, Any]) -> bool:
        """Whether the condition is known to hold (unknown counts as false)."""
        return self.evaluate(facts) is True

    def evaluate(self, facts: Mapping[str, Any]) -> bool | None:
        """Three-valued AND: false if a clause is false, else None if one is unknown, else true."""
        results = [clause.evaluate(facts) for clause in self.clauses]
        if False in results:
            return False
        return None if None in results else True

    def unknown_fields(self, facts: Mapping[str, Any]) -> list[str]:
        """The empty fields that leave the condition unknown (none when it is known)."""
        if self.evaluate(facts) is not None:
            return []
        return list(dict.fromkeys(c.field for c in self.clauses if c.evaluate(facts) is None))

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.clauses) or "always"

    def __and__(self, other: Condition) -> Condition:
        return Condition(self.clauses + other.clauses)

    def satisfiable(self) -> bool:
        """Whether some case could meet every clause (e.g. not `amount >= 20000 and amount < 100`)."""
        by_field: dict[str, list[Clause]] = {}
        for clause in self.clauses:
            by_field.setdefault(clause.field, []).append(clause)
        return all(any(all(c.holds({field: v}) for c in clauses) for v in _candidates(field, clauses))
                   for field, clauses in by_field.items())


def _candidates(field: str, clauses: list[Clause]) -> list[Any]:
    """Values of `field` that between them meet every combination of these clauses that can be met."""
    spec = CASE_FIELDS[field]
    if spec.kind == "flag":
        return [True, False]
    if spec.kind == "number":
        points = sorted({c.value for c in clauses})
        middles = [(a + b) / 2 for a, b in zip(points, points[1:], strict=False)]
        return [points[0] - 1, *points, *middles, points[-1] + 1]
    if spec.choices:
        return list(spec.choices)
    mentioned = {v for c in clauses for v in (c.value if isinstance(c.value, tuple) else (c.value,))}
    return [*mentioned, "\0 none of these"]


def parse_condition(raw: Any, key: str, limits: Mapping[str, Any]) -> Condition:
    """A condition from its TOML form; raises ConditionError naming what is wrong."""
    if raw is None:
        return Condition()
    if not isinstance(raw, list):
        raise ConditionError(f"'{key}' must be a list of {{field, op, value}} clauses", key)
    return Condition(tuple(_parse_clause(item, key, limits) for item in raw))


def _parse_clause(item: Any, key: str, limits: Mapping[str, Any]) -> Clause:
    if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
        raise ConditionError(f"each clause of '{key}' must have exactly field, op and value", key)
    field, op, raw_value = item["field"], item["op"], item["value"]
    spec = CASE_FIELDS.get(field)
    if spec is None:
        raise ConditionError(f"unknown field {field!r} in '{key}'; known fields: "
                             f"{', '.join(CASE_FIELDS)}", key, f'"{field}"')
    if op not in OPERATORS[spec.kind]:
        raise ConditionError(f"operator {op!r} cannot be used on {spec.kind} field {field!r}; "
                             f"use one of {', '.join(sorted(OPERATORS[spec.kind]))}", key, f'"{op}"')
    if isinstance(raw_value, dict):
        raw_value = _limit(raw_value, key, limits)
    return Clause(field, op, _value(spec, field, op, raw_value, key))


def _limit(raw: dict, key: str, limits: Mapping[str, Any]) -> Any:
    name = raw.get("limit")
    if set(raw) != {"limit"} or not isinstance(name, str):
        raise ConditionError(f"a value table in '{key}' must be {{ limit = NAME }}", key, "limit")
    if name not in limits:
        raise ConditionError(f"unknown limit {name!r} in '{key}'; storage_config/workflow.toml "
                             f"defines: {', '.join(limits) or 'none'}", key, f'"{name}"')
    return limits[name]


def _value(spec: FieldSpec, field: str, op: str, raw: Any, key: str) -> Any:
    where = f"the value for {field!r} in '{key}'"
    if op in {"in", "not_in"}:
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
            raise ConditionError(f"{where} must be a non-empty list of text", key, field)
        for value in raw:
            _check_choice(spec, field, value, key)
        return tuple(raw)
    if spec.kind == "flag":
        if not isinstance(raw, bool):
            raise ConditionError(f"{where} must be true or false", key, field)
        return raw
    if spec.kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConditionError(f"{where} must be a number", key, field)
        return Decimal(str(raw))
    if not isinstance(raw, str):
        raise ConditionError(f"{where} must be text", key, field)
    _check_choice(spec, field, raw, key)
    return raw


def _check_choice(spec: FieldSpec, field: str, value: str, key: str) -> None:
    if spec.choices and value not in spec.choices:
        raise ConditionError(f"{value!r} is not a valid {field}; one of {', '.join(spec.choices)}",
                             key, f'"{value}"')
