from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from archive.storage.base import FANOUT_PREFIXES, ObjectMissing, Protection, PutItem, StoreError

READ_ONLY = 0o440  # read-only, and for the owner and its group only (personal data)

_syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)


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
        self._root_name = str(self._resolved_root)
        self._tmp = self.root / ".tmp"
        self._root_device: int | None = None

    def _path(self, key: str) -> Path:
        return Path(self._file(key))

    def _file(self, key: str) -> str:
        # Checked by its parts, not with resolve(): that costs an lstat per path component, and
        # no one but this store writes links under its root. A string, not a Path, on the write
        # path: a batch joins one per file.
        parts = key.split("/")
        if key.startswith("/") or "\0" in key or any(part in ("", ".", "..") for part in parts):
            raise StoreError(f"key outside the store: {key!r}")
        return os.path.join(self._root_name, *parts)

    def put_file(self, key: str, path: Path, *, content_type: str, size: int) -> None:
        self.put_files([PutItem(key, path, content_type, size)])

    def put_files(self, items: Sequence[PutItem]) -> None:
        """Copy each file to a temp file, make them durable, then rename them into place.

        One file is fsynced with its directory. For several, one syncfs(2) before the renames and
        one after replace two fsyncs per file (a group commit, as databases do): no key ever names
        a file whose bytes are not on disk, and every rename is durable when this returns.
        """
        if not items:
            return  # nothing to make durable (an upload of bytes already stored)
        single = len(items) == 1
        staged: list[tuple[Path, str]] = []
        try:
            for item in items:
                target = self._file(item.key)
                staged.append((self._stage(item, fsync=single), target))
            if not single:
                _sync_filesystem(self.root, (tmp for tmp, _ in staged))
            for tmp, target in staged:
                _rename_into(tmp, target)
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        if single:
            _fsync_path(os.path.dirname(staged[0][1]))  # the rename itself durable, not just the bytes
        else:
            _sync_filesystem(self.root, (os.path.dirname(target) for _, target in staged))

    def _stage(self, item: PutItem, *, fsync: bool) -> Path:
        """A read-only file on the store's file system holding the item's bytes: the caller's
        own file when it is movable and already there, else a copy in the temp directory."""
        status = os.stat(item.path) if item.movable else None
        if status is not None and status.st_dev == self._device():
            if status.st_mode & 0o222:
                os.chmod(item.path, READ_ONLY)
            if fsync:
                _fsync_path(item.path)
            return item.path
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        except FileNotFoundError:  # a store not set up by `check`, or its temp directory removed
            self._tmp.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out, open(item.path, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fchmod(out.fileno(), READ_ONLY)
                if fsync:
                    os.fsync(out.fileno())
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return Path(tmp_name)

    def _device(self) -> int:
        if self._root_device is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._root_device = os.stat(self.root).st_dev
        return self._root_device

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

    def modified_at(self, key: str) -> datetime:
        try:
            return datetime.fromtimestamp(self._path(key).stat().st_mtime, UTC)
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
            # Every key's directory is made here, once, so that storing never makes one (the
            # last is made last: once it exists, they all do).
            if not self._resolved_root.joinpath(FANOUT_PREFIXES[-1]).is_dir():
                for prefix in FANOUT_PREFIXES:
                    self._resolved_root.joinpath(prefix).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"local store {self.root} is not writable: {exc}") from exc


def _rename_into(tmp: Path, target: str) -> None:
    try:
        os.replace(tmp, target)
    except FileNotFoundError:  # its directory is missing: a store not set up by `check`
        if not tmp.exists():
            raise
        directory = os.path.dirname(target)
        os.makedirs(directory, exist_ok=True)
        _fsync_path(os.path.dirname(directory))  # the new directory's own entry
        os.replace(tmp, target)


def _sync_filesystem(anchor: Path, paths: Iterable[Path | str]) -> None:
    """Flush the file system holding `anchor` with one syncfs(2); where that call does not exist
    (not Linux), fsync each of `paths` instead (only then are they gone through)."""
    if _syncfs is None:
        for path in dict.fromkeys(paths):
            _fsync_path(path)
        return
    fd = os.open(anchor, os.O_RDONLY)
    try:
        if _syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"syncfs failed: {os.strerror(error)}")
    finally:
        os.close(fd)


def _fsync_path(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
