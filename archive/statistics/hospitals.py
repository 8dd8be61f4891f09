"""The hospital and hospital level a statistics line counts a claim under.

A case keeps its hospital as written (typed, or as read from an invoice), so one hospital comes
in many writings: 全角 or 半角 brackets, spaces, a seal's words, its short name. Counted by the
name as written, each writing would be a line of its own and could get another level from the
name rules. So each name is matched against the provider register as documents are
(archive.providers.matching: names normalised, aliases too): a name that is one registered
provider's counts under that provider, by its registered name (unique in the register) and at its
registered level, through [level_scales.statistics]. A name the register does not hold counts
under its name form (brackets and spaces folded), at the level the statistics' name rules give.

The figures are summed in SQL per name as written first (a few hundred names, whatever the
number of cases): only those names are matched here, once each, and their lines added up — the
hospital's figures all add up (people paid are counted distinct only per township and county).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.hospital_levels import level_scale
from archive.models import Provider, ProviderAlias
from archive.providers.matching import Directory
from archive.signoff.hospitals import name_form
from archive.statistics.levels import level_of


@dataclass(frozen=True)
class CountedAs:
    hospital: str  # the registered name, else the name form ("" for no hospital)
    level: str  # on the statistics' scale
    provider_id: int | None = None


def counted_as(session: Session, names: Iterable[str | None]) -> dict[str | None, CountedAs]:
    """{name as written: how it counts} for each of `names`, the register read once."""
    names = set(names)
    if not names:
        return {}
    register = _register(session)
    global _counted
    known = _counted
    if known is None or known.register != register:
        known = _counted = _Counted(register)
    remembered = known.names  # entries are only ever added to it: safe to read from threads
    missing = names - remembered.keys()
    found = _match(register, missing) if missing else {}
    if len(remembered) + len(found) > MAX_REMEMBERED:
        _counted = _Counted(register, dict(found))
    else:
        remembered.update(found)
    return {name: found[name] if name in found else remembered[name] for name in names}


# The register changes rarely (a provider or alias added, a level corrected) while every page
# asks for the same few hundred names: their matches are kept per process with the register rows
# they were made against, read again (two small queries) for each report, so a change counts
# from the next page on. The label rules and level scale are configuration, fixed per process.
MAX_REMEMBERED = 50_000


@dataclass
class _Counted:
    register: tuple
    names: dict[str | None, CountedAs] = field(default_factory=dict)


_counted: _Counted | None = None


def _register(session: Session) -> tuple:
    providers = session.execute(select(Provider.id, Provider.name, Provider.uscc, Provider.insurance_code,
                                       Provider.level).order_by(Provider.id)).all()
    aliases = session.execute(select(ProviderAlias.provider_id, ProviderAlias.alias)
                              .order_by(ProviderAlias.id)).all()
    return tuple(map(tuple, providers)), tuple(map(tuple, aliases))


def _match(register: tuple, names: Iterable[str | None]) -> dict[str | None, CountedAs]:
    providers, aliases = register
    directory = Directory.of([row[:4] for row in providers], aliases)
    levels = {row[0]: row[4] for row in providers}
    scale = level_scale("statistics")
    out = {}
    for name in names:
        match = directory.match(name)
        if match.provider_id is not None:
            provider = match.provider_id
            out[name] = CountedAs(directory.names[provider], scale[levels[provider]], provider)
            continue
        # A name several providers share is none of them; their level still holds when they
        # all have it (as archive.hospital_levels gives a claim's level).
        shared = {levels[provider] for provider in match.provider_ids}
        level = scale[shared.pop()] if len(shared) == 1 else level_of(name)
        out[name] = CountedAs(name_form(name), level)
    return out


def by_provider(session: Session, rows: Iterable[tuple]) -> list[tuple]:
    """`rows` of archive.statistics.claims.by_dimension (dimension, key, key2, *measures) with
    the "hospital" rows, by name as written, counted as their provider: each becomes a
    "hospital" row of its provider (or name form) and a "hospital_level" row of its level, for
    roll_up to add together."""
    rows = list(rows)
    counted = counted_as(session, {row[1] for row in rows if row[0] == "hospital"})
    out = []
    for dimension, first, second, *measures in rows:
        if dimension != "hospital":
            out.append((dimension, first, second, *measures))
            continue
        shown = counted[first]
        out.append(("hospital", shown.hospital, None, *measures))
        out.append(("hospital_level", shown.level, None, *measures))
    return out
