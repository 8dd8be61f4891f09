"""Find objects no record knows (left by a crash mid-intake) and records whose object is gone;
sweep such orphans once they are older than a grace period."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from archive import audit
from archive.models import NumberSequence, StoredObject
from archive.models.types import utcnow
from archive.storage import ObjectMissing, StoreError

log = logging.getLogger(__name__)

SWEEP_LAST_RUN = "orphan-sweep-last-run"  # epoch seconds of the last scheduled sweep
ORPHANS_LEFT = "orphan-objects-left"  # orphans the last sweep found but did not remove


@dataclass
class ReconcileReport:
    checked: int = 0
    orphan_objects: list[str] = field(default_factory=list)
    missing_objects: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # with delete_orphans: the ones swept


def reconcile(runtime, *, delete_orphans: bool = False, grace: timedelta | None = None,
              actor=None) -> ReconcileReport:
    """Orphans and missing objects; with `delete_orphans`, the orphans older than `grace`
    (default `records.orphan_grace_hours`) are swept as the scheduled sweep does — a younger
    one may be an upload in flight."""
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
        if grace is None:
            grace = timedelta(hours=float(runtime.settings.get("records.orphan_grace_hours", 24)))
        report.deleted = sweep_orphans(runtime, grace=grace, actor=actor).swept
    return report


def _kept_keys():
    # The bytes of a destroyed original are not expected: still there, they are an orphan.
    return select(StoredObject.store_key).where(StoredObject.destroyed_at.is_(None))


@dataclass
class SweepReport:
    checked: int = 0
    swept: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # younger than the grace period
    failed: list[str] = field(default_factory=list)  # the store refused to delete them


def sweep_orphans(runtime, *, grace: timedelta, actor=None) -> SweepReport:
    """Delete stored objects that no record refers to and that were written more than `grace`
    ago; each deletion is an audit event (`object.orphan_swept`).

    Never deleted: an object any StoredObject row names (a destroyed original's bytes kept by
    the store's own lock included), checked again just before each deletion, in the
    transaction that records it; and an object written within `grace` — an upload stores its
    bytes before it commits its row, so a young orphan may be one in flight. Its age is read
    again at the deletion too: an upload of the same bytes rewrites the same key.
    """
    report = SweepReport()
    store = runtime.store
    with runtime.sessions() as session:
        referenced = set(session.scalars(select(StoredObject.store_key)))
    candidates = []
    for key in store.iter_keys("sha256/"):
        report.checked += 1
        if key not in referenced:
            candidates.append(key)
    for key in candidates:
        try:
            _sweep_one(runtime, key, grace, actor, report)
        except StoreError as exc:
            log.error("orphan %s could not be removed: %s", key, exc)
            report.failed.append(key)
    with runtime.sessions.begin() as session:
        left = session.get(NumberSequence, ORPHANS_LEFT) or NumberSequence(name=ORPHANS_LEFT)
        left.last_value = len(report.waiting) + len(report.failed)
        session.add(left)
    return report


def _sweep_one(runtime, key: str, grace: timedelta, actor, report: SweepReport) -> None:
    store = runtime.store
    try:
        written = store.modified_at(key)
    except ObjectMissing:
        return  # removed meanwhile
    if utcnow() - written < grace:
        report.waiting.append(key)
        return
    with runtime.sessions.begin() as session:
        if session.scalar(select(StoredObject.id).where(StoredObject.store_key == key)) is not None:
            return  # committed since the listing: not an orphan after all
        try:
            size, again = store.size(key), store.modified_at(key)
        except ObjectMissing:
            return
        if again != written:
            report.waiting.append(key)  # written again just now: an upload of the same bytes
            return
        audit.record(session, "object.orphan_swept", actor=actor, details={
            "store_key": key, "size": size, "written_at": _iso(written),
            "age_hours": round((utcnow() - written).total_seconds() / 3600, 1)})
        store.delete(key)  # inside the transaction: if this fails, no event says it was swept
    report.swept.append(key)


def orphan_status(session) -> dict:
    """What the last sweep left, for /healthz: orphans waiting out the grace period (uploads in
    flight, or a crash's leftovers not yet old enough) or that could not be deleted."""
    last_run = session.get(NumberSequence, SWEEP_LAST_RUN)
    left = session.get(NumberSequence, ORPHANS_LEFT)
    return {"orphans": left.last_value if left is not None else 0,
            "swept_at": (_iso(datetime.fromtimestamp(last_run.last_value, UTC))
                         if last_run is not None and last_run.last_value else None)}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
