"""Bulk intake from the command line: files or folders, committed in batches."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from archive.access import get_case
from archive.audit import Origin, current_origin
from archive.intake import Incoming, Rejected, ingest_many, open_case


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def batches(files: list[Path], *, max_files: int, max_bytes: int) -> Iterator[list[Path]]:
    """Consecutive runs of `files` committed together: at most `max_files` files and, unless
    one file alone is larger, `max_bytes` bytes (a batch waits spooled in the temp directory
    until its commit)."""
    batch: list[Path] = []
    size = 0
    for path in files:
        file_size = path.stat().st_size
        if batch and (len(batch) == max_files or size + file_size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_size
    if batch:
        yield batch


def batch_limits(settings) -> dict[str, int]:
    return {"max_files": max(1, int(settings.get("intake.batch_files"))),
            "max_bytes": int(settings.get("intake.batch_mb")) * 1024 * 1024}


def run_ingest(runtime, paths, *, kind, case_no, claimant, claim_type, actor, operator) -> int:
    """Ingest every file; returns the number refused."""
    current_origin.set(Origin("cli", request_id=f"cli:{operator}"))
    if case_no is None:
        with runtime.sessions.begin() as session:
            case_no = open_case(session, actor=actor, claimant_name=claimant,
                                claim_type=claim_type).case_no
        click.echo(f"opened case {case_no}")
    else:
        with runtime.sessions() as session:
            get_case(session, actor, case_no)  # an unknown case fails before any file is read
    files = expand(list(paths))
    refused = 0
    with click.progressbar(length=len(files), label=f"ingesting into {case_no}",
                           file=sys.stderr) as bar:
        for chunk in batches(files, **batch_limits(runtime.settings)):
            outcomes = ingest_many(runtime.sessions, runtime.store, runtime.limits,
                                   tmp_dir=runtime.tmp_dir, case_no=case_no,
                                   files=[Incoming.from_path(path) for path in chunk], kind=kind,
                                   actor=actor)
            for path, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, Rejected):
                    refused += 1
                    click.echo(f"\n{path}: refused: {outcome.reason}", err=True)
            bar.update(len(chunk))
    click.echo(f"{len(files) - refused} of {len(files)} files accepted into {case_no}")
    return refused
