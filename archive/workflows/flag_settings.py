"""Thresholds and severities of the payment flags (storage_config/flags.toml) and the catalogue
the daily statements are checked against (storage_config/catalogue.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from archive.config import REPO_ROOT
from archive.ocr.checks import ERROR, WARNING

FLAGS_FILE = REPO_ROOT / "storage_config" / "flags.toml"
CATALOGUE_FILE = REPO_ROOT / "storage_config" / "catalogue.toml"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class FlagSettings:
    readmission_days: int = 15
    claim_window_days: int = 30
    max_claims: int = 4
    amount_tolerance: Decimal = Decimal("0.01")
    bed_only_items: frozenset[str] = frozenset({"床位费"})
    severity: dict[str, str] = field(default_factory=dict)
    catalogue: dict[str, dict] = field(default_factory=dict)  # by code

    def severity_of(self, code: str) -> str:
        return self.severity.get(code, ERROR)

    def by_name(self) -> dict[str, dict]:
        return {item["name"]: item for item in self.catalogue.values()}


@cache
def flag_settings(path: Path = FLAGS_FILE, catalogue_path: Path = CATALOGUE_FILE) -> FlagSettings:
    return load(path.read_text(encoding="utf-8"), catalogue_path.read_text(encoding="utf-8"), path)


def load(flags_text: str, catalogue_text: str, where: Path | str = "flags.toml") -> FlagSettings:
    """Settings from the two files' text; a wrong value fails at once with the key named."""
    raw = tomllib.loads(flags_text)
    limits, severity = raw.get("thresholds", {}), raw.get("severity", {})
    for name in ("readmission_days", "claim_window_days", "max_claims"):
        value = limits.get(name, getattr(FlagSettings, name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where}: thresholds.{name} must be a whole number ≥ 0, not {value!r}")
    for name, value in severity.items():
        if value not in SEVERITIES:
            raise ValueError(f"{where}: severity.{name} must be one of {SEVERITIES}, not {value!r}")
    items = tomllib.loads(catalogue_text).get("items", [])
    catalogue = {str(item["code"]): item for item in items}
    if len(catalogue) != len(items):
        raise ValueError(f"{where}: catalogue codes must be unique")
    return FlagSettings(
        readmission_days=limits.get("readmission_days", 15),
        claim_window_days=limits.get("claim_window_days", 30),
        max_claims=limits.get("max_claims", 4),
        amount_tolerance=Decimal(str(limits.get("amount_tolerance", "0.01"))),
        bed_only_items=frozenset(limits.get("bed_only_items", ["床位费"])),
        severity=dict(severity), catalogue=catalogue)
