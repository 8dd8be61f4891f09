from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Protocol


class StoreError(Exception):
    """The object store could not do what was asked."""


class ObjectMissing(StoreError):
    """No object under that key."""


def key_for_sha256(sha256: str) -> str:
    """Content-addressed key: the same bytes always land under the same key.

    One level of 256 directories: a million originals make ~4,000 files per directory, which
    file systems index well, while a deeper fan-out costs a new directory on most uploads.
    """
    return f"sha256/{sha256[:2]}/{sha256}"


# The directories every key above falls into, made when a local store is set up.
FANOUT_PREFIXES = tuple(f"sha256/{first:02x}" for first in range(256))


@dataclass(frozen=True)
class PutItem:
    """One file for `put_files`: stored under `key`, as `put_file` would store it."""

    key: str
    path: Path
    content_type: str
    size: int
    # The caller gives the file up: a store on the same file system may rename it into place
    # instead of copying it (and it may be gone afterwards, whatever the outcome).
    movable: bool = False


@dataclass(frozen=True)
class Protection:
    """How the store itself guards one object against change and deletion."""

    retain_until: date | None  # S3 object lock: no deletion before this day
    legal_hold: bool  # S3 object lock: no deletion while set
    read_only: bool  # the stored bytes cannot be overwritten in place


class ObjectStore(Protocol):
    def put_file(self, key: str, path: Path, *, content_type: str, size: int) -> None:
        """Store the file at `path` under `key`, streaming it; replace nothing half-written."""

    def put_files(self, items: Sequence[PutItem]) -> None:
        """Store several files; when it returns, every one is durable. A failure may leave some
        stored (whole, never half-written): the caller removes what nothing refers to."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object (raises ObjectMissing). The caller closes it."""

    def local_path(self, key: str) -> Path | None:
        """The object's own file, to be read in place, or None when it is not on local disk."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Stored size in bytes (raises ObjectMissing)."""

    def modified_at(self, key: str) -> datetime:
        """When the object was last written, in UTC (raises ObjectMissing)."""

    def delete(self, key: str) -> None:
        """Remove the object; no error if it is already gone."""

    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...

    def protect(self, key: str, *, retain_until: date | None, legal_hold: bool) -> None:
        """Keep the object at least until `retain_until` and under legal hold while `legal_hold`,
        where the store can enforce it (a retention date is only ever extended here)."""

    def protection(self, key: str) -> Protection:
        """What the store enforces for the object now (raises ObjectMissing)."""

    def check(self) -> None:
        """Raise StoreError if the store cannot be used; create what is missing."""
