"""The audit trail on SQLite and PostgreSQL: hash chain, append-only triggers, tamper detection.

Tampering is done the way an intruder with database access would: raw SQL, with the
append-only triggers switched off first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from archive import audit
from archive.audit import GENESIS_HASH, verify_chain
from archive.models import AuditEvent
from tests import factories


@pytest.fixture
def trail(rt):
    """A realistic trail: case opened, two uploads processed, a download; ids of its events."""
    from archive.cases import open_original

    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    first = factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=1))
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=2))
    with rt.sessions.begin() as session:
        _, stream = open_original(session, rt.store, clerk, first.document_id)
        stream.close()
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def tamper(rt, *statements: str) -> None:
    """Run raw SQL with the append-only triggers out of the way."""
    with rt.engine.begin() as connection:
        if rt.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in statements:
            connection.execute(text(statement))


def check(rt):
    with rt.sessions() as session:
        return verify_chain(session)


def test_every_event_is_chained_to_the_one_before(rt, trail):
    assert len(trail) >= 6 and trail == list(range(1, len(trail) + 1))
    report = check(rt)
    assert report.ok and report.checked == len(trail)
    with rt.sessions() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.row_hash for a, b in zip(events, events[1:], strict=False))
    assert report.head_hash == events[-1].row_hash
    assert {"case.create", "document.upload", "document.processed", "document.download"} <= {
        e.action for e in events}


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor_name = 'someone else' WHERE id = 2",
    "DELETE FROM audit_events WHERE id = 2",
])
def test_database_refuses_changes(rt, trail, statement):
    with pytest.raises(DatabaseError, match="append-only"), rt.engine.begin() as connection:
        connection.execute(text(statement))
    assert check(rt).ok


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_refuses_truncate(rt, trail):
    with pytest.raises(DatabaseError, match="append-only"), rt.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_events"))


def test_no_code_path_can_change_a_row(rt, trail):
    with rt.sessions() as session:
        event = session.get(AuditEvent, trail[1])
        event.action = "nothing.happened"
        with pytest.raises(PermissionError):
            session.flush()
        session.rollback()
        session.delete(session.get(AuditEvent, trail[1]))
        with pytest.raises(PermissionError):
            session.flush()


def test_edited_row_is_found(rt, trail):
    tamper(rt, f"UPDATE audit_events SET actor_name = 'mallory' WHERE id = {trail[3]}")
    report = check(rt)
    assert (report.ok, report.broken_at) == (False, trail[3])
    assert "edited" in report.problem


def test_deleted_row_is_found_at_the_next_one(rt, trail):
    tamper(rt, f"DELETE FROM audit_events WHERE id = {trail[2]}")
    report = check(rt)
    assert report.broken_at == trail[3]
    assert "deleted" in report.problem


def test_reordered_rows_are_found(rt, trail):
    a, b, spare = trail[2], trail[4], 10_000
    tamper(rt, f"UPDATE audit_events SET id = {spare} WHERE id = {a}",
           f"UPDATE audit_events SET id = {a} WHERE id = {b}",
           f"UPDATE audit_events SET id = {b} WHERE id = {spare}")
    assert check(rt).broken_at == a


def test_forged_row_is_found(rt, trail):
    # A forger appends an invented download, copying a real row's hashes to look chained.
    tamper(rt, f"""INSERT INTO audit_events (id, occurred_at, actor_name, action, details, prev_hash,
               row_hash) SELECT 5000, occurred_at, 'mallory', 'document.download', details,
               row_hash, row_hash FROM audit_events WHERE id = {trail[-1]}""")
    report = check(rt)
    assert report.broken_at == 5000
    assert "forged" in report.problem


def test_concurrent_appends_keep_one_chain(rt):
    def append(worker: int) -> None:
        for n in range(15):
            with rt.sessions.begin() as session:
                audit.record(session, "test.concurrent", details={"worker": worker, "n": n})

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = check(rt)
    assert report.ok, report
    with rt.sessions() as session:
        count = len(list(session.scalars(select(AuditEvent.id).where(
            AuditEvent.action == "test.concurrent"))))
    assert count == 60


def test_archive_verify_command(rt, trail, environ, db_url):
    env = {**os.environ, **environ, "ARCHIVE_DATABASE_URL": db_url}
    command = [sys.executable, "-c", "from archive.cli import main; main()", "verify"]
    intact = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert intact.returncode == 0, intact.stderr
    assert f"{len(trail)} events" in intact.stdout

    tamper(rt, f"UPDATE audit_events SET details = '{{}}' WHERE id = {trail[1]}")
    broken = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"archive: error: audit trail broken at event {trail[1]}:")


def test_an_event_names_a_target_added_in_the_same_transaction(rt):
    """The action's pending rows are flushed before the event is built, so a target created in
    the same transaction is named by its id; the returned events are the stored rows."""
    from archive.models import User

    with rt.sessions.begin() as session:
        user = User(username="new_clerk", display_name="新职员", role="intake_clerk", password_hash="x")
        session.add(user)
        returned = audit.record_many(session, [("test.created", user, {"n": 1}),
                                               ("test.noted", user, {"n": 2})])
        user_id = user.id
    with rt.sessions() as session:
        stored = session.execute(select(AuditEvent.id, AuditEvent.target_id, AuditEvent.prev_hash,
                                        AuditEvent.row_hash).where(AuditEvent.action.like("test.%"))
                                 .order_by(AuditEvent.id)).all()
    assert user_id is not None
    assert [row.target_id for row in stored] == [str(user_id)] * 2
    assert [(e.id, e.prev_hash, e.row_hash) for e in returned] == [
        (row.id, row.prev_hash, row.row_hash) for row in stored]
    assert stored[1].prev_hash == stored[0].row_hash
    assert check(rt).ok


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_append_that_waited_for_the_chain_lock_chains_onto_the_holders_row(rt):
    """Transaction A appends and stays open; B's append waits for the chain lock (seen in
    pg_locks, no sleeping) and, once A commits, reads the head A wrote — the lock and the head
    read share one round trip, and the read must not use a snapshot from before the wait."""
    first = rt.sessions()
    first.begin()
    holder = audit.record(first, "test.holder")
    waiter_done: list = []

    def waiter() -> None:
        with rt.sessions.begin() as session:
            waiter_done.append(audit.record(session, "test.waiter"))

    thread = threading.Thread(target=waiter)
    thread.start()
    try:
        with rt.engine.connect() as probe:
            waiting, give_up = 0, time.monotonic() + 30
            while time.monotonic() < give_up:  # until the waiter queues behind the lock
                waiting = probe.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
                if waiting:
                    break
                probe.rollback()
        assert waiting == 1
        assert not waiter_done
    finally:
        first.commit()
        first.close()
        thread.join(timeout=30)
    assert waiter_done[0].prev_hash == holder.row_hash
    assert waiter_done[0].id == holder.id + 1
    assert check(rt).ok
