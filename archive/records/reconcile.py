"""Find objects no record knows (left by a crash mid-intake) and records whose object is gone."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from archive.models import StoredObject


@dataclass
class ReconcileReport:
    checked: int = 0
    orphan_objects: list[str] = field(default_factory=list)
    missing_objects: list[str] = field(default_factory=list)


def reconcile(runtime, *, delete_orphans: bool = False) -> ReconcileReport:
    report = ReconcileReport()
    with runtime.sessions() as session:
        known = set(session.scalars(_kept_keys()))
    seen = set()
    for key in runtime.store.iter_keys("sha256/"):
        report.checked += 1
        seen.add(key)
        if key not in known:
            report.orphan_objects.append(key)
    report.missing_objects = sorted(known - seen)
    if delete_orphans:
        # Re-read the database first: an upload may have committed its row meanwhile.
        with runtime.sessions() as session:
            known = set(session.scalars(_kept_keys()))
        for key in report.orphan_objects:
            if key not in known:
                runtime.store.delete(key)
    return report


def _kept_keys():
    # The bytes of a destroyed original are not expected: still there, they are an orphan.
    return select(StoredObject.store_key).where(StoredObject.destroyed_at.is_(None))
