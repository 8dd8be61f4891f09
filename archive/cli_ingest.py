"""Bulk intake from the command line: files or folders, committed in batches."""

from __future__ import annotations

from pathlib import Path

import click

from archive.access import get_case
from archive.intake import Incoming, Rejected, ingest_many, open_case, to_process
from archive.queue import enqueue_processing
from archive.records.audit import Origin, current_origin


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


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
    batch = max(1, int(runtime.settings.get("intake.batch_files")))
    refused = 0
    with click.progressbar(length=len(files), label=f"ingesting into {case_no}",
                           file=click.get_text_stream("stderr")) as bar:
        for start in range(0, len(files), batch):
            chunk = files[start:start + batch]
            outcomes = ingest_many(runtime.sessions, runtime.store, runtime.limits,
                                   tmp_dir=runtime.tmp_dir, case_no=case_no,
                                   files=[Incoming.from_path(path) for path in chunk], kind=kind,
                                   actor=actor)
            for path, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, Rejected):
                    refused += 1
                    click.echo(f"\n{path}: refused: {outcome.reason}", err=True)
            enqueue_processing(runtime, to_process(outcomes))
            bar.update(len(chunk))
    click.echo(f"{len(files) - refused} of {len(files)} files accepted into {case_no}")
    return refused
