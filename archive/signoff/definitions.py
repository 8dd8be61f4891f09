"""Sign-off chains as data: loading and validating `archive/signoff/definitions/*.toml`.

One file per chain. Its format (see out_of_network.toml for a commented example):

    [chain]       name (= file name), zh, en, deadline_days (whole chain, working days),
                  priority + start_when (a condition choosing this chain for a case leaving
                  intake; lowest priority first; without start_when the chain only starts as
                  another chain's `then`), on_change ("first_mismatch" | "first_step"),
                  done_status ("approved" | "paid"), then (the chain that follows approval)
    [separation]  distinct_signers (nobody signs two steps of one case), exclude_opener (the
                  clerk who opened the case cannot sign), distinct_steps (pairs of step ids
                  whose signers must differ: cashier and accountant)
    [[deadline]]  when + days: the chain's deadline for cases meeting `when` (first match wins)
    [[step]]      id, zh, en, role, decisions (approve / return / reject), opinion_required
                  (true, false or a list of decisions), when (the step runs only for cases
                  meeting it), deadline_days, checks (named automatic checks), findings (what
                  the signer must record: [{name, zh, en, required}]), if_unknown ("apply":
                  a `when` on an empty field runs the step — the default; "block": the case
                  is not sent on until the field is filled in), and for the check
                  "required_documents" a sub-table [step.required_documents] claim type → kinds

Conditions are described in archive.signoff.conditions. Everything is checked when loaded:
an unknown role, field, key, check or chain, a bad condition, a step that can never run — each
refused with the file and the line.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from archive.auth import roles
from archive.signoff.conditions import Condition, ConditionError, parse_condition
from archive.signoff.locate import Locator
from archive.signoff.rules import RULES_FILE, SpotCheckGroup, load_rules
from archive.signoff.steps import (
    DECISIONS,
    DONE_STATUSES,
    ON_CHANGE,
    Finding,
    Label,
    Separation,
    Step,
    parse_step,
)

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
_CHAIN_KEYS = {"name", "zh", "en", "priority", "start_when", "deadline_days", "on_change",
               "done_status", "then"}
_TOP_KEYS = {"chain", "separation", "deadline", "step"}


class DefinitionError(Exception):
    """A definition file that cannot be used: the message starts with `file:line:`."""


class _Problem(Exception):
    """Something wrong at a place in the file: table, its index, key, text to look for."""

    def __init__(self, message: str, table: str | None = None, index: int = 0,
                 key: str | None = None, needle: str | None = None):
        super().__init__(message)
        self.where = (table, index, key, needle)


@dataclass(frozen=True)
class DeadlineRule:
    when: Condition
    days: int


@dataclass(frozen=True)
class Definition:
    name: str
    label: Label
    source: Path
    sha256: str
    deadline_days: int
    steps: tuple[Step, ...]
    separation: Separation
    priority: int | None = None
    start_when: Condition | None = None
    deadlines: tuple[DeadlineRule, ...] = ()
    on_change: str = "first_mismatch"
    done_status: str = "approved"
    then: str | None = None
    line_of_then: int = 0

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise LookupError(f"chain {self.name!r} ({self.source}) has no step {step_id!r}; was the "
                          "definition changed while cases were waiting there?")

    def has_step(self, step_id: str | None) -> bool:
        return any(s.id == step_id for s in self.steps)

    def index(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)

    def next_step(self, after: str | None, facts: Mapping[str, Any]) -> Step | None:
        """The first step after `after` (or the first of all) whose condition the case meets."""
        start = 0 if after is None else self.index(after) + 1
        return next((s for s in self.steps[start:] if s.applies(facts)), None)

    def unknown_routing(self, facts: Mapping[str, Any]) -> list[tuple[Step, list[str]]]:
        """Steps marked `if_unknown = "block"` whose condition is unknown for the case, each with
        the empty fields that must be filled in before the case can be sent on."""
        return [(s, fields) for s in self.steps if (fields := s.blocked_by(facts))]

    def chain_days(self, facts: Mapping[str, Any]) -> int:
        return next((r.days for r in self.deadlines if r.when.holds(facts)), self.deadline_days)


@dataclass(frozen=True)
class Registry:
    definitions: dict[str, Definition]
    limits: dict[str, Any] = field(default_factory=dict)
    due_soon_days: int = 2
    spot_checks: tuple[SpotCheckGroup, ...] = ()  # storage_config/workflow.toml [[spot_check]]

    def get(self, name: str) -> Definition:
        return self.definitions[name]

    def choose(self, facts: Mapping[str, Any]) -> Definition | None:
        """The chain a case leaving intake goes to: the first by priority whose start_when holds;
        None also while an earlier one's is unknown (`route` says on which fields)."""
        definition, unknown = self.route(facts)
        return None if unknown else definition

    def route(self, facts: Mapping[str, Any]) -> tuple[Definition | None, list[str]]:
        """The first chain by priority whose start_when holds or is unknown, with the empty
        fields that leave it unknown: an unknown fact never lets a case fall through to a chain
        tried later (who files a claim decides between 外报 and 内报)."""
        starting = sorted((d for d in self.definitions.values() if d.start_when is not None),
                          key=lambda d: d.priority or 0)
        for definition in starting:
            verdict = definition.start_when.evaluate(facts)
            if verdict is None:
                return definition, definition.start_when.unknown_fields(facts)
            if verdict:
                return definition, []
        return None, []


