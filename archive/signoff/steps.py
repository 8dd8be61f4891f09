"""The parts of a chain definition: labels, steps, findings, separation of duties."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.models.cases import CLAIM_TYPES, DOCUMENT_KINDS
from archive.signoff.conditions import Condition, ConditionError, parse_condition

DECISIONS = ("approve", "return", "reject")
ON_CHANGE = ("first_mismatch", "first_step")
DONE_STATUSES = ("approved", "paid")
# Automatic checks a step may name; each is a function in archive.workflows.checks.
CHECKS = ("required_documents", "prior_chain_signed")
_STEP_KEYS = {"id", "zh", "en", "role", "decisions", "opinion_required", "when", "deadline_days",
              "checks", "findings", "required_documents", "deductions", "if_unknown"}
# What a step whose `when` is unknown (an empty field) does: run ("apply", the stricter branch),
# or refuse to send the case on until the field is filled in ("block").
IF_UNKNOWN = ("apply", "block")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class StepError(ConditionError):
    """A step key that cannot be used (same shape as a condition error: key and text to find)."""


@dataclass(frozen=True)
class Label:
    """A name in both languages of the desk."""

    zh: str
    en: str

    def pick(self, locale) -> str:
        return self.en if str(locale).startswith("en") else self.zh

    def __str__(self) -> str:
        return self.en


def decision_name(decision: str) -> Label:
    return {"approve": Label("通过", "approve"), "return": Label("退回补正", "return for correction"),
            "reject": Label("不予通过", "reject")}.get(decision, Label(decision, decision))


FINDING_KINDS = ("text", "amount")


@dataclass(frozen=True)
class Finding:
    """Something the signer records with the decision (e.g. the hospital's phone number)."""

    name: str
    label: Label
    required: bool = True
    kind: str = "text"  # or "amount": yuan, kept as a two-place decimal string


@dataclass(frozen=True)
class Separation:
    distinct_signers: bool = False
    exclude_opener: bool = False
    distinct_steps: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    id: str
    label: Label
    role: str
    decisions: tuple[str, ...]
    opinion_for: frozenset[str]
    when: Condition = Condition()
    deadline_days: int = 0
    checks: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    required_documents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    deductions: bool = False  # the approval records deductions (扣款): archive.workflows.deductions
    if_unknown: str = "apply"  # IF_UNKNOWN: a `when` on an empty field runs the step, or blocks

    def applies(self, facts: Mapping[str, Any]) -> bool:
        """Whether the step runs for a case: an unknown condition runs it (never the lenient
        branch; "block" steps are refused earlier, at submission)."""
        return self.when.evaluate(facts) is not False

    def blocked_by(self, facts: Mapping[str, Any]) -> list[str]:
        """The empty fields the case must fill in before this step can be routed."""
        return self.when.unknown_fields(facts) if self.if_unknown == "block" else []

    def needs_opinion(self, decision: str) -> bool:
        """A rejection always needs its reason; other decisions as the definition says."""
        return decision == "reject" or decision in self.opinion_for


def parse_step(raw: Any, known_roles: set[str], limits: Mapping[str, Any]) -> Step:
    if not isinstance(raw, dict):
        raise StepError("each [[step]] must be a table", "id")
    for key in raw:
        if key not in _STEP_KEYS:
            raise StepError(f"unknown key {key!r} in [[step]]; allowed: {', '.join(sorted(_STEP_KEYS))}",
                            key)
    step_id = raw.get("id")
    if not isinstance(step_id, str) or not _ID.match(step_id):
        raise StepError("a step needs an id of lower-case letters, digits and _", "id")
    for key in ("zh", "en"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise StepError(f"step {step_id!r} needs a name in {key}", key if key in raw else "id")
    role = raw.get("role")
    if role not in known_roles:
        raise StepError(f"step {step_id!r}: unknown role {role!r}; roles are defined in "
                        f"storage_config/roles.toml: {', '.join(sorted(known_roles))}",
                        "role" if "role" in raw else "id")
    decisions = raw.get("decisions", ["approve", "return", "reject"])
    if (not isinstance(decisions, list) or not decisions
            or any(d not in DECISIONS for d in decisions) or len(set(decisions)) != len(decisions)):
        raise StepError(f"step {step_id!r}: decisions must be a list from {', '.join(DECISIONS)}",
                        "decisions")
    return Step(
        id=step_id, label=Label(raw["zh"].strip(), raw["en"].strip()), role=role,
        decisions=tuple(decisions), opinion_for=_opinion_for(raw, step_id, decisions),
        when=parse_condition(raw.get("when"), "when", limits),
        deadline_days=_days(raw, step_id), checks=_checks(raw, step_id),
        findings=_findings(raw, step_id), required_documents=_documents(raw, step_id),
        deductions=_deductions(raw, step_id), if_unknown=_if_unknown(raw, step_id),
    )


def _if_unknown(raw: dict, step_id: str) -> str:
    value = raw.get("if_unknown", "apply")
    if value not in IF_UNKNOWN:
        raise StepError(f"step {step_id!r}: if_unknown must be one of {', '.join(IF_UNKNOWN)}",
                        "if_unknown")
    return value


def _deductions(raw: dict, step_id: str) -> bool:
    value = raw.get("deductions", False)
    if not isinstance(value, bool):
        raise StepError(f"step {step_id!r}: deductions must be true or false", "deductions")
    if value and any(f.get("name") in ("deductions", "deductions_total")
                     for f in raw.get("findings", []) if isinstance(f, dict)):
        raise StepError(f"step {step_id!r}: the finding names deductions and deductions_total are "
                        "kept for the deductions themselves", "findings")
    return value


def _opinion_for(raw: dict, step_id: str, decisions: list[str]) -> frozenset[str]:
    value = raw.get("opinion_required", False)
    if isinstance(value, bool):
        return frozenset(decisions if value else ())
    if isinstance(value, list) and all(v in decisions for v in value):
        return frozenset(value)
    raise StepError(f"step {step_id!r}: opinion_required must be true, false or a list of its "
                    "decisions", "opinion_required")


def _days(raw: dict, step_id: str) -> int:
    value = raw.get("deadline_days", 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StepError(f"step {step_id!r}: deadline_days must be a whole number of working days",
                        "deadline_days")
    return value


def _checks(raw: dict, step_id: str) -> tuple[str, ...]:
    checks = raw.get("checks", [])
    if not isinstance(checks, list):
        raise StepError(f"step {step_id!r}: checks must be a list", "checks")
    for name in checks:
        if name not in CHECKS:
            raise StepError(f"step {step_id!r}: unknown check {name!r}; known: {', '.join(CHECKS)}",
                            "checks", f'"{name}"')
    if ("required_documents" in checks) != ("required_documents" in raw):
        raise StepError(f"step {step_id!r}: the check required_documents and the table "
                        "[step.required_documents] go together", "checks")
    return tuple(checks)


def _findings(raw: dict, step_id: str) -> tuple[Finding, ...]:
    items = raw.get("findings", [])
    if not isinstance(items, list):
        raise StepError(f"step {step_id!r}: findings must be a list of {{name, zh, en}}", "findings")
    findings = []
    for item in items:
        if (not isinstance(item, dict) or not set(item) <= {"name", "zh", "en", "required", "kind"}
                or not all(isinstance(item.get(k), str) and item[k] for k in ("name", "zh", "en"))
                or not isinstance(item.get("required", True), bool)
                or item.get("kind", "text") not in FINDING_KINDS):
            raise StepError(f"step {step_id!r}: each finding needs name, zh and en (and may say "
                            f"required = false, kind = one of {', '.join(FINDING_KINDS)})", "findings")
        findings.append(Finding(item["name"], Label(item["zh"], item["en"]), item.get("required", True),
                                item.get("kind", "text")))
    return tuple(findings)


def _documents(raw: dict, step_id: str) -> dict[str, tuple[str, ...]]:
    table = raw.get("required_documents", {})
    if not isinstance(table, dict):
        raise StepError(f"step {step_id!r}: required_documents must be a table", "required_documents")
    for claim_type, kinds in table.items():
        if claim_type not in CLAIM_TYPES:
            raise StepError(f"step {step_id!r}: unknown claim type {claim_type!r} in "
                            f"required_documents; one of {', '.join(CLAIM_TYPES)}",
                            f"required_documents.{claim_type}")
        if not isinstance(kinds, list) or any(k not in DOCUMENT_KINDS for k in kinds):
            raise StepError(f"step {step_id!r}: required_documents.{claim_type} must list document "
                            f"kinds from {', '.join(DOCUMENT_KINDS)}", f"required_documents.{claim_type}")
    return {claim_type: tuple(kinds) for claim_type, kinds in table.items()}
