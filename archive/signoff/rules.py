"""Limits of the sign-off chains, read from storage_config/workflow.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.config import REPO_ROOT

RULES_FILE = REPO_ROOT / "storage_config" / "workflow.toml"


@dataclass(frozen=True)
class SpotCheckGroup:
    """A kind of approved case and the share of it drawn for re-checking each month."""

    name: str
    zh: str
    en: str
    share: float
    chains: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    limits: dict[str, Any]
    due_soon_days: int
    spot_checks: tuple[SpotCheckGroup, ...] = ()
    phone_follow_up: PhoneFollowUpRule | None = None


@dataclass(frozen=True)
class PhoneFollowUpRule:
    """The share of a month's paid cases of some claim types called back (回访, seed 003)."""

    share: float
    claim_types: tuple[str, ...]


def load_rules(path: Path = RULES_FILE) -> Rules:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    limits = raw.get("limits", {})
    for name, value in limits.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{path}: limit {name!r} must be a number, not {value!r}")
    due_soon = raw.get("queue", {}).get("due_soon_working_days", 2)
    if not isinstance(due_soon, int) or due_soon < 0:
        raise ValueError(f"{path}: queue.due_soon_working_days must be a whole number")
    return Rules(dict(limits), due_soon, _spot_checks(path, raw.get("spot_check", [])),
                 _phone_follow_up(path, raw.get("phone_follow_up")))


def _phone_follow_up(path: Path, raw: Any) -> PhoneFollowUpRule | None:
    if raw is None:
        return None
    share, types = raw.get("share"), raw.get("claim_types")
    if (not isinstance(raw, dict) or set(raw) != {"share", "claim_types"} or isinstance(share, bool)
            or not isinstance(share, int | float) or not 0 <= share <= 1
            or not isinstance(types, list) or not all(isinstance(t, str) for t in types)):
        raise ValueError(f"{path}: [phone_follow_up] needs share (0.02 for 2 %) and claim_types")
    return PhoneFollowUpRule(float(share), tuple(types))


def _spot_checks(path: Path, raw: Any) -> tuple[SpotCheckGroup, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{path}: spot_check must be an array of tables [[spot_check]]")
    groups, seen = [], set()
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or set(item) != {"name", "zh", "en", "share", "chains"}:
            raise ValueError(f"{path}: each [[spot_check]] needs exactly name, zh, en, share and chains")
        share = item["share"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError(f"{path}: spot_check {name!r}: share must be a number from 0 to 1 "
                             f"(0.15 for 15 %), not {share!r}")
        chains = item["chains"]
        if not isinstance(chains, list) or not chains or not all(isinstance(c, str) for c in chains):
            raise ValueError(f"{path}: spot_check {name!r}: chains must list chain names")
        if name in seen:
            raise ValueError(f"{path}: spot_check {name!r} is defined twice")
        seen.add(name)
        groups.append(SpotCheckGroup(name, str(item["zh"]), str(item["en"]), float(share), tuple(chains)))
    return tuple(groups)
