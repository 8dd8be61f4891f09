"""The audit trail anchored outside the database (issue 22, defect 6): an intruder with database
access who deletes the newest events, or rewrites one and recomputes every hash after it, gets a
chain that verifies on its own — the checkpoints in the object store catch both. Dropped
triggers show in /healthz and `archive init` puts them back.

Tampering is done as an intruder would: raw SQL with the append-only triggers out of the way.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from archive import audit
from archive.audit import GENESIS_HASH, verify_chain
from archive.audit.checkpoints import PREFIX, write_checkpoint
from archive.auth import system_user
from archive.health import check_all
from archive.models import AuditEvent
from archive.records.verification import verify_and_record
from archive.setup import initialise
from tests import factories


@pytest.fixture
def trail(rt):
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=1))
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def drop_triggers(connection, dialect: str) -> None:
    if dialect == "postgresql":
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def tamper(rt, *statements: str) -> None:
    with rt.engine.begin() as connection:
        drop_triggers(connection, rt.engine.dialect.name)
        for statement in statements:
            connection.execute(text(statement))


def verify(rt):
    with rt.sessions() as session:
        actor = system_user(session)
    return verify_and_record(rt, actor=actor)


def test_verify_signs_a_checkpoint_into_the_store_and_an_intact_trail_passes(rt, trail):
    report = verify(rt)
    assert report.ok
    names = list(rt.store.iter_keys(PREFIX))
    assert len(names) == 1
    with rt.store.open(names[0]) as stream:
        checkpoint = json.loads(stream.read())
    with rt.sessions() as session:
        assert (checkpoint["last_id"], checkpoint["head_hash"]) == audit.head(session)
    assert rt.store.protection(names[0]).read_only
    assert verify(rt).ok  # and again, against it


def test_deleting_the_newest_events_is_found(rt, trail):
    assert write_checkpoint(rt) is not None
    tamper(rt, f"DELETE FROM audit_events WHERE id >= {trail[-2]}")
    with rt.sessions() as session:
        assert verify_chain(session).ok  # the chain alone cannot tell
    report = verify(rt)
    assert not report.ok and report.broken_at == trail[-1]
    assert "deleted" in report.problem


def test_rewriting_an_event_and_recomputing_every_hash_is_found(rt, trail):
    assert write_checkpoint(rt) is not None
    victim = trail[1]
    with rt.sessions() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        statements, previous = [], GENESIS_HASH
        for event in events:
            covered = audit.fields(event)
            if event.id == victim:
                covered["actor_name"] = "mallory"
            row_hash = audit._hash(previous, covered)
            statements.append(f"UPDATE audit_events SET actor_name = '{covered['actor_name']}', "
                              f"prev_hash = '{previous}', row_hash = '{row_hash}' WHERE id = {event.id}")
            previous = row_hash
    tamper(rt, *statements)
    with rt.sessions() as session:
        assert verify_chain(session).ok  # a consistent forgery
    report = verify(rt)
    assert not report.ok and "rewritten" in report.problem


def test_a_checkpoint_not_signed_with_the_installations_key_is_refused(rt, trail, tmp_path):
    forged = tmp_path / "forged.json"
    with rt.sessions() as session:
        last_id, head_hash = audit.head(session)
    forged.write_text(json.dumps({"last_id": last_id, "head_hash": head_hash,
                                  "written_at": "2026-01-01T00:00:00", "mac": "0" * 64}))
    rt.store.put_file(f"{PREFIX}forged.json", forged, content_type="application/json",
                      size=forged.stat().st_size)
    report = verify(rt)
    assert not report.ok and "forged" in report.problem


def test_dropped_triggers_show_in_health_and_init_restores_them_in_the_trail(rt, trail):
    with rt.engine.begin() as connection:
        drop_triggers(connection, rt.engine.dialect.name)
    database = check_all(rt)["checks"]["database"]
    assert database["ok"] is False and "triggers missing" in database["error"]

    done = initialise(rt)
    assert any("triggers restored" in line for line in done)
    assert check_all(rt)["checks"]["database"]["ok"] is True
    with pytest.raises(DatabaseError, match="append-only"), rt.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM audit_events WHERE id = {trail[0]}"))
    with rt.sessions() as session:
        restored = session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.triggers_restored"))
        assert restored is not None and restored.details["triggers"]
    assert not any("triggers restored" in line for line in initialise(rt))  # only once


def test_the_job_system_signs_a_checkpoint_once_a_period(make_rt):
    from archive.queue import schedule_periodic

    rt = make_rt(ARCHIVE_RECORDS_CHECKPOINT_EVERY_HOURS="1")  # jobs run inline
    factories.make_case(rt, factories.users_for_all_roles(rt)["intake_clerk"])
    schedule_periodic(rt)
    assert len(list(rt.store.iter_keys(PREFIX))) == 1
    factories.make_user(rt, "reviewer", "u_second")  # the trail moves on…
    schedule_periodic(rt)  # …but the period has not passed
    assert len(list(rt.store.iter_keys(PREFIX))) == 1
