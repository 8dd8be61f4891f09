"""`archive backscan`: register historical paper from a manifest (著录回溯), and the lists that go
with the volumes (`archive volume-list`: 立卷清单 by month, 移交清单 by fonds and year).

A few lines over archive.backscan and archive.records.volume_lists; every problem of a
manifest is one line on stderr (row, column, reason) and nothing is written.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from archive.audit import Origin, current_origin
from archive.cli.base import as_user, cli, fail, open_runtime


@cli.command("backscan")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--manifest", "manifest", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV or XLSX, one row per case; file paths relative to FOLDER.")
@click.option("--check", "check_only", is_flag=True, help="Check every row, write nothing.")
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
def backscan_command(folder: Path, manifest: Path, check_only: bool, username: str | None) -> None:
    """Register scanned historical case files as filed records (resumable: run it again)."""
    from archive import backscan

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions.begin() as session:
        actor = as_user(session, username)
        prepared = backscan.prepare(session, actor, manifest_name=manifest.name,
                                    content=manifest.read_bytes(), folder=folder, limits=runtime.limits)
        for error in prepared.errors:
            click.echo(f"{manifest.name}: {error}", err=True)
        if not prepared.ok:
            fail(f"{len(prepared.errors)} problem(s) in {manifest.name}; nothing was written")
        if check_only:
            click.echo(f"{len(prepared.rows)} row(s) checked, no problems")
            return
        run_id = backscan.start_run(session, actor, manifest_name=manifest.name, folder=folder,
                                    prepared=prepared).id
    with click.progressbar(length=len(prepared.rows), label=f"back-scanning run {run_id}",
                           file=sys.stderr) as bar:
        finished = backscan.run_backscan(runtime, run_id, progress=lambda _outcome: bar.update(1))
    click.echo(f"run {run_id}: {finished.done} of {finished.total} case(s) filed"
               f" ({finished.skipped} already filed by an earlier run)")


@cli.command("volume-list")
@click.option("--month", default=None, help="立卷清单 of YYYY-MM (cases closed in that month).")
@click.option("--transfer", nargs=2, default=None, metavar="FONDS YEAR", help="移交清单 of a fonds and year.")
@click.option("--run", "run_id", type=int, default=None, help="With --transfer: one back-scanning run only.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx or FILE.pdf")
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
def volume_list(month, transfer, run_id, output: Path, username) -> None:
    """Write the monthly filing list or the transfer list of the volumes as XLSX or PDF."""
    from archive.records import volume_lists

    if (month is None) == (transfer is None):
        fail("give --month YYYY-MM or --transfer FONDS YEAR")
    if output.suffix.lower() not in (".xlsx", ".pdf"):
        fail("the output must end in .xlsx or .pdf")
    runtime = open_runtime()
    with runtime.sessions() as session:
        actor = as_user(session, username)
        if month:
            volumes = volume_lists.filing_list(session, actor, month)
        else:
            fonds, year = transfer
            if not year.isdigit():
                fail(f"the year must be a number, not {year!r}")
            volumes = volume_lists.transfer_list(session, actor, fonds_code=fonds, year=int(year),
                                                 run_id=run_id)
    write = volume_lists.as_pdf if output.suffix.lower() == ".pdf" else volume_lists.as_xlsx
    output.write_bytes(write(volumes))
    click.echo(f"{output}: {volumes.title}, {volumes.summary}")
