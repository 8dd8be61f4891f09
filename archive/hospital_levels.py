"""A hospital's level (医院级别), one rule for the claim computation and the statistics.

The provider register comes first: a hospital registered under the name written on the case
(matched as the register matches documents: names normalised, aliases too) has the register's
level, translated to the scale asked for through storage_config/providers.toml [level_scales] —
the policy's levels (deductible and rate) or the statistics' levels. A hospital not in the
register falls back to the scale's own name rules: policy.toml [[level_by_name]], or
statistics.toml [hospital_levels]. (The statistics count each hospital as its provider the
same way, a name at a time: archive.statistics.hospitals.)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.config import REPO_ROOT
from archive.models import Provider, ProviderAlias
from archive.ocr.names import normal_name

PROVIDERS_FILE = REPO_ROOT / "storage_config" / "providers.toml"
SCALES = ("policy", "statistics")


@cache
def level_scale(scale: str, path: Path = PROVIDERS_FILE) -> Mapping[str, str]:
    """The register's levels (省/市/县/乡/村 keys) → the scale's levels; checked against both
    files so a level missing or misspelt fails at start, not on one claim."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    table = {str(k): str(v) for k, v in data.get("level_scales", {}).get(scale, {}).items()}
    unmapped = set(data["levels"]) - set(table)
    known = set(_scale_levels(scale))
    unknown = {v for v in table.values() if v not in known}
    if scale not in SCALES or unmapped or unknown or set(table) - set(data["levels"]):
        raise ValueError(f"{path}: [level_scales.{scale}] must map every level of [levels] to one of "
                         f"{', '.join(sorted(known))}")
    return table


def registered_level(session: Session, hospital: str | None) -> str | None:
    """The register's own level of a hospital (None: not registered, or its name is several
    providers' of different levels). Matched as the register matches documents
    (archive.providers.matching): both names normalised (brackets, spaces, a seal's words, OCR
    confusions), against the register's names and the providers' aliases."""
    name = (hospital or "").strip()
    if not name:
        return None
    exact = set(session.scalars(select(Provider.level).where(Provider.name == name)))
    if len(exact) == 1:  # the name as registered: no need to read the register
        return exact.pop()
    normal = normal_name(name)
    if not normal:
        return None
    levels = {level for registered, level in session.execute(select(Provider.name, Provider.level))
              if normal_name(registered) == normal}
    levels |= set(session.scalars(select(Provider.level).join(
        ProviderAlias, ProviderAlias.provider_id == Provider.id).where(ProviderAlias.normal == normal)))
    return levels.pop() if len(levels) == 1 else None


def hospital_level(session: Session, hospital: str | None, *, scale: str) -> str | None:
    """The level of a hospital on `scale` ("policy": None when no rule places it, computed at
    the strictest level; "statistics": "other" then)."""
    registered = registered_level(session, hospital)
    if registered is not None:
        return level_scale(scale)[registered]
    return fallback_level(hospital, scale=scale)


def fallback_level(hospital: str | None, *, scale: str) -> str | None:
    """Today's name rules of the scale, for a hospital the register does not hold."""
    if scale == "policy":
        from archive.claims.policy import policy_book

        return policy_book().level_of(hospital)
    from archive.statistics.levels import level_of

    return level_of(hospital)


def _scale_levels(scale: str) -> tuple[str, ...]:
    if scale == "policy":
        from archive.claims.policy import policy_book

        return tuple({lv for policy in policy_book().policies.values() for lv in policy.levels})
    from archive.statistics.levels import levels

    return levels()
