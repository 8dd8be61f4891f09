"""Checkpoints of the audit trail, kept outside the database.

The hash chain proves that the rows agree with each other, not that they are all the rows:
whoever can write to the database directly (triggers dropped) can delete the newest events, or
rewrite an old one and recompute every hash after it, and the chain still verifies. A checkpoint
is the chain's head at a moment — the last event's id and hash — signed with HMAC-SHA256 under a
key that is not in the database (derived from the application's secret key), written to the
object store (read-only; under object lock on S3) and to the log. Verification checks the chain
against every checkpoint: an event a checkpoint names that is gone, or whose hash differs, is
found however the hashes after it were recomputed. Rewriting any event before a checkpoint
changes the hash of the event it names, so the newest checkpoint covers the whole trail before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import head
from archive.config import ensure_secret_key
from archive.models import AuditEvent
from archive.models.types import utcnow

log = logging.getLogger("archive.audit.checkpoints")

PREFIX = "checkpoints/audit/"
LAST_RUN = "audit-checkpoint-last-run"  # the number_sequences row the schedule claims
_KEY_CONTEXT = b"medarchive audit-trail checkpoint v1"


@dataclass(frozen=True)
class Checkpoint:
    last_id: int
    head_hash: str
    written_at: str
    mac: str

    def as_json(self) -> dict:
        return {"last_id": self.last_id, "head_hash": self.head_hash, "written_at": self.written_at,
                "mac": self.mac}


@dataclass(frozen=True)
class CheckpointProblem:
    event_id: int
    problem: str


def signing_key(settings) -> bytes:
    """The checkpoints' key: from the secret key every node shares, never stored in the database."""
    return hmac.new(ensure_secret_key(settings).encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def _mac(key: bytes, last_id: int, head_hash: str, written_at: str) -> str:
    message = json.dumps([last_id, head_hash, written_at], separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def object_key(last_id: int) -> str:
    return f"{PREFIX}{last_id:012d}.json"


def write_checkpoint(runtime) -> Checkpoint | None:
    """Sign the chain's head as it is now and keep it in the store and the log (None for an
    empty trail; the existing checkpoint when the head has not moved since)."""
    with runtime.sessions() as session:
        last_id, head_hash = head(session)
    if last_id == 0:
        return None
    key = object_key(last_id)
    if runtime.store.exists(key):
        return _read(runtime.store, key)
    written_at = utcnow().isoformat(timespec="seconds")
    checkpoint = Checkpoint(last_id, head_hash, written_at,
                            _mac(signing_key(runtime.settings), last_id, head_hash, written_at))
    body = json.dumps(checkpoint.as_json(), sort_keys=True).encode()
    runtime.tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=runtime.tmp_dir, suffix=".json") as staged:
        staged.write(body)
        staged.flush()
        runtime.store.put_file(key, Path(staged.name),
                               content_type="application/json", size=len(body))
    # As long as the trail itself: the permanent records' horizon.
    years = int(runtime.settings.get("store.permanent_retention_years") or 100)
    today = date.today()
    runtime.store.protect(key, retain_until=today.replace(year=today.year + years), legal_hold=False)
    log.info("audit trail checkpoint", extra={"fields": {"checkpoint": checkpoint.as_json()}})
    return checkpoint


def check_against_checkpoints(session: Session, runtime) -> tuple[int, CheckpointProblem | None]:
    """Every checkpoint in the store against the chain in the database: how many were checked,
    and the first disagreement (a forged checkpoint, a missing event, a rewritten one)."""
    key = signing_key(runtime.settings)
    checked = 0
    for name in sorted(runtime.store.iter_keys(PREFIX)):
        checkpoint = _read(runtime.store, name)
        checked += 1
        if checkpoint is None or not hmac.compare_digest(
                checkpoint.mac, _mac(key, checkpoint.last_id, checkpoint.head_hash, checkpoint.written_at)):
            return checked, CheckpointProblem(getattr(checkpoint, "last_id", 0),
                                              f"checkpoint {name} is not signed with this installation's "
                                              "key: it was forged or damaged")
        stored = session.scalar(select(AuditEvent.row_hash).where(AuditEvent.id == checkpoint.last_id))
        if stored is None:
            return checked, CheckpointProblem(checkpoint.last_id, (
                f"event {checkpoint.last_id}, signed by the checkpoint of {checkpoint.written_at}, is "
                "missing: events were deleted from the trail"))
        if stored != checkpoint.head_hash:
            return checked, CheckpointProblem(checkpoint.last_id, (
                f"event {checkpoint.last_id} differs from the checkpoint of {checkpoint.written_at}: "
                "the trail up to it was rewritten and its hashes recomputed"))
    return checked, None


def _read(store, name: str) -> Checkpoint | None:
    try:
        with store.open(name) as stream:
            data = json.loads(stream.read(64 * 1024))
        return Checkpoint(int(data["last_id"]), str(data["head_hash"]), str(data["written_at"]),
                          str(data["mac"]))
    except (ValueError, KeyError, TypeError):
        return None