@cache
def registry() -> Registry:
    """The shipped chains with the configured limits, loaded once per process."""
    rules = load_rules()
    loaded = load_registry(DEFINITIONS_DIR, limits=rules.limits, due_soon_days=rules.due_soon_days)
    for group in rules.spot_checks:
        for chain in group.chains:
            if chain not in loaded.definitions:
                raise DefinitionError(f"{RULES_FILE}: spot_check {group.name!r} names unknown chain "
                                      f"{chain!r}; known: {', '.join(loaded.definitions)}")
    return replace(loaded, spot_checks=rules.spot_checks)


def load_registry(directory: Path, *, limits: Mapping[str, Any], due_soon_days: int = 2,
                  known_roles: set[str] | None = None) -> Registry:
    known_roles = set(roles()) if known_roles is None else known_roles
    definitions = {}
    for path in sorted(directory.glob("*.toml")):
        definition = load_definition(path, limits=limits, known_roles=known_roles)
        definitions[definition.name] = definition
    if not definitions:
        raise DefinitionError(f"{directory}: no chain definitions (*.toml) found")
    _check_links(definitions)
    return Registry(definitions, dict(limits), due_soon_days)


def load_definition(path: Path, *, limits: Mapping[str, Any], known_roles: set[str]) -> Definition:
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = match.group(1) if match else "1"
        raise DefinitionError(f"{path}:{line}: not valid TOML: {exc}") from exc
    locator = Locator(text)
    try:
        return _build(path, raw, text, locator, limits, known_roles)
    except _Problem as problem:
        raise DefinitionError(f"{path}:{locator.line(*problem.where)}: {problem}") from problem


def _build(path: Path, raw: dict, text: str, locator: Locator, limits,
           known_roles: set[str]) -> Definition:
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise _Problem(f"unknown table or key {name!r}; expected {', '.join(sorted(_TOP_KEYS))}",
                       name if isinstance(raw[name], dict) else None, 0, name)
    chain = raw.get("chain")
    if not isinstance(chain, dict):
        raise _Problem("a [chain] table with name, zh, en and deadline_days is required")
    _only(chain, _CHAIN_KEYS, "chain")
    name = _required(chain, "name", str, "chain")
    if name != path.stem:
        raise _Problem(f"chain name {name!r} must match the file name {path.stem!r}", "chain", 0,
                       "name")
    label = Label(_required(chain, "zh", str, "chain"), _required(chain, "en", str, "chain"))
    deadline_days = _positive(chain, "deadline_days", "chain", required=True)
    start_when = None
    if "start_when" in chain:
        start_when = _condition(chain["start_when"], "chain", 0, "start_when", limits)
        _required(chain, "priority", int, "chain")
    if not isinstance(chain.get("then", ""), str):
        raise _Problem("then must name a chain", "chain", 0, "then")
    for key, allowed in (("on_change", ON_CHANGE), ("done_status", DONE_STATUSES)):
        if key in chain and chain[key] not in allowed:
            raise _Problem(f"{key} must be one of {', '.join(allowed)}", "chain", 0, key)

    steps_raw = raw.get("step")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise _Problem("a chain needs at least one [[step]]")
    steps = []
    for index, item in enumerate(steps_raw):
        try:
            steps.append(parse_step(item, known_roles, limits))
        except ConditionError as exc:  # also StepError
            raise _Problem(str(exc), "step", index, exc.key, exc.needle) from exc
    _check_steps(steps, start_when)
    return Definition(
        name=name, label=label, source=path, sha256=hashlib.sha256(text.encode()).hexdigest(),
        deadline_days=deadline_days, steps=tuple(steps),
        separation=_separation(raw.get("separation", {}), steps),
        priority=chain.get("priority"), start_when=start_when,
        deadlines=_deadlines(raw.get("deadline", []), limits),
        on_change=chain.get("on_change", "first_mismatch"),
        done_status=chain.get("done_status", "approved"), then=chain.get("then"),
        line_of_then=locator.line("chain", 0, "then"),
    )


