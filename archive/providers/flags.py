"""The register's part in a claim's agreement flag (archive/workflows/claim_flags.py): a claim
treated at a registered provider while its suspension (暂停) ran is an `agreement_suspended`
finding, blocking like an expired agreement. Expiry itself is judged on the agreements archived
(the same keys the register lists as the provider's agreements)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import ClaimKey, Provider, ProviderSanction
from archive.providers.register import SUSPENSION


def suspension_findings(session: Session, mine: list[ClaimKey]) -> list[tuple[str, date, ProviderSanction]]:
    """(provider name, first day of treatment in the suspension, the suspension) for each
    registered provider that treated this claim's patient while suspended; one per provider.
    A stay counts every day from admission to discharge, not only its ends."""
    spans: dict[str, list[tuple[date, date]]] = {}
    for key in mine:
        if key.kind in ("stay", "visit") and key.hospital and key.admitted:
            spans.setdefault(key.hospital, []).append((key.admitted, key.discharged or key.admitted))
    if not spans:
        return []
    registered = dict(session.execute(select(Provider.name, Provider.id)
                                      .where(Provider.name.in_(spans))).all())
    found = []
    for name in sorted(registered):
        hits = []
        for first, last in spans[name]:
            suspension = session.scalar(select(ProviderSanction).where(
                ProviderSanction.provider_id == registered[name], ProviderSanction.kind == SUSPENSION,
                ProviderSanction.starts_on <= last, ProviderSanction.ends_on >= first)
                .order_by(ProviderSanction.starts_on).limit(1))
            if suspension is not None:
                hits.append((max(first, suspension.starts_on), suspension))
        if hits:
            found.append((name, *min(hits, key=lambda hit: hit[0])))
    return found
