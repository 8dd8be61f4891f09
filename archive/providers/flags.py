"""The register's part in a claim's agreement flags (archive/workflows/claim_flags.py).

The hospital of each stay or visit is matched to a registered provider on the strongest evidence
the invoice carries (archive/providers/matching.py): its seller tax id, else its name as printed,
normalised, or an alias. Then:
- treated while that provider's suspension (暂停) ran: `agreement_suspended`, blocking like an
  expired agreement;
- the name fits several providers: `provider_ambiguous`, since neither suspension can be ruled out;
- the register holds providers but none under that name, alias or code: `provider_unregistered`,
  so a name printed differently is seen (and given an alias) instead of passing unchecked.
The agreements in force are looked up under every name the same provider's agreements print
(`agreement_parties`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import ClaimKey, ProviderSanction
from archive.providers.matching import Directory, normal_name
from archive.providers.register import SUSPENSION

DAY_KINDS = ("stay", "visit")


@dataclass
class Treated:
    """Where a claim's patient was treated, as its invoices print it."""

    codes: set[str] = field(default_factory=set)
    spans: list[tuple[date, date]] = field(default_factory=list)


@dataclass
class ProviderCheck:
    suspended: list[tuple[str, date, ProviderSanction]] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (as printed, providers)
    unregistered: list[str] = field(default_factory=list)


def treated_at(mine: list[ClaimKey], typed: str | None = None) -> dict[str, Treated]:
    """By hospital: the invoice's as read, else the one typed on the case (`typed`), since a
    payee the reading could not take (a stamp across it) must not leave the day unchecked."""
    found: dict[str, Treated] = {}
    for key in mine:
        hospital = key.hospital or (typed or "").strip()
        if key.kind in DAY_KINDS and hospital and key.admitted:
            treated = found.setdefault(hospital, Treated())
            treated.spans.append((key.admitted, key.discharged or key.admitted))
            if key.value:
                treated.codes.add(key.value)
    return found


def provider_check(session: Session, mine: list[ClaimKey], typed: str | None = None) -> ProviderCheck:
    """The suspensions in force on a day of treatment (the first such day per provider; a stay
    counts every day from admission to discharge), and the hospitals matched to no provider or
    to several."""
    check = ProviderCheck()
    treated = treated_at(mine, typed)
    if not treated:
        return check
    directory = Directory.load(session)
    if not directory.names:
        return check  # no register kept: nothing to match against
    for hospital in sorted(treated):
        match = directory.match(hospital, treated[hospital].codes)
        if match.ambiguous:
            check.ambiguous.append((hospital, [directory.names[pid] for pid in match.provider_ids]))
            continue
        if match.provider_id is None:
            check.unregistered.append(hospital)
            continue
        hits = []
        for first, last in treated[hospital].spans:
            suspension = session.scalar(select(ProviderSanction).where(
                ProviderSanction.provider_id == match.provider_id, ProviderSanction.kind == SUSPENSION,
                ProviderSanction.starts_on <= last, ProviderSanction.ends_on >= first)
                .order_by(ProviderSanction.starts_on).limit(1))
            if suspension is not None:
                hits.append((max(first, suspension.starts_on), suspension))
        if hits:
            check.suspended.append((hospital, *min(hits, key=lambda hit: hit[0])))
    return check


def agreement_parties(session: Session, treated: dict[str, set[str]]) -> dict[str, list[str]]:
    """For each hospital as printed (with the codes its invoices state): party B as printed on
    the agreements of the same provider, the register matching both to that one provider; for a
    hospital the register does not place, the party Bs whose name is the same once normalised.
    Each hospital's own name is among them."""
    rows = session.execute(select(ClaimKey.hospital, ClaimKey.value, ClaimKey.extra)
                           .where(ClaimKey.kind == "agreement").distinct()).all()
    directory = Directory.load(session)
    parties = [(party, directory.match(party, (credit, insured)).provider_id, normal_name(party))
               for party, credit, insured in rows]
    found = {}
    for hospital, codes in treated.items():
        provider = directory.match(hospital, codes).provider_id
        normal = normal_name(hospital)
        found[hospital] = sorted({hospital} | {
            party for party, matched, party_normal in parties
            if (matched == provider if provider is not None else party_normal == normal)})
    return found
