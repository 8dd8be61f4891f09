"""Backup and restore: into an empty system (SQLite, and across to PostgreSQL), then the audit
chain, fixity and a case export must all hold; damaged backups and occupied targets are refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive.audit import verify_chain
from archive.auth import system_user
from archive.case_export import export_case, verify_bag
from archive.config import load_settings
from archive.models import AuditEvent, Case, Document, User
from archive.records.backup import BackupError, backup, restore
from archive.records.fixity import run_fixity
from archive.runtime import make_runtime
from archive.workflows import submit
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def source(runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="王芳", claim_type="outpatient",
                                  amount="1234.50")
    for seed in (1, 2):
        factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=seed), f"票据{seed}.pdf")
    factories.upload(runtime, clerk, case_no, bad_files.multipage_tiff(2), "清单.tif")
    with runtime.sessions.begin() as session:
        submit(session, case_no, actor=session.merge(clerk))
    return runtime, case_no


def made_backup(runtime, tmp_path) -> Path:
    with runtime.sessions() as session:
        actor = system_user(session)
    return backup(runtime, tmp_path / "backup", actor=actor).directory


@pytest.fixture
def empty_target(environ, tmp_path, db_url):
    """A fresh installation's settings and an empty database (no `archive init`)."""
    settings = load_settings({**environ, "ARCHIVE_DATA_DIR": str(tmp_path / "restored"),
                              "ARCHIVE_DATABASE_URL": db_url})
    runtime = make_runtime(settings)
    yield runtime
    runtime.engine.dispose()


def snapshot(runtime) -> dict:
    with runtime.sessions() as session:
        return {
            "cases": session.execute(select(Case.case_no, Case.claimant_name, Case.amount_fen)).all(),
            "documents": session.execute(select(Document.filename, Document.status, Document.page_count,
                                                Document.fields).order_by(Document.id)).all(),
            "users": session.scalars(select(User.username).order_by(User.id)).all(),
            "events": session.scalars(select(AuditEvent.row_hash).order_by(AuditEvent.id)).all(),
        }


def test_restore_into_an_empty_system_keeps_chain_fixity_and_case_file(source, tmp_path, empty_target):
    runtime, case_no = source
    before = snapshot(runtime)
    directory = made_backup(runtime, tmp_path)
    report = restore(empty_target, directory)
    assert report.objects == 3

    after = snapshot(empty_target)
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"}
    # The same trail, continued by the restore (the backup's own event stays with the source:
    # it is written once the snapshot is safe).
    assert after["events"][:-1] == before["events"]
    with empty_target.sessions() as session:
        assert verify_chain(session).ok
        assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "system.restore"
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "system.backup"
        user = session.scalar(select(User).where(User.username == "u_auditor"))
    assert run_fixity(empty_target.sessions, empty_target.store).ok
    bag = export_case(empty_target.sessions, empty_target.store, user=user, case_no=case_no,
                      output=tmp_path / "case.zip", limits=empty_target.limits,
                      tmp_dir=empty_target.tmp_dir)
    assert bag.documents == 3
    verify_bag(tmp_path / "case.zip")

    # Life goes on after the restore: new rows get new ids and extend the same chain.
    factories.upload(empty_target, user_of(empty_target, "u_intake_clerk"), case_no,
                     factories.invoice_pdf(seed=9), "补充票据.pdf")
    with empty_target.sessions() as session:
        assert session.scalar(select(func.count(Document.id))) == 4
        assert verify_chain(session).ok


def user_of(runtime, username):
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        session.expunge(user)
        return user


