"""The store's own guard on originals, kept in line with the archive's records.

The database decides (retention end of a filed case, legal holds in force); this module tells
the object store, so that on S3 with object lock not even someone holding the storage
credentials can delete an original before its retention ends or while it is held. The store is
told after the change has committed (each service asks for a `protect_case` job,
archive.follow_ups), and `sync_all`
(`archive protect --all`) brings every original in line again, after a failed job or when
object lock is turned on for an existing archive.

Bytes are stored once however many cases hold them, so an object keeps the longest retention
and any hold of all the cases it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import ArchiveRecord, Document, LegalHold, RecordState, StoredObject

PERMANENT = date.max  # a record kept permanently: the store picks a far date and extends it


@dataclass(frozen=True)
class Wanted:
    store_key: str
    retain_until: date | None
    legal_hold: bool


def wanted_for_case(session: Session, case_id: int) -> list[Wanted]:
    """What the store should enforce for each original of one case."""
    object_ids = select(Document.object_id).where(Document.case_id == case_id)
    return _wanted(session, object_ids)


def wanted_for_all(session: Session) -> list[Wanted]:
    return _wanted(session, select(StoredObject.id))


def sync_case(sessions, store, case_id: int) -> int:
    """Apply the wanted protection of one case's originals; returns how many were told."""
    with sessions() as session:
        wanted = wanted_for_case(session, case_id)
    return _apply(store, wanted)


def sync_all(sessions, store) -> int:
    with sessions() as session:
        wanted = wanted_for_all(session)
    return _apply(store, wanted)


def _apply(store, wanted: list[Wanted]) -> int:
    for item in wanted:
        store.protect(item.store_key, retain_until=item.retain_until, legal_hold=item.legal_hold)
    return len(wanted)


def _wanted(session: Session, object_ids) -> list[Wanted]:
    rows = session.execute(
        select(StoredObject.id, StoredObject.store_key, Document.case_id)
        .join(Document, Document.object_id == StoredObject.id)
        .where(StoredObject.id.in_(object_ids), StoredObject.destroyed_at.is_(None))
    ).all()
    case_ids = {case_id for _, _, case_id in rows}
    held = set(session.scalars(select(LegalHold.case_id).where(
        LegalHold.case_id.in_(case_ids), LegalHold.lifted_at.is_(None))))
    retention = {
        record.case_id: PERMANENT if record.retention_ends_on is None else record.retention_ends_on
        for record in session.scalars(select(ArchiveRecord).where(
            ArchiveRecord.case_id.in_(case_ids), ArchiveRecord.state == RecordState.ARCHIVED))
    }
    by_object: dict[int, Wanted] = {}
    for object_id, key, case_id in rows:
        before = by_object.get(object_id, Wanted(key, None, False))
        until = retention.get(case_id)
        if before.retain_until is not None and (until is None or before.retain_until > until):
            until = before.retain_until
        by_object[object_id] = Wanted(key, until, before.legal_hold or case_id in held)
    return list(by_object.values())
