"""The whole intake path on PostgreSQL and the S3 server (moto over real HTTP, minio client)."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from archive import create_app
from tests import factories
from tests.integration.s3_server import moto_s3_server

pytestmark = [pytest.mark.s3, pytest.mark.postgres]


@pytest.fixture(scope="module")
def s3():
    with moto_s3_server() as server:
        yield server


@pytest.fixture
def rt(make_rt, postgres, s3):
    import psycopg

    name = f"s3_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return make_rt(ARCHIVE_DATABASE_URL=postgres.url(name), ARCHIVE_STORE_BACKEND="s3",
                   ARCHIVE_STORE_ENDPOINT=s3.endpoint, ARCHIVE_STORE_BUCKET=f"b-{name.replace('_', '-')}",
                   ARCHIVE_STORE_ACCESS_KEY=s3.access_key, ARCHIVE_STORE_SECRET_KEY=s3.secret_key,
                   ARCHIVE_STORE_SECURE="false")


def test_upload_process_and_download_through_s3(rt):
    users = factories.users_for_all_roles(rt)
    case_no = factories.make_case(rt, users["intake_clerk"])
    content = factories.invoice_pdf(pages=4)
    result = factories.upload(rt, users["intake_clerk"], case_no, content, filename="住院发票.pdf")
    assert result.duplicate is None

    client = create_app(rt).test_client()
    factories.login(client, "auditor")
    document = client.get(f"/cases/{case_no}/documents.json").json["documents"][0]
    assert (document["status"], document["pages"]) == ("processed", 4)
    download = client.get(f"/documents/{result.document_id}/original")
    assert hashlib.sha256(download.data).hexdigest() == hashlib.sha256(content).hexdigest()
    assert client.get("/healthz").json["checks"]["store"] == {"ok": True, "backend": "s3"}


def test_orphans_on_s3_are_swept_only_past_the_grace_period(rt, tmp_path):
    from datetime import UTC, datetime, timedelta

    from archive.records.reconcile import sweep_orphans
    from archive.storage import key_for_sha256

    source = tmp_path / "orphan.pdf"
    source.write_bytes(factories.invoice_pdf(seed=31))
    orphan = key_for_sha256("c" * 64)
    rt.store.put_file(orphan, source, content_type="application/pdf", size=source.stat().st_size)
    written = rt.store.modified_at(orphan)
    assert abs(datetime.now(UTC) - written) < timedelta(minutes=5)
    assert sweep_orphans(rt, grace=timedelta(hours=24)).waiting == [orphan]
    assert rt.store.exists(orphan)
    assert sweep_orphans(rt, grace=timedelta(0)).swept == [orphan]
    assert not rt.store.exists(orphan)