def _check_steps(steps: list[Step], start_when: Condition | None) -> None:
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if step.id in seen:
            raise _Problem(f"step id {step.id!r} is used twice", "step", index, "id")
        seen.add(step.id)
        if not step.when.satisfiable():
            raise _Problem(f"step {step.id!r} can never run: its condition ({step.when.describe()}) "
                           "contradicts itself", "step", index, "when")
        if start_when is not None and not (start_when & step.when).satisfiable():
            raise _Problem(f"step {step.id!r} can never run: its condition ({step.when.describe()}) "
                           f"contradicts the chain's start_when ({start_when.describe()})",
                           "step", index, "when")
    for index, step in enumerate(steps[:-1]):
        if "approve" not in step.decisions:
            raise _Problem(f"step {steps[index + 1].id!r} is unreachable: step {step.id!r} before "
                           "it cannot approve", "step", index, "decisions")


def _separation(raw: Any, steps: list[Step]) -> Separation:
    if not isinstance(raw, dict):
        raise _Problem("[separation] must be a table", "separation")
    _only(raw, {"distinct_signers", "exclude_opener", "distinct_steps"}, "separation")
    for key in ("distinct_signers", "exclude_opener"):
        if not isinstance(raw.get(key, False), bool):
            raise _Problem(f"{key} must be true or false", "separation", 0, key)
    pairs = raw.get("distinct_steps", [])
    ids = {s.id for s in steps}
    if not isinstance(pairs, list):
        raise _Problem("distinct_steps must be a list of [step, step] pairs", "separation", 0,
                       "distinct_steps")
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise _Problem("distinct_steps must be a list of [step, step] pairs", "separation", 0,
                           "distinct_steps")
        for step_id in pair:
            if step_id not in ids:
                raise _Problem(f"distinct_steps names unknown step {step_id!r}", "separation", 0,
                               "distinct_steps", f'"{step_id}"')
    return Separation(raw.get("distinct_signers", False), raw.get("exclude_opener", False),
                      tuple(tuple(p) for p in pairs))


def _deadlines(raw: Any, limits) -> tuple[DeadlineRule, ...]:
    if not isinstance(raw, list):
        raise _Problem("deadline must be an array of tables [[deadline]]", "deadline")
    rules = []
    for index, item in enumerate(raw):
        _only(item, {"when", "days"}, "deadline", index)
        when = _condition(item.get("when"), "deadline", index, "when", limits)
        rules.append(DeadlineRule(when, _positive(item, "days", "deadline", index, required=True)))
    return tuple(rules)


def _check_links(definitions: dict[str, Definition]) -> None:
    for definition in definitions.values():
        seen, current = [definition.name], definition
        while current.then is not None:
            if current.then not in definitions:
                raise DefinitionError(f"{current.source}:{current.line_of_then}: then names unknown "
                                      f"chain {current.then!r}; known: {', '.join(definitions)}")
            if current.then in seen:
                raise DefinitionError(f"{current.source}:{current.line_of_then}: chains follow each "
                                      f"other in a circle ({' → '.join([*seen, current.then])})")
            seen.append(current.then)
            current = definitions[current.then]
    starters = [d for d in definitions.values() if d.start_when is not None]
    priorities = [d.priority for d in starters]
    for definition in starters:
        if priorities.count(definition.priority) > 1:
            raise DefinitionError(f"{definition.source}:1: priority {definition.priority} is used "
                                  "by more than one chain; the choice would be ambiguous")
    followers = {d.then for d in definitions.values()}
    for definition in definitions.values():
        if definition.start_when is None and definition.name not in followers:
            raise DefinitionError(f"{definition.source}:1: chain {definition.name!r} can never start:"
                                  " give it start_when or name it in another chain's then")


def _condition(raw, table, index, key, limits) -> Condition:
    try:
        return parse_condition(raw, key, limits)
    except ConditionError as exc:
        raise _Problem(str(exc), table, index, key, exc.needle) from exc


def _only(table: Any, allowed: set[str], name: str, index: int = 0) -> None:
    if not isinstance(table, dict):
        raise _Problem(f"[{name}] must be a table", name, index)
    for key in table:
        if key not in allowed:
            raise _Problem(f"unknown key {key!r} in [{name}]; allowed: {', '.join(sorted(allowed))}",
                           name, index, key)


def _required(table: dict, key: str, kind: type, name: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool or value == "":
        raise _Problem(f"[{name}] needs {key} ({kind.__name__})", name, 0, key if key in table else None)
    return value


def _positive(table: dict, key: str, name: str, index: int = 0, *, required: bool = False) -> int:
    value = table.get(key)
    if value is None and not required:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _Problem(f"{key} must be a whole number of working days above 0", name, index,
                       key if key in table else None)
    return value


__all__ = ["DECISIONS", "Definition", "DefinitionError", "Finding", "Label", "Registry", "Step",
           "load_definition", "load_registry", "registry"]