def test_a_damaged_backup_is_refused_before_anything_is_written(source, tmp_path, environ):
    runtime, _ = source
    directory = made_backup(runtime, tmp_path)
    original = next(p for p in (directory / "data" / "objects").rglob("*") if p.is_file())
    damaged = bytearray(original.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    original.chmod(0o644)
    original.write_bytes(bytes(damaged))
    target = make_runtime(load_settings({**environ, "ARCHIVE_DATA_DIR": str(tmp_path / "t")}))
    with pytest.raises(BackupError, match="not a complete backup"):
        restore(target, directory)
    assert [p for p in (tmp_path / "t").rglob("*") if p.is_file()] == []  # not even a database file
    target.engine.dispose()


def test_restore_refuses_a_database_in_use_and_backup_an_occupied_directory(source, tmp_path):
    runtime, _ = source
    directory = made_backup(runtime, tmp_path)
    with pytest.raises(BackupError, match="empty database"):
        restore(runtime, directory)
    with runtime.sessions() as session:
        actor = system_user(session)
    with pytest.raises(BackupError, match="not empty"):
        backup(runtime, directory, actor=actor)
    assert verify_bag_dir(directory)


def verify_bag_dir(directory: Path) -> bool:
    import bagit

    return bagit.Bag(str(directory)).is_valid()


def test_backup_holds_every_original_once_under_its_key(source, tmp_path):
    runtime, _ = source
    directory = made_backup(runtime, tmp_path)
    with runtime.sessions() as session:
        from archive.models import StoredObject

        stored = session.execute(select(StoredObject.store_key, StoredObject.sha256)).all()
    for key, sha256 in stored:
        copy = directory / "data" / "objects" / key
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha256


def test_a_destroyed_case_restores_as_its_stub_with_the_register(make_rt, tmp_path, empty_target):
    from datetime import date

    from archive.models import DestructionEntry
    from archive.records.disposition import appraise, approve_destruction, destroy, purge_destroyed

    rt = make_rt()
    desk = factories.sign_off_desk(rt)
    desk["archivist2"] = factories.make_user(rt, "archivist", "u_archivist2")
    case_no = factories.close_by_rejection(rt, desk, seed=3)
    factories.file_closed(rt, desk["archivist"], case_no)
    factories.age_record(rt, case_no, retention_ends_on=date(2040, 1, 1))
    with rt.sessions.begin() as session:
        appraise(session, case_no, actor=desk["archivist"], decision="destroy", opinion="保管期满",
                 today=date(2099, 1, 1))
    for approver in (desk["archivist2"], desk["director"]):
        with rt.sessions.begin() as session:
            approve_destruction(session, case_no, actor=approver)
    with rt.sessions.begin() as session:
        destroy(session, case_no, actor=desk["archivist"])
    purge_destroyed(rt.sessions, rt.store)

    restore(empty_target, made_backup(rt, tmp_path))
    with empty_target.sessions() as session:
        assert verify_chain(session).ok
        register = session.scalars(select(DestructionEntry)).all()
        assert [entry.case_no for entry in register] == [case_no]
    assert run_fixity(empty_target.sessions, empty_target.store).ok


def test_database_originals_caches_and_backups_are_not_world_readable(source, tmp_path):
    runtime, _ = source
    directory = made_backup(runtime, tmp_path)
    checked = 0
    for root in (runtime.settings.data_dir, directory):
        for path in [root, *root.rglob("*")]:
            assert path.stat().st_mode & 0o007 == 0, f"{path} is open to others"
            checked += 1
    assert (runtime.settings.data_dir / "archive.db").exists() and checked > 10


def test_restore_after_archive_init_on_a_new_installation(source, tmp_path, empty_target):
    """A disaster's first steps are often `archive init` then `archive restore`: a database that
    init set up and nobody used is taken as empty (issue 21)."""
    from archive.setup import initialise

    runtime, _ = source
    before = snapshot(runtime)
    directory = made_backup(runtime, tmp_path)
    initialise(empty_target)
    initialise(empty_target)  # twice: a retried deploy script

    restore(empty_target, directory)

    after = snapshot(empty_target)
    assert after["cases"] == before["cases"] and after["users"] == before["users"]
    assert after["events"][:-1] == before["events"]
    with empty_target.sessions() as session:
        assert verify_chain(session).ok


@pytest.fixture(scope="module")
def s3():
    from tests.integration.s3_server import moto_s3_server

    with moto_s3_server() as server:
        yield server


@pytest.mark.s3
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_restore_onto_a_new_database_and_a_bucket_that_does_not_exist_yet(
        source, tmp_path, environ, db_url, s3):
    runtime, case_no = source
    directory = made_backup(runtime, tmp_path)
    settings = load_settings({
        **environ, "ARCHIVE_DATA_DIR": str(tmp_path / "new-node"), "ARCHIVE_DATABASE_URL": db_url,
        "ARCHIVE_STORE_BACKEND": "s3", "ARCHIVE_STORE_ENDPOINT": s3.endpoint,
        "ARCHIVE_STORE_BUCKET": "restored-after-the-fire", "ARCHIVE_STORE_ACCESS_KEY": s3.access_key,
        "ARCHIVE_STORE_SECRET_KEY": s3.secret_key, "ARCHIVE_STORE_SECURE": "false"})
    target = make_runtime(settings)
    try:
        report = restore(target, directory)
        assert report.objects == 3
        assert run_fixity(target.sessions, target.store).ok
        with target.sessions() as session:
            assert session.scalar(select(Case.case_no)) == case_no
    finally:
        target.engine.dispose()
