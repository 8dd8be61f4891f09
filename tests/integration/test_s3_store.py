"""S3Store against moto's S3 server over real HTTP, with the real MinIO client (no mocks)."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio import Minio

from archive.storage.base import ObjectMissing, PutItem, StoreError, key_for_sha256
from archive.storage.s3 import MIN_PART_SIZE, S3Store
from tests.integration.s3_server import S3Server, closed_port, moto_s3_server

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


def make_store(server: S3Server, bucket: str, **kwargs: object) -> S3Store:
    return S3Store(
        endpoint=server.endpoint,
        bucket=bucket,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=server.secure,
        region=server.region,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(s3_server: S3Server) -> S3Store:
    """A store on a fresh, empty bucket."""
    s3 = make_store(s3_server, f"test-{uuid.uuid4().hex[:16]}", part_size=MIN_PART_SIZE)
    s3.check()
    return s3


def raw_client(server: S3Server) -> Minio:
    return Minio(
        endpoint=server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=server.secure,
        region=server.region,
    )


def read_all(store: S3Store, key: str) -> bytes:
    stream = store.open(key)
    try:
        return stream.read()
    finally:
        stream.close()


def test_round_trip_content_addressed_and_chinese_keys(store: S3Store, tmp_path: Path) -> None:
    data = "住院费用一日清单 / inpatient daily cost list\n".encode() * 100
    source = tmp_path / "住院费用一日清单.pdf"
    source.write_bytes(data)
    sha_key = key_for_sha256(hashlib.sha256(data).hexdigest())
    chinese_key = "test/住院费用一日清单.pdf"

    for key in (sha_key, chinese_key):
        store.put_file(key, source, content_type="application/pdf", size=len(data))
        assert read_all(store, key) == data
        assert store.size(key) == len(data)
        assert store.exists(key)

    assert sorted(store.iter_keys()) == sorted([sha_key, chinese_key])
    assert list(store.iter_keys("test/")) == [chinese_key]
    assert list(store.iter_keys("sha256/")) == [sha_key]

    with store.open(chinese_key) as stream:
        assert stream.read(5) == data[:5]
        assert stream.read(5) == data[5:10]
    assert stream.closed


def test_streamed_multipart_upload_keeps_the_bytes(
    store: S3Store, s3_server: S3Server, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with source.open("wb") as out:
        for _ in range(12):
            chunk = os.urandom(1024 * 1024)
            digest.update(chunk)
            out.write(chunk)
    size = source.stat().st_size

    store.put_file("big/object.bin", source, content_type="application/octet-stream", size=size)

    # A multipart ETag ends in "-<parts>": proves the 12 MiB went up as 3 parts of 5 MiB.
    stat = raw_client(s3_server).stat_object(bucket_name=store.bucket, object_name="big/object.bin")
    assert (stat.etag or "").endswith("-3")
    assert store.size("big/object.bin") == size

    received = hashlib.sha256()
    with store.open("big/object.bin") as stream:
        while chunk := stream.read(1024 * 1024):
            received.update(chunk)
    assert received.hexdigest() == digest.hexdigest()


def test_put_file_refuses_a_size_mismatch(store: S3Store, tmp_path: Path) -> None:
    source = tmp_path / "short.bin"
    source.write_bytes(b"12345")
    with pytest.raises(StoreError, match="expected 6"):
        store.put_file("short", source, content_type="application/octet-stream", size=6)
    assert not store.exists("short")


def test_missing_object(store: S3Store) -> None:
    key = key_for_sha256("0" * 64)
    with pytest.raises(ObjectMissing):
        store.open(key)
    with pytest.raises(ObjectMissing):
        store.size(key)
    assert not store.exists(key)
    store.delete(key)
    assert list(store.iter_keys()) == []


def test_delete_removes_the_object(store: S3Store, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"a")
    store.put_file("a.txt", source, content_type="text/plain", size=1)
    store.delete("a.txt")
    assert not store.exists("a.txt")
    store.delete("a.txt")


def test_check_creates_a_missing_bucket(s3_server: S3Server) -> None:
    bucket = f"new-{uuid.uuid4().hex[:16]}"
    client = raw_client(s3_server)
    assert not client.bucket_exists(bucket_name=bucket)
    store = make_store(s3_server, bucket)
    store.check()
    assert client.bucket_exists(bucket_name=bucket)
    store.check()  # idempotent


def test_unreachable_endpoint_fails_fast_with_a_clear_error() -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    store = S3Store(
        endpoint=endpoint,
        bucket="medarchive",
        access_key="AKIAEXAMPLE",
        secret_key="very-secret-value",
        secure=False,
        connect_timeout=1.0,
        retries=1,
    )
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        store.check()
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert f"{endpoint}/medarchive" in message
    assert "\n" not in message
    assert "very-secret-value" not in message
    with pytest.raises(StoreError):
        store.size("anything")
    with pytest.raises(StoreError):
        list(store.iter_keys())


def test_from_settings() -> None:
    store = S3Store.from_settings(
        {
            "endpoint": "minio.internal:9000",
            "bucket": "medarchive",
            "region": "us-east-1",
            "secure": True,
            "access_key": "k",
            "secret_key": "s",
            "part_size_mb": 16,
        }
    )
    assert (store.endpoint, store.bucket, store.part_size) == (
        "minio.internal:9000",
        "medarchive",
        16 * 1024 * 1024,
    )
    with pytest.raises(StoreError, match="5 MiB"):
        S3Store.from_settings({"endpoint": "x:9000", "bucket": "b", "part_size_mb": 1})
    with pytest.raises(StoreError, match="endpoint"):
        S3Store.from_settings({"endpoint": "", "bucket": "b"})


def test_put_files_uploads_a_batch_and_raises_after_every_upload_finished(store: S3Store,
                                                                          tmp_path: Path) -> None:
    items = []
    for number in range(6):
        source = tmp_path / f"{number}.bin"
        source.write_bytes(f"对象 {number} ".encode() * (number + 1))
        items.append(PutItem(f"batch/{number}", source, "application/octet-stream",
                             source.stat().st_size))
    store.put_files(items)
    assert [read_all(store, item.key) for item in items] == [item.path.read_bytes() for item in items]

    short = PutItem("batch/short", items[0].path, "application/octet-stream", items[0].size + 1)
    later = tmp_path / "later.bin"
    later.write_bytes(b"later")
    with pytest.raises(StoreError, match="expected"):
        store.put_files([short, PutItem("batch/later", later, "application/octet-stream", 5)])
    assert not store.exists("batch/short")
    assert read_all(store, "batch/later") == b"later"  # the caller removes what nothing refers to
