"""Configuration changes in the audit trail.

Who may do what (roles.toml), how long records are kept (retention.toml), the sign-off chains
(signoff/definitions/*.toml), thresholds, holidays and the settings file live in files, not in
the database, and are read when a process starts. So every start compares their sha256 with
those last recorded and, when any differs, appends `config.changed` naming each file added,
changed or removed with its hashes before and after: a change to the rules is in the trail from
the moment it can take effect.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import system_user
from archive.config import REPO_ROOT
from archive.models import AuditEvent

ACTION = "config.changed"
WATCHED_DIRS = (REPO_ROOT / "storage_config", REPO_ROOT / "archive" / "signoff" / "definitions")


def fingerprint(settings) -> dict[str, str]:
    """sha256 of every configuration file in force, by a name relative to the installation."""
    files = {path for directory in WATCHED_DIRS for path in directory.glob("*.toml")}
    files.add(Path(settings.source).resolve())  # ARCHIVE_CONFIG may point outside storage_config/
    return {_name(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(files)}


def last_recorded(session: Session) -> dict[str, str]:
    details = session.scalar(select(AuditEvent.details).where(AuditEvent.action == ACTION)
                             .order_by(AuditEvent.id.desc()).limit(1))
    return dict((details or {}).get("files", {}))


def record_config_changes(session: Session, settings, *, actor=None) -> dict[str, dict] | None:
    """Append `config.changed` when the files differ from the last record; returns the changes."""
    now, before = fingerprint(settings), last_recorded(session)
    changes = {name: {"before": before.get(name), "after": now.get(name)}
               for name in sorted(set(now) | set(before)) if before.get(name) != now.get(name)}
    if not changes:
        return None
    audit.record(session, ACTION, actor=actor, details={"files": now, "changes": changes})
    return changes


def note_configuration(runtime) -> dict[str, dict] | None:
    """At a process start (init, serve, worker): record the configuration if it changed."""
    with runtime.sessions.begin() as session:
        return record_config_changes(session, runtime.settings, actor=system_user(session))


def _name(path: Path) -> str:
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
