"""Fixity on SQLite and PostgreSQL: damaged originals in the local store are found and named."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from archive.audit import verify_chain
from archive.models import AuditEvent, Document, StoredObject, User
from archive.queue import schedule_periodic
from archive.records.fixity import claim_scheduled_run, run_fixity
from tests import factories


@pytest.fixture
def stored(rt):
    """Five documents in two cases; returns [(case_no, document_id, object path)]."""
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    cases = [factories.make_case(rt, clerk), factories.make_case(rt, clerk, claimant_name="陈静")]
    held = []
    for seed in range(5):
        case_no = cases[seed % 2]
        result = factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=seed),
                                  filename=f"票据{seed}.pdf")
        with rt.sessions() as session:
            key = session.get(Document, result.document_id).stored_object.store_key
        held.append((case_no, result.document_id, rt.store.root / key))
    return held


def fixity_events(rt) -> list[dict]:
    with rt.sessions() as session:
        return [e.details for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "fixity.check").order_by(AuditEvent.id))]


def test_intact_archive_checks_every_original_and_logs_each(rt, stored):
    report = run_fixity(rt.sessions, rt.store)
    assert report.ok and report.checked == 5
    assert report.bytes_read == sum(path.stat().st_size for *_, path in stored)
    assert [e["outcome"] for e in fixity_events(rt)] == ["ok"] * 5
    with rt.sessions() as session:
        assert verify_chain(session).ok


def test_flipped_truncated_and_missing_originals_are_named_with_case_and_document(rt, stored):
    (case_a, doc_a, flipped), (case_b, doc_b, truncated), (_, _, kept), (case_d, doc_d, lost), _ = stored
    for original in (flipped, truncated):
        original.chmod(0o644)  # the store keeps originals read-only; a tamperer lifts that first
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:100])
    lost.unlink()

    report = run_fixity(rt.sessions, rt.store)
    assert report.checked == 5
    found = {(d.outcome, d.documents[0]["case_no"], d.documents[0]["document_id"], d.actual_size)
             for d in report.damaged}
    assert found == {("mismatch", case_a, doc_a, flipped.stat().st_size),
                     ("mismatch", case_b, doc_b, 100), ("missing", case_d, doc_d, None)}
    outcomes = [e["outcome"] for e in fixity_events(rt)]
    assert sorted(outcomes) == ["mismatch", "mismatch", "missing", "ok", "ok"]


def test_a_limited_run_resumes_where_the_last_stopped_and_wraps(rt, stored):
    with rt.sessions() as session:
        ids = list(session.scalars(select(StoredObject.id).order_by(StoredObject.id)))
    for _ in range(3):
        assert run_fixity(rt.sessions, rt.store, limit=2).checked == 2
    with rt.sessions() as session:
        checked_ids = [int(e.target_id) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "fixity.check").order_by(AuditEvent.id))]
    assert checked_ids == [ids[0], ids[1], ids[2], ids[3], ids[4], ids[0]]


def test_only_one_scheduled_run_per_period(rt):
    with rt.sessions.begin() as session:
        assert claim_scheduled_run(session, every_seconds=3600, now=1_000_000)
    with rt.sessions.begin() as session:
        assert not claim_scheduled_run(session, every_seconds=3600, now=1_000_100)
    with rt.sessions.begin() as session:
        assert claim_scheduled_run(session, every_seconds=3600, now=1_003_700)


def test_the_job_system_runs_fixity_when_it_is_due(make_rt, db_url):
    rt = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_RECORDS_FIXITY_BATCH="2",
                 ARCHIVE_RECORDS_FIXITY_EVERY_HOURS="24")
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    for seed in range(3):
        factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=seed))
    schedule_periodic(rt)  # due: never ran → a batch of 2 runs (inline job runner)
    schedule_periodic(rt)  # not due again within the period
    assert len(fixity_events(rt)) == 2


def test_archive_verify_fixity_command(rt, stored, environ, db_url):
    case_no, document_id, path = stored[0]
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 replaced\n%%EOF\n")
    env = {**os.environ, **environ, "ARCHIVE_DATABASE_URL": db_url}
    result = subprocess.run([sys.executable, "-c", "from archive.cli import main; main()",
                             "verify", "--fixity"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert f"case {case_no} document {document_id} (票据0.pdf)" in result.stderr
    assert "5 originals checked" in result.stdout and "1 damaged" in result.stdout


def test_a_damaged_or_missing_original_is_never_served_and_health_says_so(rt, stored):
    """Downloads check the sha256 before sending a byte (issue 22, defect 16): a flipped byte is
    a clear refusal recorded as a fixity failure, and /healthz counts it until it passes again."""
    from archive.cases import open_original
    from archive.health import check_all
    from archive.records.errors import OriginalDamaged

    with rt.sessions() as session:
        clerk = session.scalar(select(User).where(User.username == "u_intake_clerk"))
    (_, flipped_doc, flipped), (_, lost_doc, lost), (_, sound_doc, _), *_ = stored
    good = flipped.read_bytes()
    flipped.chmod(0o644)
    data = bytearray(good)
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    lost.unlink()

    for document_id, outcome in ((flipped_doc, "mismatch"), (lost_doc, "missing")):
        with rt.sessions() as session, pytest.raises(OriginalDamaged, match=outcome):
            open_original(session, rt.store, session.merge(clerk), document_id)
            session.commit()
    # What the web view commits before it answers.
    with rt.sessions.begin() as session, pytest.raises(OriginalDamaged):
        open_original(session, rt.store, session.merge(clerk), flipped_doc)
    health = check_all(rt)
    assert health["ok"] is False and health["checks"]["fixity"]["damaged"] == 1
    assert [e["outcome"] for e in fixity_events(rt)] == ["mismatch"]

    with rt.sessions.begin() as session:
        document, stream = open_original(session, rt.store, session.merge(clerk), sound_doc)
        assert hashlib.sha256(stream.read()).hexdigest() == document.stored_object.sha256
        stream.close()
    flipped.write_bytes(good)  # restored from a backup; the lost one is still gone
    run_fixity(rt.sessions, rt.store)
    with rt.sessions() as session:
        damaged = session.scalars(select(StoredObject.store_key).where(StoredObject.damaged_at.is_not(None)))
        assert [rt.store.root / key for key in damaged] == [lost]
