"""Which registered provider a document names, on the strongest evidence it carries.

Invoices print a provider's name in many ways: the full official name or the short one, 全角 or
半角 brackets, spaces, the stamp's （章） after it, a character OCR confuses with another. So a
name is compared after normalising both sides alike (`normal_name`), against the register's names
and each provider's aliases (ProviderAlias). A code the document states (a VAT invoice's seller
tax id, an agreement's credit code or 医保 code) is stronger than any name and decides alone.

A match is one provider, none, or several (ambiguous): callers show the last two instead of
dropping the claim or passing its checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Provider, ProviderAlias
from archive.ocr.names import normal_name

CODE = "code"
NAME = "name"
ALIAS = "alias"


def normal_code(code: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", code or "")).upper()


@dataclass(frozen=True)
class Match:
    provider_ids: tuple[int, ...]
    how: str | None  # code | name | alias; None when nothing matched

    @property
    def provider_id(self) -> int | None:
        return self.provider_ids[0] if len(self.provider_ids) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.provider_ids) > 1


NO_MATCH = Match((), None)


@dataclass
class Directory:
    """The register as matching needs it, read once for many look-ups."""

    names: dict[int, str] = field(default_factory=dict)
    by_code: dict[str, set[int]] = field(default_factory=dict)
    by_name: dict[str, set[int]] = field(default_factory=dict)
    by_alias: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Directory:
        return cls.of(session.execute(select(Provider.id, Provider.name, Provider.uscc,
                                             Provider.insurance_code)),
                      session.execute(select(ProviderAlias.provider_id, ProviderAlias.alias)))

    @classmethod
    def of(cls, providers: Iterable[tuple], aliases: Iterable[tuple]) -> Directory:
        """From the register's rows: (id, name, uscc, insurance_code) and (provider_id, alias)."""
        directory = cls()
        for pid, name, uscc, insurance_code in providers:
            directory.names[pid] = name
            for code in (uscc, insurance_code):
                if code:
                    directory.by_code.setdefault(normal_code(code), set()).add(pid)
            directory.by_name.setdefault(normal_name(name), set()).add(pid)
        # Normalised again as written, not as stored: a seal word or OCR confusion added to the
        # configuration since applies to the aliases too.
        for pid, alias in aliases:
            directory.by_alias.setdefault(normal_name(alias), set()).add(pid)
        return directory

    def match(self, name: str | None, codes: Iterable[str | None] = ()) -> Match:
        """The provider `name` and `codes` (as the document states them) point to. A code the
        register knows is the strongest evidence, but a name that is another provider's makes
        the match ambiguous rather than overruled (a code copied from the wrong form); codes
        naming different providers are ambiguous too. Without a known code: the name, then the
        aliases (a name and an alias of different providers: ambiguous)."""
        coded: set[int] = set()
        for code in codes:
            coded |= self.by_code.get(normal_code(code), set()) if code else set()
        normal = normal_name(name)
        named = self.by_name.get(normal, set()) if normal else set()
        aliased = self.by_alias.get(normal, set()) if normal else set()
        if coded:
            return Match(tuple(sorted(coded | ((named | aliased) - coded))), CODE)
        if named | aliased:
            return Match(tuple(sorted(named | aliased)), NAME if named else ALIAS)
        return NO_MATCH
