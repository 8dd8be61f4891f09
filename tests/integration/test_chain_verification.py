"""Audit-trail verification results kept as audit events: from `archive verify`, and from the job
an auditor queues; the latest one is what the audit desk shows, broken links included."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from archive.auth import Forbidden
from archive.jobs import run_verify_audit_trail
from archive.models import AuditEvent
from archive.records.verification import (
    latest_verification,
    request_verification,
    verification_pending,
)
from tests import factories
from tests.integration.test_audit_chain import tamper


def latest(rt):
    with rt.sessions() as session:
        return latest_verification(session), verification_pending(session)


def event_count(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def test_a_queued_check_records_its_result_and_a_broken_link(rt):
    users = factories.users_for_all_roles(rt)
    factories.make_case(rt, users["intake_clerk"])
    assert latest(rt) == (None, False)

    with pytest.raises(Forbidden), rt.sessions.begin() as session:
        request_verification(session, actor=users["reviewer"])
    before = event_count(rt)
    with rt.sessions.begin() as session:
        request_verification(session, actor=users["auditor"])
    assert latest(rt) == (None, True)  # asked for, not yet run

    assert run_verify_audit_trail(rt, users["auditor"].id) == {"checked": before + 1, "ok": True}
    shown, pending = latest(rt)
    assert not pending
    assert (shown.ok, shown.checked, shown.broken_at, shown.requested_by, shown.channel) == (
        True, before + 1, None, "u_auditor", "job")
    assert shown.event_id == event_count(rt)  # the result is the newest event

    with rt.sessions() as session:
        second = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id).offset(1).limit(1))
    tamper(rt, f"UPDATE audit_events SET actor_name = 'mallory' WHERE id = {second}")
    assert run_verify_audit_trail(rt) == {"checked": 2, "ok": False}
    shown, _pending = latest(rt)
    assert (shown.ok, shown.broken_at, shown.checked, shown.requested_by) == (False, second, 2, None)
    assert "edited or forged" in shown.problem


def test_archive_verify_records_its_result(rt, environ, db_url):
    factories.make_case(rt, factories.users_for_all_roles(rt)["intake_clerk"])
    before = event_count(rt)
    env = {**os.environ, **environ, "ARCHIVE_DATABASE_URL": db_url}
    run = factories.archive(env, "verify")
    assert run.returncode == 0, run.stderr
    shown, _pending = latest(rt)
    assert (shown.ok, shown.checked, shown.channel) == (True, before, "cli")
    assert f"head {shown.head_hash}" in run.stdout


def test_the_job_system_checks_the_trail_once_a_period(make_rt, db_url):
    from archive.queue import schedule_periodic

    rt = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_RECORDS_VERIFY_EVERY_HOURS="24")
    factories.users_for_all_roles(rt)
    assert latest(rt)[0] is None
    schedule_periodic(rt)  # due: never ran → checked now (inline job runner)
    schedule_periodic(rt)  # not due again within the period
    with rt.sessions() as session:
        verified = session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.verified")).all()
    assert len(verified) == 1 and verified[0].details["ok"] and verified[0].details["checked"] > 1
