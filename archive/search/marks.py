"""Where an index stands in the audit trail: the id of the last event it has caught up with
(archive/search/sync.py). Apart from the index and its catch-up, so that both can read it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import AuditEvent

MARK_FILE = "archive_sync.json"  # beside a Whoosh index; the PostgreSQL backend keeps a row


def current_mark(session: Session) -> int:
    """The id of the newest audit event: where an index built now starts from."""
    return session.scalar(select(func.max(AuditEvent.id))) or 0


def read_mark(index_dir: Path) -> int | None:
    try:
        return int(json.loads((Path(index_dir) / MARK_FILE).read_text())["last_event"])
    except (OSError, ValueError, KeyError):
        return None


def write_mark(index_dir: Path, mark: int) -> None:
    path = Path(index_dir) / MARK_FILE
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps({"last_event": mark}))
    scratch.replace(path)
