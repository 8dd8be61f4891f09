"""`archive ingest` commits files in batches bounded by count and by bytes."""

from __future__ import annotations

from pathlib import Path

from archive.cli.ingest import batch_limits, batches
from archive.config import load_settings


def _files(tmp_path: Path, sizes: list[int]) -> list[Path]:
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"{number:02d}.pdf"
        path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


def _sizes(runs: list[list[Path]]) -> list[list[int]]:
    return [[path.stat().st_size for path in run] for run in runs]


def test_a_batch_ends_at_the_file_count(tmp_path: Path) -> None:
    files = _files(tmp_path, [1] * 7)
    runs = list(batches(files, max_files=3, max_bytes=1000))
    assert [len(run) for run in runs] == [3, 3, 1]
    assert [path for run in runs for path in run] == files


def test_a_batch_ends_before_the_byte_limit_and_a_larger_file_goes_alone(tmp_path: Path) -> None:
    files = _files(tmp_path, [40, 50, 20, 150, 10, 100])
    assert _sizes(batches(files, max_files=100, max_bytes=100)) == [[40, 50], [20], [150], [10],
                                                                   [100]]


def test_the_limits_come_from_the_configuration(tmp_path: Path) -> None:
    settings = load_settings({"ARCHIVE_DATA_DIR": str(tmp_path), "ARCHIVE_INTAKE_BATCH_FILES": "5",
                              "ARCHIVE_INTAKE_BATCH_MB": "2"})
    assert batch_limits(settings) == {"max_files": 5, "max_bytes": 2 * 1024 * 1024}
    assert batch_limits(load_settings({"ARCHIVE_DATA_DIR": str(tmp_path)})) == {
        "max_files": 1000, "max_bytes": 256 * 1024 * 1024}
