"""Configuration lives in files; a change to them is an audit event from the next start on."""

from __future__ import annotations

import os

from sqlalchemy import select

from archive.audit import verify_chain
from archive.config import REPO_ROOT, load_settings
from archive.models import AuditEvent
from archive.records.config_trail import WATCHED_DIRS, fingerprint, note_configuration
from archive.runtime import make_runtime
from archive.signoff.definitions import DEFINITIONS_DIR


def config_events(runtime) -> list[AuditEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "config.changed")
                                    .order_by(AuditEvent.id)))


def test_a_changed_settings_file_is_recorded_once_at_the_next_start(rt, environ, db_url, tmp_path):
    (first,) = config_events(rt)  # written by `archive init` on the new database
    files = first.details["files"]
    assert "storage_config/roles.toml" in files and "archive/signoff/definitions/payment.toml" in files
    assert all(change["before"] is None for change in first.details["changes"].values())
    assert note_configuration(rt) is None and len(config_events(rt)) == 1  # nothing changed

    # The same database started with another settings file, e.g. a lowered login limit.
    custom = tmp_path / "site.toml"
    custom.write_text((REPO_ROOT / "storage_config" / "default.toml").read_text(encoding="utf-8")
                      .replace("max_failures = 5", "max_failures = 3"), encoding="utf-8")
    settings = load_settings({**os.environ, **environ, "ARCHIVE_DATABASE_URL": db_url,
                              "ARCHIVE_CONFIG": str(custom)})
    restarted = make_runtime(settings)
    try:
        name = str(custom.resolve())
        added = fingerprint(settings)[name]
        assert note_configuration(restarted) == {name: {"before": None, "after": added}}
        assert note_configuration(restarted) is None

        custom.write_text(custom.read_text(encoding="utf-8").replace("max_failures = 3", "max_failures = 4"),
                          encoding="utf-8")
        changed = note_configuration(restarted)
        assert changed == {name: {"before": added, "after": fingerprint(settings)[name]}} and added != \
            changed[name]["after"]
        assert [len(e.details["changes"]) for e in config_events(rt)][1:] == [1, 1]
        with restarted.sessions() as session:
            assert verify_chain(session).ok
    finally:
        restarted.engine.dispose()


def test_the_trail_watches_the_chain_definitions_where_they_are_loaded_from():
    """A watched folder that no longer exists (the definitions moved) would record nothing."""
    assert DEFINITIONS_DIR in WATCHED_DIRS
    assert all(folder.is_dir() and any(folder.iterdir()) for folder in WATCHED_DIRS)
    names = fingerprint(load_settings({}))
    chains = {f"archive/signoff/definitions/{path.name}" for path in DEFINITIONS_DIR.glob("*.toml")}
    assert chains and chains <= set(names)
