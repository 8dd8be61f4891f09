"""An upload spooled to disk: hashed as it is written, read-only from the start, and nothing
left behind when it is refused."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest

from archive.files.spool import CHUNK, spool
from archive.files.validate import Rejected


def test_a_spooled_upload_is_hashed_and_read_only(tmp_path: Path) -> None:
    content = b"%PDF-1.4 " + bytes(range(256)) * (CHUNK // 256 + 3)  # more than one chunk
    spooled = spool(io.BytesIO(content), max_bytes=10 * CHUNK, tmp_dir=tmp_path / "tmp")
    assert spooled.path.read_bytes() == content
    assert (spooled.size, spooled.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert spooled.content is None  # more than one chunk: not kept in memory
    assert not spooled.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    small = spool(io.BytesIO(b"%PDF small"), max_bytes=CHUNK, tmp_dir=tmp_path / "tmp")
    assert small.content == b"%PDF small" and small.path != spooled.path
    spooled.discard()
    small.discard()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_upload_over_the_limit_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    with pytest.raises(Rejected) as refused:
        spool(io.BytesIO(b"x" * (CHUNK + 1)), max_bytes=CHUNK, tmp_dir=tmp_path / "tmp")
    assert refused.value.status == 413
    assert list((tmp_path / "tmp").iterdir()) == []
