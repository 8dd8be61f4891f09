from __future__ import annotations

from collections.abc import Iterator
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


class ObjectStore(Protocol):
    def put_file(self, key: str, path: Path, *, content_type: str, size: int) -> None:
        """Store the file at `path` under `key`, streaming it; replace nothing half-written."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object (raises ObjectMissing). The caller closes it."""

    def local_path(self, key: str) -> Path | None:
        """The object's own file, to be read in place, or None when it is not on local disk."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Stored size in bytes (raises ObjectMissing)."""

    def delete(self, key: str) -> None:
        """Remove the object; no error if it is already gone."""

    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...

    def check(self) -> None:
        """Raise StoreError if the store cannot be used; create what is missing."""
