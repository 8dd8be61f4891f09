"""The audit trail: appended in the caller's transaction, hash-chained, never changed.

Each row stores `row_hash = sha256(prev_hash + canonical JSON of the row)`, with the previous
row's hash in `prev_hash`, so an edited, deleted, reordered or forged row breaks the chain at
a place `verify_chain` can name. Appends are serialised by a lock held until the caller's
transaction ends, so two transactions never chain onto the same row (record events after a
transaction's other writes, so the chain lock is the last lock taken and is held only for the
append and the commit). Triggers in the database
refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) of the table (archive.audit.triggers), and
signed checkpoints kept outside the database anchor the chain (archive.audit.checkpoints).

The ground floor: nearly every package records events, so this package imports nothing from
the feature packages (records, intake, workflows, ...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from archive.models import AuditEvent
from archive.models.types import utcnow

GENESIS_HASH = "0" * 64
CHAIN_LOCK_ID = 727_001  # PostgreSQL advisory lock number for the chain


@dataclass(frozen=True)
class Origin:
    """Where an action came from: set once per request, CLI command or job."""

    channel: str  # web, api, cli, job
    request_id: str | None = None
    ip_address: str | None = None
    token_id: int | None = None  # the API token the request came with: written as `via_token`


# Origin is frozen, so sharing one default instance is safe.
current_origin: ContextVar[Origin] = ContextVar("current_origin", default=Origin("internal"))  # noqa: B039


def record(session: Session, action: str, *, actor=None, target=None,
           details: dict[str, Any] | None = None) -> Appended:
    return record_many(session, [(action, target, details)], actor=actor)[0]


@dataclass(frozen=True)
class Appended:
    """Where an appended event sits in the chain."""

    id: int
    prev_hash: str
    row_hash: str


def record_many(session: Session, entries: list[tuple[str, Any, dict[str, Any] | None]], *,
                actor=None) -> list[Appended]:
    """Append several (action, target, details) events with one lock and one insert.

    Everything that does not depend on the chain's head is prepared first, and the caller's
    pending changes are flushed, before the lock is taken: from the lock to the commit only
    the head is read and the rows are written, so concurrent actions queue for as short a
    time as possible. The rows are plain dictionaries inserted directly: an event is written
    once and never loaded back in the transaction that appends it.
    """
    origin = current_origin.get()
    session.flush()  # the action's own writes (and new targets' ids), before the chain is locked
    who = {"actor_id": getattr(actor, "id", None),
           "actor_name": getattr(actor, "username", None) or _unattended(origin),
           "request_id": origin.request_id, "ip_address": origin.ip_address}
    drafts = [(utcnow(), {**who, "action": action, "target_type": _target_type(target),
                          "target_id": _target_id(target),
                          "details": {"channel": origin.channel, **(details or {}),
                                      **_via_token(origin)}})
              for action, target, details in entries]
    next_id, prev_hash = _lock_chain_and_read_head(session)
    rows, appended = [], []
    for occurred_at, draft in drafts:
        next_id += 1
        # What the hash covers: every column but the hashes themselves (as `fields` reads them).
        covered = {"id": next_id, "occurred_at": _timestamp(occurred_at), **draft}
        row_hash = _hash(prev_hash, covered)
        rows.append({**covered, "occurred_at": occurred_at, "prev_hash": prev_hash,
                     "row_hash": row_hash})
        appended.append(Appended(next_id, prev_hash, row_hash))
        prev_hash = row_hash
    session.execute(insert(AuditEvent.__table__), rows)
    return appended


def head(session: Session) -> tuple[int, str]:
    """Id and hash of the newest event: what an export or a report can be checked against."""
    last = session.execute(
        select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (last.id, last.row_hash) if last else (0, GENESIS_HASH)


def fields(event: AuditEvent) -> dict[str, Any]:
    """What the hash covers: every column but the hashes themselves."""
    return {
        "id": event.id,
        "occurred_at": _timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": event.details,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
    }


def _timestamp(moment) -> str:
    return moment.isoformat(timespec="microseconds")


def canonical(event: AuditEvent) -> str:
    """The row as canonical JSON: sorted keys, no spaces, UTF-8 text, UTC time in ISO form."""
    return _canonical(fields(event))


def chain_hash(event: AuditEvent) -> str:
    return _hash(event.prev_hash, fields(event))


def _canonical(covered: dict[str, Any]) -> str:
    return json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash(prev_hash: str, covered: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(covered)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_hash: str
    broken_at: int | None = None  # id of the first row whose link does not hold
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute the whole chain in id order; report the first broken link.

    Reads plain columns in batches, so memory stays flat over millions of rows and nothing
    is added to the caller's session.
    """
    previous_hash, checked = GENESIS_HASH, 0
    for event in _in_order(session, batch):
        checked += 1
        if event.prev_hash != previous_hash:
            return ChainReport(checked, previous_hash, event.id,
                               "its link to the previous row does not match: a row before it "
                               "was deleted, inserted or reordered")
        if chain_hash(event) != event.row_hash:
            return ChainReport(checked, previous_hash, event.id,
                               "its content does not match its hash: the row was edited or forged")
        previous_hash = event.row_hash
    return ChainReport(checked, previous_hash)


_COLUMNS = [AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.actor_name,
            AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.details,
            AuditEvent.request_id, AuditEvent.ip_address, AuditEvent.prev_hash, AuditEvent.row_hash]


def _in_order(session: Session, batch: int) -> Iterator:
    last_id = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _lock_chain_and_read_head(session: Session) -> tuple[int, str]:
    """Hold the chain for the rest of the transaction and read its head (id, hash) as it is
    once the lock is ours."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: two statements in one simple query. The second statement takes its
        # own snapshot after the first has waited for the lock (read committed), so it sees
        # the row appended by the transaction that held the lock before us. (One statement
        # that locked and read would read with a snapshot taken before the wait.)
        result = session.connection().exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_ID}); "
            "SELECT id, row_hash FROM audit_events ORDER BY id DESC LIMIT 1")
        cursor = result.cursor
        cursor.nextset()
        last = cursor.fetchone()
        result.close()
    else:
        # SQLite has one writer: a write statement takes that lock until the transaction ends,
        # so the last row read below cannot change under us.
        session.execute(text("UPDATE number_sequences SET last_value = last_value "
                             "WHERE name = 'audit-chain'"))
        last = session.execute(
            select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def _via_token(origin: Origin) -> dict[str, Any]:
    # In the details, which the hash covers, so events written before this key existed still
    # verify; last, so no caller's details can hide it; "via_token" rather than "token_id",
    # which the token events use for the token they are about.
    return {} if origin.token_id is None else {"via_token": origin.token_id}


def _unattended(origin: Origin) -> str:
    # Work nobody signed in for (jobs, schedules) is the system's; a web request without a
    # user (a failed sign-in) is anonymous.
    return "anonymous" if origin.channel in ("web", "api") else "system"


@dataclass(frozen=True)
class Ref:
    """A target named by its type and id, for rows written without loading them as objects."""

    type: str
    id: int


def _target_type(target) -> str | None:
    if target is None:
        return None
    return target.type if isinstance(target, Ref) else type(target).__name__.lower()


def _target_id(target) -> str | None:
    if target is None:
        return None
    return str(getattr(target, "case_no", None) or target.id)
