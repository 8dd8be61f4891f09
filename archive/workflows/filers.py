"""Who files a claim (申报方): the insured (外报) or the designated provider (内报).

Seed 000: 外报 and 内报 differ by who files the claim — the insured, who paid the provider and
claims at the agency's window, or a designated provider, which settled the insured's share at
discharge (即时结报) and claims the fund's share back. The case records it (`filed_by`); where
it does not, the other facts decide it when they can (storage_config/workflow.toml [[filer]]:
a provider settlement is filed by the provider; care out of county or at a provider that is not
designated can only be claimed by the insured). Otherwise it stays unknown, and a case whose
chain depends on it is not sent on until it is filled in (archive.workflows.routing).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from typing import Any

from archive.models.cases import FILERS
from archive.signoff.conditions import Condition, ConditionError, parse_condition
from archive.signoff.rules import RULES_FILE, load_rules


@cache
def filer_rules() -> tuple[tuple[Condition, str], ...]:
    """storage_config/workflow.toml [[filer]]: (when, filed_by), first match wins."""
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8")).get("filer", [])
    limits = load_rules().limits
    rules = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"when", "filed_by"} \
                or item["filed_by"] not in FILERS:
            raise ValueError(f"{RULES_FILE}: [[filer]] {number} needs exactly `when` and `filed_by` "
                             f"(one of {', '.join(FILERS)})")
        try:
            when = parse_condition(item["when"], "when", limits)
        except ConditionError as problem:
            raise ValueError(f"{RULES_FILE}: [[filer]] {number}: {problem}") from None
        if "filed_by" in {clause.field for clause in when.clauses}:
            raise ValueError(f"{RULES_FILE}: [[filer]] {number} cannot test filed_by itself")
        rules.append((when, item["filed_by"]))
    return tuple(rules)


def filer_of(facts: Mapping[str, Any]) -> str | None:
    """Who files the claim: as recorded on the case, else as its facts decide, else None."""
    recorded = facts.get("filed_by")
    if recorded:
        return recorded
    return next((filer for when, filer in filer_rules() if when.holds(facts)), None)
