"""The store guards originals itself: on S3 with object lock (moto's server over real HTTP, the
real MinIO client) each original gets a retention date as it is stored, extended to the record's
retention end when the case is filed, and the legal-hold flag while the case is held, so the
store refuses to delete it; the local store makes every original read-only."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from archive import create_app
from archive.models import ArchiveRecord, Case, Document
from archive.records.protection import PERMANENT, sync_all
from archive.storage.base import StoreError
from tests import factories
from tests.integration.s3_server import moto_s3_server


@pytest.fixture(scope="module")
def s3():
    with moto_s3_server() as server:
        yield server


def s3_settings(s3, bucket: str, object_lock: bool = True) -> dict[str, str]:
    return dict(ARCHIVE_STORE_BACKEND="s3", ARCHIVE_STORE_ENDPOINT=s3.endpoint,
                ARCHIVE_STORE_BUCKET=bucket, ARCHIVE_STORE_ACCESS_KEY=s3.access_key,
                ARCHIVE_STORE_SECRET_KEY=s3.secret_key, ARCHIVE_STORE_SECURE="false",
                ARCHIVE_STORE_OBJECT_LOCK="true" if object_lock else "false")


@pytest.fixture
def locked(make_rt, s3):
    return make_rt(**s3_settings(s3, f"lock-{uuid.uuid4().hex[:12]}"))


def keys_of(runtime, case_no: str) -> list[str]:
    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        return [document.stored_object.store_key for document in
                session.scalars(select(Document).where(Document.case_id == case.id))]


def retention_end(runtime, case_no: str) -> date | None:
    with runtime.sessions() as session:
        return session.scalar(select(ArchiveRecord.retention_ends_on).join(ArchiveRecord.case)
                              .where(Case.case_no == case_no))


def post(client, path: str, page: str, **form):
    token = factories.csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form})


@pytest.mark.s3
def test_s3_object_lock_follows_filing_and_holds(locked):
    desk = factories.sign_off_desk(locked)
    case_no = factories.close_by_rejection(locked, desk, seed=3)
    (key,) = keys_of(locked, case_no)
    today = date.today()

    # Stored: kept ten years from upload, not held.
    stored = locked.store.protection(key)
    assert stored.read_only and not stored.legal_hold
    assert today + timedelta(days=3650) <= stored.retain_until <= today + timedelta(days=3655)

    # Filed (web desk, job run inline): retention reaches the record's end, 1 January 11 years on.
    client = create_app(locked).test_client()
    factories.login(client, desk["archivist"])
    assert post(client, f"/records/cases/{case_no}/file", "/records").status_code == 302
    ends = retention_end(locked, case_no)
    assert ends == date(today.year + 11, 1, 1)
    assert locked.store.protection(key).retain_until == ends

    # Held: the flag is on and the store refuses to delete the original, which stays readable.
    assert post(client, f"/records/cases/{case_no}/holds", f"/cases/{case_no}",
                reason="法院调取").status_code == 302
    assert locked.store.protection(key).legal_hold
    with pytest.raises(StoreError, match="AccessDenied"):
        locked.store.delete(key)
    with locked.store.open(key) as original:
        assert original.read(5) == b"%PDF-"

    # Lifted: the flag is off; the retention date still keeps the original.
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    hold_id = int(page.split("/holds/")[1].split("/lift")[0])
    assert post(client, f"/records/cases/{case_no}/holds/{hold_id}/lift", f"/cases/{case_no}",
                reason="诉讼结束").status_code == 302
    assert not locked.store.protection(key).legal_hold
    with pytest.raises(StoreError, match="AccessDenied"):
        locked.store.delete(key)


@pytest.mark.s3
def test_the_store_follows_a_hold_on_every_path_once_it_commits(locked):
    """The CLI and the jobs call the records services as the desk does, and the services ask for
    the store's update themselves (archive.follow_ups): it follows the commit, on any path, and
    a change rolled back asks for nothing."""
    from archive.records.holds import lift_hold, place_hold

    desk = factories.sign_off_desk(locked)
    case_no = factories.close_by_rejection(locked, desk, seed=4)
    (key,) = keys_of(locked, case_no)
    with locked.sessions() as session:
        place_hold(session, case_no, actor=session.merge(desk["archivist"]), reason="法院调取")
        session.rollback()
    assert not locked.store.protection(key).legal_hold
    with locked.sessions.begin() as session:
        place_hold(session, case_no, actor=session.merge(desk["archivist"]), reason="法院调取")
    assert locked.store.protection(key).legal_hold
    with locked.sessions.begin() as session:
        lift_hold(session, case_no, actor=session.merge(desk["archivist"]), reason="诉讼结束")
    assert not locked.store.protection(key).legal_hold


@pytest.mark.s3
def test_permanent_records_get_a_far_retention_and_dates_only_grow(locked):
    clerk = factories.users_for_all_roles(locked)["intake_clerk"]
    case_no = factories.make_case(locked, clerk)
    factories.upload(locked, clerk, case_no, factories.invoice_pdf(seed=41), process=False)
    (key,) = keys_of(locked, case_no)
    first = locked.store.protection(key).retain_until

    locked.store.protect(key, retain_until=date.today() + timedelta(days=30), legal_hold=False)
    assert locked.store.protection(key).retain_until == first  # never shortened

    locked.store.protect(key, retain_until=PERMANENT, legal_hold=False)
    assert locked.store.protection(key).retain_until >= date.today() + timedelta(days=99 * 365)


@pytest.mark.s3
def test_object_lock_on_a_bucket_made_without_it_is_a_clear_error(make_rt, s3):
    from archive.config import load_settings
    from archive.runtime import make_runtime

    bucket = f"plain-{uuid.uuid4().hex[:12]}"
    make_rt(**s3_settings(s3, bucket, object_lock=False))
    settings = load_settings({**os.environ, **s3_settings(s3, bucket)})
    with pytest.raises(StoreError, match="created without object lock"):
        make_runtime(settings).store.check()


def test_local_originals_are_read_only_and_protect_all_mends_older_files(rt):
    users = factories.users_for_all_roles(rt)
    case_no = factories.make_case(rt, users["intake_clerk"])
    factories.upload(rt, users["intake_clerk"], case_no, factories.invoice_pdf(seed=42), process=False)
    (key,) = keys_of(rt, case_no)
    path = rt.store.local_path(key)
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert rt.store.protection(key).read_only

    path.chmod(0o644)  # an original stored before originals were made read-only
    assert not rt.store.protection(key).read_only
    assert sync_all(rt.sessions, rt.store) == 1
    assert rt.store.protection(key).read_only


@pytest.mark.s3
def test_archive_protect_command(make_rt, s3, environ):
    settings = s3_settings(s3, f"lock-{uuid.uuid4().hex[:12]}")
    runtime = make_rt(**settings)
    clerk = factories.users_for_all_roles(runtime)["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=43), process=False)
    env = {**os.environ, **environ, **settings}

    done = factories.archive(env, "protect", case_no)
    assert (done.returncode, done.stdout.strip()) == (0, f"{case_no}: 1 original(s) protected")
    assert factories.archive(env, "protect", "--all").stdout.strip() == "1 original(s) protected"
    unknown = factories.archive(env, "protect", "2099-999999")
    assert unknown.returncode != 0 and "case 2099-999999" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert factories.archive(env, "protect").returncode == 2  # neither cases nor --all
