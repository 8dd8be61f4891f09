from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO

from archive.storage.base import ObjectMissing, Protection, StoreError

READ_ONLY = 0o444


class LocalStore:
    """Objects as files under one directory, written atomically (temp file, fsync, rename).

    An object never changes once written (its key is its sha256), so every file is made
    read-only as it is stored: a stray write by a program or a person fails instead of altering
    an original unseen. The file system has no retention dates or legal holds; those are kept by
    the database (disposition refuses to destroy a held or unexpired case) and enforced in the
    store only on S3 with object lock.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._resolved_root = self.root.resolve()
        self._tmp = self.root / ".tmp"
        self._made_dirs: set[Path] = set()

    def _path(self, key: str) -> Path:
        path = (self._resolved_root / key).resolve()
        if self._resolved_root not in path.parents:
            raise StoreError(f"key outside the store: {key!r}")
        return path

    def put_file(self, key: str, path: Path, *, content_type: str, size: int) -> None:
        target = self._path(key)
        for directory in (target.parent, self._tmp):
            if directory not in self._made_dirs:
                directory.mkdir(parents=True, exist_ok=True)
                self._made_dirs.add(directory)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fchmod(out.fileno(), READ_ONLY)
                os.fsync(out.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        if not path.is_file():
            raise ObjectMissing(key)
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and self._tmp not in path.parents:
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def protect(self, key: str, *, retain_until: date | None, legal_hold: bool) -> None:
        # Files stored before they were made read-only at write time get the same mode here.
        try:
            self._path(key).chmod(READ_ONLY)
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def protection(self, key: str) -> Protection:
        try:
            mode = self._path(key).stat().st_mode
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return Protection(retain_until=None, legal_hold=False, read_only=not mode & 0o222)

    def check(self) -> None:
        try:
            self._tmp.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self._tmp):
                pass
        except OSError as exc:
            raise StoreError(f"local store {self.root} is not writable: {exc}") from exc


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable, not just the file's bytes.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
