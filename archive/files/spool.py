"""Receive an upload stream onto local disk, hashing as it goes, never holding it in memory."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.errors import _ as _l
from archive.files.validate import Rejected
from archive.storage import ObjectStore
from archive.storage.local import READ_ONLY

CHUNK = 1024 * 1024
PREFIX = "upload-"
# Other temporary files in the same directory that a killed process can leave (the case-file
# export's zip, web/cases.py); they carry no owner, so only their age tells they are stale.
OTHER_PREFIXES = ("case-file-",)

log = logging.getLogger(__name__)


@dataclass
class SpooledFile:
    path: Path
    size: int
    sha256: str
    # The whole content when it came in one chunk (≤ 1 MB, most invoices), so the checks read it
    # from memory instead of opening the file again; the caller drops it once they are done.
    content: bytes | None = None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def spool(stream: BinaryIO, *, max_bytes: int, tmp_dir: Path) -> SpooledFile:
    fd, name = _create(tmp_dir)
    digest = hashlib.sha256()
    size = 0
    first: bytes | None = None
    try:
        try:
            while chunk := stream.read(CHUNK):
                first = chunk if size == 0 else None
                size += len(chunk)
                if size > max_bytes:
                    raise Rejected(
                        _l("the file is larger than the limit of %(mb)s MB"), code="too_large",
                        status=413, mb=max_bytes // (1024 * 1024),
                    )
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return SpooledFile(path=Path(name), size=size, sha256=digest.hexdigest(), content=first)


_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _create(tmp_dir: Path) -> tuple[int, str]:
    """A new file with a random name, open for writing, and read-only for everyone from the
    start (the descriptor still writes): an upload is never changed once received, and the
    store takes it as it is."""
    for _ in range(100):
        name = os.path.join(tmp_dir, f"{PREFIX}{_owner()}-{secrets.token_hex(8)}")
        try:
            return os.open(name, _CREATE_FLAGS, READ_ONLY), name
        except FileExistsError:
            continue
        except FileNotFoundError:  # first upload, or the directory was cleaned away
            tmp_dir.mkdir(parents=True, exist_ok=True)
    raise FileExistsError(f"no free temporary name in {tmp_dir}")


@contextmanager
def readable_file(store: ObjectStore, key: str, *, max_bytes: int, tmp_dir: Path) -> Iterator[Path]:
    """A path to read a stored object from: the local store's own file (originals never change),
    or a copy spooled from a remote store and removed afterwards."""
    path = store.local_path(key)
    if path is not None:
        yield path
        return
    with store.open(key) as stream:
        spooled = spool(stream, max_bytes=max_bytes, tmp_dir=tmp_dir)
    try:
        yield spooled.path
    finally:
        spooled.discard()


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _owner() -> str:
    """Who is spooling: this machine and process, so a restart can tell a dead one's files."""
    return f"{_host()}-{os.getpid()}"


def clean_stale(tmp_dir: Path, *, older_than_hours: float = 24) -> list[Path]:
    """Remove uploads that a killed process left spooled (and other leftovers), at start-up.

    An upload file is stale when the process that spooled it on this machine is gone; one from
    another machine sharing the directory, an unnamed one, or any other leftover only when
    untouched for `older_than_hours` — a live upload is never removed under its writer.
    """
    if not tmp_dir.is_dir():
        return []
    removed = []
    host, cutoff = _host(), time.time() - older_than_hours * 3600
    for entry in os.scandir(tmp_dir):
        if not entry.is_file(follow_symlinks=False):
            continue
        if entry.name.startswith(PREFIX):
            stale = _dead_owner(entry.name.removeprefix(PREFIX), host) or _older(entry, cutoff)
        elif entry.name.startswith(OTHER_PREFIXES):
            stale = _older(entry, cutoff)
        else:
            continue
        if stale:
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    if removed:
        log.info("removed %d stale temporary files from %s", len(removed), tmp_dir)
    return removed


def _dead_owner(rest: str, host: str) -> bool:
    parts = rest.split("-")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False  # another machine's, or named before owners were: age decides
    pid = int(parts[1])
    if pid == os.getpid():
        return False  # ours (a reused pid of a dead process would be older: age decides)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _older(entry: os.DirEntry, cutoff: float) -> bool:
    try:
        return entry.stat(follow_symlinks=False).st_mtime < cutoff
    except FileNotFoundError:
        return False
