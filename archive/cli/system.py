"""`archive init`, `serve`, `worker`, `status`, and the care of the store and the index:
`reindex`, `demo`, `reconcile`, `verify`, `backup`, `restore`."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from archive.audit import Origin, current_origin
from archive.cli.base import cli, fail, open_runtime


@cli.command()
def init() -> None:
    """Create or upgrade the database schema, object store and directories (idempotent)."""
    from archive.setup import initialise

    for line in initialise(open_runtime()):
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Run the web app with a production WSGI server (waitress)."""
    import threading

    from waitress import serve as waitress_serve

    from archive import create_app
    from archive.logs import configure_logging
    from archive.queue import start_sweeper
    from archive.records.config_trail import note_configuration
    from archive.search.warming import start_warming

    runtime = open_runtime(long_lived=True)
    configure_logging("INFO")
    note_configuration(runtime)
    app = create_app(runtime)
    if runtime.settings.get("jobs.backend") == "thread":
        start_sweeper(runtime, threading.Event())  # resumes unfinished documents, then watches
    from archive.search.backend import backend_name

    if (warm_mb := float(runtime.settings.get("search.warm_mb", 0))) > 0 and \
            backend_name(runtime.settings) == "whoosh":  # warms Whoosh's posting lists
        start_warming(runtime, float(runtime.settings.get("search.warm_check_seconds", 60)),
                      threading.Event(), budget_mb=warm_mb)
    click.echo(f"Archive is running at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="archive")


@cli.command()
@click.option("--queues", default=None, help="Comma-separated queue names (default: jobs.queue).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: str | None, burst: bool) -> None:
    """Run an RQ worker for document processing (needs redis.url)."""
    from archive.records.config_trail import note_configuration
    from archive.workers import run_worker

    runtime = open_runtime(long_lived=True)
    note_configuration(runtime)
    run_worker(runtime, queues.split(",") if queues else None, burst=burst)


@cli.command()
def reindex() -> None:
    """Rebuild the search index from the database."""
    from archive.search.backend import backend_name, rebuild_backend
    from archive.search.writer import claim_writer

    runtime = open_runtime()
    claim_writer(runtime)  # Whoosh: only the deployment's one index writer may rebuild
    with runtime.sessions() as session:
        _, documents = rebuild_backend(runtime, session)
    click.echo(f"search index ({backend_name(runtime.settings)}) rebuilt: {documents} documents")


@cli.command()
def demo() -> None:
    """Load demo accounts (one per role) and demo cases; running it again adds nothing."""
    from archive.demo.load import load_demo

    for line in load_demo(open_runtime()):
        click.echo(line)


@cli.command()
@click.option("--delete-orphans", is_flag=True, help="Delete stored objects no record knows.")
def reconcile(delete_orphans: bool) -> None:
    """Compare the object store with the database; report (and optionally remove) orphans."""
    from archive.records.reconcile import reconcile as run

    report = run(open_runtime(), delete_orphans=delete_orphans)
    for key in report.orphan_objects:
        swept = " — deleted" if key in report.deleted else (
            " — kept: younger than records.orphan_grace_hours, or a destroyed record names it"
            if delete_orphans else "")
        click.echo(f"orphan object (no record): {key}{swept}")
    for key in report.missing_objects:
        click.echo(f"MISSING object for a record: {key}")
    click.echo(f"{report.checked} objects checked, {len(report.orphan_objects)} orphans, "
               f"{len(report.missing_objects)} missing")
    if report.missing_objects:
        sys.exit(1)


@cli.command()
@click.option("--fixity", is_flag=True, help="Also re-read stored originals and compare sha256.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="With --fixity: check only the next N originals, continuing from the last run.")
def verify(fixity: bool, limit: int | None) -> None:
    """Recompute the audit trail's hash chain (and with --fixity, the originals' checksums)."""
    from archive.auth import system_user
    from archive.records.fixity import run_fixity
    from archive.records.verification import verify_and_record

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions() as session:
        actor = system_user(session)
    # The outcome is kept in the trail too: the audit desk shows the latest check.
    report = verify_and_record(runtime, actor=actor)
    if not report.ok:
        fail(f"audit trail broken at event {report.broken_at}: {report.problem} "
              f"({report.checked} events checked)")
    click.echo(f"audit trail intact: {report.checked} events, head {report.head_hash}")
    if not fixity:
        return
    checked = run_fixity(runtime.sessions, runtime.store, limit=limit, actor=actor)
    for damage in checked.damaged:
        where = "; ".join(f"case {d['case_no']} document {d['document_id']} ({d['filename']})"
                          for d in damage.documents) or "no document"
        click.echo(f"DAMAGED original {damage.store_key}: {damage.outcome} "
                   f"(size {damage.actual_size} of {damage.expected_size}) — {where}", err=True)
    click.echo(f"fixity: {checked.checked} originals checked, {checked.bytes_read} bytes read, "
               f"{len(checked.damaged)} damaged")
    if checked.damaged:
        fail(f"{len(checked.damaged)} damaged original(s); see above")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    """Back up database, originals and configuration into DIRECTORY (a BagIt bag)."""
    from archive.auth import system_user
    from archive.records.backup import backup as run

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions() as session:
        actor = system_user(session)
    report = run(runtime, directory, actor=actor)
    click.echo(f"backup written to {report.directory}: {sum(report.rows.values())} rows in "
               f"{len(report.rows)} tables, {report.objects} originals ({report.object_bytes} bytes), "
               f"schema {report.revision}")


@cli.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(directory: Path) -> None:
    """Restore a backup into an empty database and store, re-protect the originals, rebuild the
    index and verify."""
    from archive.audit import verify_chain
    from archive.records.backup import restore as run
    from archive.records.protection import sync_all
    from archive.search.backend import rebuild_backend
    from archive.statistics.totals import count_if_never_counted

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    report = run(runtime, directory)
    runtime.store.check()
    sync_all(runtime.sessions, runtime.store)  # retention dates and holds travel with the records
    with runtime.sessions.begin() as session:
        count_if_never_counted(session)  # a backup from before the statistics totals
    with runtime.sessions() as session:
        chain = verify_chain(session)
        rebuild_backend(runtime, session)
    click.echo(f"restored {sum(report.rows.values())} rows and {report.objects} originals "
               f"from {directory}; search index rebuilt")
    if not chain.ok:
        fail(f"the restored audit trail is broken at event {chain.broken_at}: {chain.problem}")
    click.echo(f"audit trail intact: {chain.checked} events")


@cli.command()
def status() -> None:
    """Health of database, object store, queue and index (as /healthz)."""
    import json

    from archive.health import check_all

    report = check_all(open_runtime())
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(0 if report["ok"] else 1)

