from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import MinioException, S3Error
from minio.retention import Retention

from archive.storage.base import ObjectMissing, Protection, PutItem, StoreError

MIN_PART_SIZE = 5 * 1024 * 1024
_MISSING = {"NoSuchKey", "NoSuchObject"}
_RETRY_STATUS = [500, 502, 503, 504]
# Uploads in flight at once for a batch; each holds at most one part (part_size) in memory.
PARALLEL_UPLOADS = 4


class S3Store:
    """Objects in one bucket of any S3 API server, through the MinIO client.

    With `object_lock`, the bucket is created with S3 Object Lock (which also turns on
    versioning): every original gets a retention date as it is stored (`initial_retention_years`,
    extended to the record's retention end when the case is filed) and the legal-hold flag while
    its case is held. The retention is set by a second request after the upload, not by headers
    on the upload itself: S3 wants a Content-MD5 with object-lock headers, which the MinIO SDK
    sends only over HTTPS, and moto's server refuses the upload without it.
    """

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        access_key: str = "",
        secret_key: str = "",
        secure: bool = True,
        region: str = "us-east-1",
        part_size: int = 16 * 1024 * 1024,
        connect_timeout: float = 10.0,
        retries: int = 3,
        object_lock: bool = False,
        lock_mode: str = GOVERNANCE,
        initial_retention_years: int = 10,
        permanent_retention_years: int = 100,
    ) -> None:
        if not endpoint or not bucket:
            raise StoreError("S3 store needs both store.endpoint and store.bucket")
        if part_size < MIN_PART_SIZE:
            raise StoreError(f"S3 part size must be at least 5 MiB, got {part_size} bytes")
        self.endpoint, self.bucket, self.part_size = endpoint, bucket, part_size
        if lock_mode.upper() not in (GOVERNANCE, COMPLIANCE):
            raise StoreError(f"store.lock_mode must be {GOVERNANCE} or {COMPLIANCE}, got {lock_mode!r}")
        self.object_lock, self.lock_mode = object_lock, lock_mode.upper()
        self.initial_retention_years = initial_retention_years
        self.permanent_retention_years = permanent_retention_years
        # Minio's own default waits 5 minutes to connect; check() must fail fast instead.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=300),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(retries, backoff_factor=0.2, status_forcelist=_RETRY_STATUS),
        )
        try:
            self._client = Minio(
                endpoint=endpoint,
                access_key=access_key or None,
                secret_key=secret_key or None,
                secure=secure,
                region=region or None,
                http_client=http,
            )
        except ValueError as exc:
            raise StoreError(f"S3 store endpoint {endpoint!r} is not usable: {exc}") from None

    @classmethod
    def from_settings(cls, section: dict[str, Any]) -> S3Store:
        return cls(
            endpoint=str(section.get("endpoint") or ""),
            bucket=str(section.get("bucket") or ""),
            access_key=str(section.get("access_key") or ""),
            secret_key=str(section.get("secret_key") or ""),
            secure=bool(section.get("secure", True)),
            region=str(section.get("region") or "us-east-1"),
            part_size=int(float(section.get("part_size_mb") or 16) * 1024 * 1024),
            object_lock=bool(section.get("object_lock", False)),
            lock_mode=str(section.get("lock_mode") or GOVERNANCE),
            initial_retention_years=int(section.get("initial_retention_years", 10)),
            permanent_retention_years=int(section.get("permanent_retention_years", 100)),
        )

    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        try:
            yield
        except S3Error as exc:
            if key is not None and exc.code in _MISSING:
                raise ObjectMissing(key) from None
            raise self._error(action, f"{exc.code}: {exc.message}") from None
        except (MinioException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise self._error(action, str(exc)) from None

    def _error(self, action: str, detail: str) -> StoreError:
        detail = " ".join(detail.split())
        return StoreError(f"S3 store {self.endpoint}/{self.bucket}: {action} failed: {detail}")

    def put_file(self, key: str, path: Path, *, content_type: str, size: int) -> None:
        with open(path, "rb") as src:
            actual = os.fstat(src.fileno()).st_size
            if actual != size:
                raise StoreError(f"{path} has {actual} bytes, expected {size}")
            # A single PUT or a multipart upload both become visible only once complete.
            with self._errors(f"upload of {key}"):
                self._client.put_object(
                    bucket_name=self.bucket,
                    object_name=key,
                    data=src,
                    length=size,
                    content_type=content_type,
                    part_size=self.part_size,
                    # Parts are read into memory; one at a time bounds that to part_size.
                    num_parallel_uploads=1,
                )
        if self.object_lock and self.initial_retention_years > 0:
            self.protect(key, retain_until=_years_from_today(self.initial_retention_years),
                         legal_hold=False)

    def put_files(self, items: Sequence[PutItem]) -> None:
        """Upload a few at a time: each upload is a round trip, and the server takes them in
        parallel. Every upload is waited for before the first error is raised."""
        if len(items) <= 1:
            for item in items:
                self.put_file(item.key, item.path, content_type=item.content_type, size=item.size)
            return
        with ThreadPoolExecutor(max_workers=min(PARALLEL_UPLOADS, len(items))) as pool:
            futures = [pool.submit(self.put_file, item.key, item.path, content_type=item.content_type,
                                   size=item.size) for item in items]
        for future in futures:
            future.result()

    def open(self, key: str) -> BinaryIO:
        with self._errors(f"download of {key}", key):
            response = self._client.get_object(bucket_name=self.bucket, object_name=key)
        return cast(BinaryIO, io.BufferedReader(_Body(response, self, key), 1024 * 1024))

    def local_path(self, key: str) -> Path | None:
        return None  # read through open(), spooled by the caller

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectMissing:
            return False
        return True

    def size(self, key: str) -> int:
        with self._errors(f"stat of {key}", key):
            stat = self._client.stat_object(bucket_name=self.bucket, object_name=key)
        return int(stat.size or 0)

    def modified_at(self, key: str) -> datetime:
        with self._errors(f"stat of {key}", key):
            stat = self._client.stat_object(bucket_name=self.bucket, object_name=key)
        return stat.last_modified or datetime.now(UTC)  # never missing from a HEAD answer

    def delete(self, key: str) -> None:
        with suppress(ObjectMissing), self._errors(f"delete of {key}", key):
            if not self.object_lock:
                self._client.remove_object(bucket_name=self.bucket, object_name=key)
                return
            # A versioned bucket keeps the bytes behind a delete marker; destruction removes
            # every version, which S3 refuses while a retention date or legal hold is in force.
            for version in self._client.list_objects(bucket_name=self.bucket, prefix=key,
                                                     include_version=True):
                if version.object_name == key:
                    self._client.remove_object(bucket_name=self.bucket, object_name=key,
                                               version_id=version.version_id)

    def protect(self, key: str, *, retain_until: date | None, legal_hold: bool) -> None:
        if not self.object_lock:
            return
        if retain_until == date.max:  # kept permanently: a date far off, extended by later runs
            retain_until = _years_from_today(self.permanent_retention_years)
        current = self.protection(key)
        with self._errors(f"protection of {key}", key):
            if retain_until is not None and (current.retain_until is None
                                             or current.retain_until < retain_until):
                until = datetime.combine(retain_until, datetime.min.time(), UTC)
                self._client.set_object_retention(bucket_name=self.bucket, object_name=key,
                                                  config=Retention(self.lock_mode, until))
            if legal_hold and not current.legal_hold:
                self._client.enable_object_legal_hold(bucket_name=self.bucket, object_name=key)
            elif current.legal_hold and not legal_hold:
                self._client.disable_object_legal_hold(bucket_name=self.bucket, object_name=key)

    def protection(self, key: str) -> Protection:
        with self._errors(f"stat of {key}", key):
            headers = self._client.stat_object(bucket_name=self.bucket, object_name=key).metadata
        # Read from HEAD rather than GET ?retention / ?legal-hold: S3 returns both there, and
        # moto's server answers GET ?retention with the object's bytes.
        until = headers.get("x-amz-object-lock-retain-until-date")
        return Protection(
            retain_until=datetime.fromisoformat(until.replace("Z", "+00:00")).date() if until else None,
            legal_hold=headers.get("x-amz-object-lock-legal-hold", "").upper() == "ON",
            read_only=self.object_lock,
        )

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        with self._errors(f"listing of {prefix or '/'}"):
            for obj in self._client.list_objects(
                bucket_name=self.bucket, prefix=prefix or None, recursive=True
            ):
                if obj.object_name and not obj.is_dir:
                    yield obj.object_name

    def check(self) -> None:
        with self._errors("bucket check"):
            if not self._client.bucket_exists(bucket_name=self.bucket):
                try:
                    self._client.make_bucket(bucket_name=self.bucket, object_lock=self.object_lock)
                except S3Error as exc:
                    # Another process may have created it between the two calls.
                    if exc.code != "BucketAlreadyOwnedByYou":
                        raise
            if self.object_lock:
                self._check_object_lock()

    def _check_object_lock(self) -> None:
        try:
            self._client.get_object_lock_config(bucket_name=self.bucket)
        except S3Error as exc:
            if exc.code != "ObjectLockConfigurationNotFoundError":
                raise
            # S3 turns object lock on only when a bucket is created; there is no switching later.
            raise StoreError(f"S3 store {self.endpoint}/{self.bucket}: store.object_lock is set but the "
                             "bucket was created without object lock; create a new bucket with "
                             "object lock and copy the objects over") from None


def _years_from_today(years: int) -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=round(years * 365.25))


class _Body(io.RawIOBase):
    """The HTTP response body; closing it hands the connection back to the pool."""

    def __init__(self, response: Any, store: S3Store, key: str) -> None:
        self._response, self._store, self._key = response, store, key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._store._errors(f"download of {self._key}"):
            return self._response.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()
