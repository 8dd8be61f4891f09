"""A hospital's level (医院级别) from its name: storage_config/statistics.toml [hospital_levels]."""

from __future__ import annotations

import tomllib
from functools import cache

from archive.config import REPO_ROOT

STATISTICS_FILE = REPO_ROOT / "storage_config" / "statistics.toml"


@cache
def level_rules() -> dict:
    return tomllib.loads(STATISTICS_FILE.read_text(encoding="utf-8"))["hospital_levels"]


def levels() -> tuple[str, ...]:
    return tuple(level_rules()["levels"])


def level_of(hospital: str | None) -> str:
    """"province" … "village", or "other" for a name no rule places (or no name)."""
    rules = level_rules()
    name = (hospital or "").strip()
    if not name:
        return "other"
    if name in rules.get("names", {}):
        return rules["names"][name]
    for word, level in rules.get("contains", []):
        if word in name:
            return level
    for word, level in rules.get("prefixes", []):
        if name.startswith(word):
            return level
    return "other"
