"""The local store's batch write: durable together, never a half-written file under a key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from archive.storage import PutItem
from archive.storage.local import LocalStore


def _items(tmp_path: Path, count: int) -> list[PutItem]:
    items = []
    for number in range(count):
        source = tmp_path / f"src-{number}.pdf"
        source.write_bytes(f"原件 {number}".encode() * 100)
        items.append(PutItem(f"sha256/{number:02d}/{number}", source, "application/pdf",
                             source.stat().st_size))
    return items


def test_put_files_stores_every_file_read_only(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    items = _items(tmp_path, 5)
    store.put_files(items)
    for item in items:
        path = store.local_path(item.key)
        assert path.read_bytes() == item.path.read_bytes()
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert list(store.iter_keys()) == [item.key for item in items]
    assert list((tmp_path / "store" / ".tmp").iterdir()) == []


def test_put_files_that_fails_midway_stores_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    items = _items(tmp_path, 4)
    items[2].path.unlink()  # the third source vanishes before it is copied
    with pytest.raises(FileNotFoundError):
        store.put_files(items)
    assert list(store.iter_keys()) == []
    assert list((tmp_path / "store" / ".tmp").iterdir()) == []


def test_check_makes_every_key_directory_once(tmp_path: Path) -> None:
    """A store set up by `check` has the directory of every key its uploads can name, so a
    batch renames files into place without making directories; a store whose directories were
    removed still stores (the directory is made then)."""
    import hashlib

    from archive.storage import key_for_sha256

    store = LocalStore(tmp_path / "store")
    store.check()
    directories = {path for path in (tmp_path / "store" / "sha256").iterdir() if path.is_dir()}
    assert len(directories) == 256
    sources = _items(tmp_path, 3)
    items = [PutItem(key_for_sha256(hashlib.sha256(item.path.read_bytes()).hexdigest()), item.path,
                     item.content_type, item.size) for item in sources]
    (tmp_path / "store" / items[0].key).parent.rmdir()
    store.put_files(items)
    assert sorted(store.iter_keys()) == sorted(item.key for item in items)
    assert {path for path in (tmp_path / "store" / "sha256").iterdir()} == directories


def test_put_files_without_syncfs_fsyncs_each_file_and_directory(tmp_path: Path, monkeypatch) -> None:
    """Where syncfs(2) does not exist (not Linux), each staged file and each target directory is
    fsynced instead, once each."""
    import archive.storage.local as local

    synced: list[str] = []
    real_fsync_path = local._fsync_path
    monkeypatch.setattr(local, "_syncfs", None)
    monkeypatch.setattr(local, "_fsync_path", lambda path: (synced.append(str(path)),
                                                             real_fsync_path(path)))
    store = LocalStore(tmp_path / "store")
    store.check()
    items = _items(tmp_path, 3)
    items.append(PutItem("sha256/00/other", items[0].path, "application/pdf", items[0].size))
    store.put_files(items)
    assert sorted(store.iter_keys()) == sorted(item.key for item in items)
    directories = [str(tmp_path / "store" / "sha256" / name) for name in ("00", "01", "02")]
    assert sorted(path for path in synced if path in directories) == directories  # once each
    assert len(synced) == len(items) + len(directories)
