"""Limits of the sign-off chains, read from storage_config/workflow.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.config import REPO_ROOT

RULES_FILE = REPO_ROOT / "storage_config" / "workflow.toml"


@dataclass(frozen=True)
class Rules:
    limits: dict[str, Any]
    due_soon_days: int


def load_rules(path: Path = RULES_FILE) -> Rules:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    limits = raw.get("limits", {})
    for name, value in limits.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{path}: limit {name!r} must be a number, not {value!r}")
    due_soon = raw.get("queue", {}).get("due_soon_working_days", 2)
    if not isinstance(due_soon, int) or due_soon < 0:
        raise ValueError(f"{path}: queue.due_soon_working_days must be a whole number")
    return Rules(dict(limits), due_soon)
