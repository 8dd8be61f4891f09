"""Fixity: re-read stored originals and compare them with the sha256 taken at intake.

A run checks every object, or the next `limit` objects after where the previous run stopped
(wrapping round), so a large archive is covered a slice at a time. Each object's outcome is an
audit event; damaged originals are reported with the cases and documents that hold them.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from archive import audit
from archive.models import Case, Document, NumberSequence, StoredObject
from archive.models.types import utcnow
from archive.storage import ObjectMissing, ObjectStore

CURSOR = "fixity-cursor"  # last StoredObject.id checked
LAST_RUN = "fixity-last-run"  # epoch seconds of the last scheduled run
VERIFY_LAST_RUN = "audit-verify-last-run"  # the same for the audit trail's scheduled check
COMMIT_EVERY = 50
CHUNK = 256 * 1024  # a smaller buffer hashes faster than 1 MiB reads (measured)


@dataclass(frozen=True)
class Damage:
    store_key: str
    outcome: str  # "mismatch" (flipped or truncated bytes) or "missing"
    expected_sha256: str
    actual_sha256: str | None
    expected_size: int
    actual_size: int | None
    documents: list[dict]  # [{"case_no", "document_id", "filename"}]


@dataclass
class FixityReport:
    checked: int = 0
    bytes_read: int = 0
    damaged: list[Damage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damaged


def measure(store: ObjectStore, key: str) -> tuple[str, int] | None:
    """sha256 and size of the stored bytes, or None if the object is gone."""
    digest, size = hashlib.sha256(), 0
    try:
        with store.open(key) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except ObjectMissing:
        return None
    return digest.hexdigest(), size


def run_fixity(sessions: sessionmaker[Session], store: ObjectStore, *, limit: int | None = None,
               actor=None) -> FixityReport:
    """Check all objects (limit None) or the next `limit` after the saved cursor."""
    report = FixityReport()
    with sessions() as session:
        start_after = _cursor(session) if limit else 0
        ids = list(session.scalars(_ids_after(start_after, limit)))
        if limit and len(ids) < limit:  # wrap round to the start of the archive
            ids += [i for i in session.scalars(_ids_after(0, limit - len(ids))) if i not in ids]
    for start in range(0, len(ids), COMMIT_EVERY):
        wanted = ids[start:start + COMMIT_EVERY]
        with sessions() as session:
            loaded = {o.id: o for o in session.scalars(
                select(StoredObject).where(StoredObject.id.in_(wanted)))}
        batch = [loaded[i] for i in wanted if i in loaded]  # in cursor order, wrap-round included
        measured = [(stored, measure(store, stored.store_key)) for stored in batch]
        report.checked += len(measured)
        report.bytes_read += sum(m[1] for _, m in measured if m)
        if measured:
            _record(sessions, measured, report, actor)
    return report


def _ids_after(object_id: int, limit: int | None):
    # Destroyed originals (archive.records.disposition) are no longer expected in the store.
    query = (select(StoredObject.id)
             .where(StoredObject.id > object_id, StoredObject.destroyed_at.is_(None))
             .order_by(StoredObject.id))
    return query.limit(limit) if limit else query


def _cursor(session: Session) -> int:
    row = session.get(NumberSequence, CURSOR)
    return row.last_value if row else 0


def _record(sessions, checked: list, report: FixityReport, actor) -> None:
    """One transaction per batch: an audit event per object, and the cursor moved past them."""
    with sessions.begin() as session:
        entries = []
        for stored, measured in checked:
            damage, details = judge(session, stored, measured)
            if damage is not None:
                report.damaged.append(damage)
            entries.append(("fixity.check", stored, details))
        session.execute(update(NumberSequence).where(NumberSequence.name == CURSOR)
                        .values(last_value=checked[-1][0].id))
        audit.record_many(session, entries, actor=actor)


def judge(session: Session, stored: StoredObject, measured: tuple[str, int] | None
          ) -> tuple[Damage | None, dict]:
    """The outcome of one check (the damage, if any, and its audit details); marks the object's
    row damaged or sound again, which /healthz counts."""
    ok = measured is not None and measured == (stored.sha256, stored.size)
    details = {"outcome": "ok" if ok else ("missing" if measured is None else "mismatch"),
               "sha256": stored.sha256, "size": stored.size}
    damage = None
    if not ok:
        damage = Damage(stored.store_key, details["outcome"], stored.sha256,
                        measured[0] if measured else None, stored.size,
                        measured[1] if measured else None, _holders(session, stored.id))
        details.update(actual_sha256=damage.actual_sha256, actual_size=damage.actual_size,
                       documents=damage.documents)
    if not ok or stored.damaged_at is not None:  # no write for the usual sound object
        session.execute(update(StoredObject).where(StoredObject.id == stored.id)
                        .values(damaged_at=None if ok else utcnow()))
    return damage, details


def damaged_count(session: Session) -> int:
    """Originals whose last check found them damaged or missing."""
    query = select(func.count(StoredObject.id)).where(StoredObject.damaged_at.is_not(None))
    return session.scalar(query) or 0


def _holders(session: Session, object_id: int) -> list[dict]:
    rows = session.execute(
        select(Case.case_no, Document.id, Document.filename).join(Document.case)
        .where(Document.object_id == object_id).order_by(Document.id))
    return [{"case_no": c, "document_id": d, "filename": f} for c, d, f in rows]


def claim_scheduled_run(session: Session, *, every_seconds: int, now: float | None = None,
                        name: str = LAST_RUN) -> bool:
    """True for exactly one caller per period, however many workers ask at once; `name` is the
    counter that keeps when the periodic work (fixity by default) last ran."""
    now = int(now if now is not None else time.time())
    claimed = session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.last_value <= now - every_seconds)
        .values(last_value=now)
    )
    return claimed.rowcount == 1
