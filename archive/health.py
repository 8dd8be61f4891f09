"""Health of the parts the system stands on, for /healthz and `archive status`."""

from __future__ import annotations

from sqlalchemy import text

from archive import schema
from archive.audit.triggers import missing_triggers
from archive.models.types import utcnow


def check_all(runtime) -> dict:
    checks = {
        "database": _database(runtime),
        "store": _store(runtime),
        "queue": _queue(runtime),
        "index": _index(runtime),
        "fixity": _fixity(runtime),
        "orphans": _orphans(runtime),
        "four_properties": _four_properties(runtime),
    }
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def _database(runtime) -> dict:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = schema.current_revision(runtime.engine), schema.head_revision()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        return {"ok": False, "error": _line(exc)}
    if current != head:
        return {"ok": False, "error": f"schema at {current}, code expects {head}: run `archive init`"}
    with runtime.engine.connect() as connection:
        missing = missing_triggers(connection)
    if missing:
        return {"ok": False,
                "error": f"append-only triggers missing: {', '.join(missing)}; run `archive init`"}
    return {"ok": True, "dialect": runtime.engine.dialect.name, "revision": current}


def _store(runtime) -> dict:
    try:
        runtime.store.check()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _line(exc)}
    return {"ok": True, "backend": runtime.settings.get("store.backend")}


def _queue(runtime) -> dict:
    try:
        return runtime.queue.status()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _line(exc)}


def _index(runtime) -> dict:
    """This node's index: readable, and not behind the database by more than
    search.max_lag_seconds (a node whose index no search worker writes falls behind)."""
    from archive.search.backend import backend_status
    from archive.search.sync import lag_after

    status: dict = {}
    try:
        status, mark = backend_status(runtime)
        with runtime.sessions() as session:
            behind = lag_after(session, mark)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, **status, "error": _line(exc)}
    oldest = behind["oldest_pending"]
    late = oldest is not None and (utcnow() - oldest).total_seconds() > float(
        runtime.settings.get("search.max_lag_seconds", 300))
    report = {**status, "pending_changes": behind["pending_changes"],
              "oldest_pending": oldest.isoformat() if oldest else None}
    if late:
        minutes = int((utcnow() - oldest).total_seconds() // 60)
        return {**report, "ok": False, "error": (
            f"the search index on this node is {behind['pending_changes']} change(s) behind the "
            f"database, the oldest {minutes} min old: no search worker writes this node's index "
            "(run `archive worker --queues search` beside it, or `archive reindex`)")}
    # A missing index is built on first search; stale or corrupt ones need `archive reindex`.
    return {**report, "ok": status["status"] in ("ok", "missing")}


def _fixity(runtime) -> dict:
    from archive.records.fixity import damaged_count

    try:
        with runtime.sessions() as session:
            damaged = damaged_count(session)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _line(exc)}
    if damaged:
        return {"ok": False, "damaged": damaged,
                "error": f"{damaged} original(s) failed their last fixity check: restore them from "
                         "a backup (`archive verify --fixity` lists them)"}
    return {"ok": True, "damaged": 0}


def _four_properties(runtime) -> dict:
    """Filed records whose latest 四性检测 (at filing, scheduled, or on demand) failed."""
    from archive.records.record_checks import failed_count

    try:
        with runtime.sessions() as session:
            failed = failed_count(session)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _line(exc)}
    if failed:
        return {"ok": False, "failed": failed,
                "error": f"{failed} record(s) failed their last four-property check: see the archive "
                         "desk, resolve, then check again (`archive check-record CASE_NO`)"}
    return {"ok": True, "failed": 0}


def _orphans(runtime) -> dict:
    """Stored objects no record refers to, as the last scheduled sweep left them (listing the
    store on every health probe would cost too much). They do not make the system unhealthy:
    a young one may be an upload in flight; old ones are swept (records.orphan_grace_hours)."""
    from archive.records.reconcile import orphan_status

    try:
        with runtime.sessions() as session:
            return {"ok": True, **orphan_status(session)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _line(exc)}


def _line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
