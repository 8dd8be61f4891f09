"""The `archive` command. Each subcommand is a few lines over the same services the web uses."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from archive.config import ConfigError
from archive.records.audit import Origin, current_origin


def main() -> None:
    from archive.access import NotFound
    from archive.auth import Forbidden
    from archive.intake import Rejected
    from archive.storage import StoreError

    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ConfigError, StoreError, NotFound, Forbidden, Rejected, ValueError) as exc:
        # ValueError covers the services' own refusals (BackupError, AccountError, ...).
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"archive: error: {message}", err=True)
    sys.exit(code)


def _runtime(*, inline_jobs: bool = False):
    from archive.logs import configure_logging
    from archive.queue import InlineQueue
    from archive.runtime import make_runtime

    configure_logging("WARNING")
    runtime = make_runtime()
    if inline_jobs and runtime.settings.get("jobs.backend") == "thread":
        runtime.queue = InlineQueue(runtime)  # a short-lived command finishes its own work
    return runtime


def _as_user(session, username: str | None):
    from sqlalchemy import select

    from archive.models import User
    from archive.setup import system_user

    if username is None:
        user = system_user(session)
        if user is None:
            raise click.ClickException("run `archive init` first")
        return user
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@click.group()
def cli() -> None:
    """Archive and sign-off system for medical-insurance agencies."""


@cli.command()
def init() -> None:
    """Create or upgrade the database schema, object store and directories (idempotent)."""
    from archive.setup import initialise

    for line in initialise(_runtime()):
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

    runtime = _runtime()
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

    runtime = _runtime()
    note_configuration(runtime)
    run_worker(runtime, queues.split(",") if queues else None, burst=burst)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(["invoice", "daily_statement", "referral", "agreement",
                                           "vat_invoice", "other"]), default=None)
@click.option("--case", "case_no", default=None, help="Add to this case; default: open a new one.")
@click.option("--claimant", default="待补录", show_default=True, help="Claimant of a new case.")
@click.option("--claim-type", default="other", show_default=True)
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
def ingest(paths, kind, case_no, claimant, claim_type, username) -> None:
    """Accept files (or folders of files) into a case, with a progress bar."""
    from archive.cli_ingest import run_ingest

    runtime = _runtime(inline_jobs=True)
    with runtime.sessions() as session:
        actor = _as_user(session, username)
    failures = run_ingest(runtime, paths, kind=kind, case_no=case_no, claimant=claimant,
                          claim_type=claim_type, actor=actor, operator=getpass.getuser())
    if failures:
        _fail(f"{failures} file(s) refused; see above")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["invoice", "daily_statement", "referral", "agreement",
                                           "vat_invoice"]),
              default=None, help="Default: recognised from the text (marked as a guess).")
@click.option("--json", "as_json", is_flag=True, help="Print the contract JSON.")
def extract(file: Path, kind: str | None, as_json: bool) -> None:
    """Text and fields of one file, without storing it."""
    import json

    from archive.config import load_settings
    from archive.intake.validate import Limits
    from archive.ocr import extract_file

    result = extract_file(file, kind=kind, limits=Limits.from_settings(load_settings()))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"kind: {result['kind'] or 'not recognised'}{' (guessed)' if result['kind_guessed'] else ''}")
    for name, value in result["fields"].items():
        click.echo(f"  {name}: {value}")
    for check in result["checks"]:
        click.echo(f"  [{check['severity']}] {check['message']}")


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--user", "username", default=None, help="Search as this user (default: system).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1))
def search(query: str, as_json: bool, username: str | None, page: int) -> None:
    """Full-text and field search over the archive (e.g. 张伟, invoice:00231234, kind:invoice)."""
    import json

    from archive.search import search as run

    runtime = _runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    # Every search is an audit event; the service refuses a user without "search.use" and an
    # exact search by an identifier they see masked (main() prints either in one line).
    with runtime.sessions.begin() as session:
        result = run(session, runtime.search_index(), _as_user(session, username), query, page=page)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    for warning in result.warnings:
        click.echo(f"note: {getattr(warning, 'message', warning)}", err=True)
    click.echo(f"{result.total} documents")
    for hit in result.hits:
        click.echo(f"  {hit.case_no}  #{hit.document_id}  {hit.kind or ''}  {hit.filename}")


@cli.command()
def reindex() -> None:
    """Rebuild the search index from the database."""
    from archive.search.backend import backend_name, rebuild_backend
    from archive.search.writer import claim_writer

    runtime = _runtime()
    claim_writer(runtime)  # Whoosh: only the deployment's one index writer may rebuild
    with runtime.sessions() as session:
        _, documents = rebuild_backend(runtime, session)
    click.echo(f"search index ({backend_name(runtime.settings)}) rebuilt: {documents} documents")


@cli.command()
def demo() -> None:
    """Load demo accounts (one per role) and demo cases; running it again adds nothing."""
    from archive.demo.load import load_demo

    for line in load_demo(_runtime(inline_jobs=True)):
        click.echo(line)


@cli.command()
@click.option("--delete-orphans", is_flag=True, help="Delete stored objects no record knows.")
def reconcile(delete_orphans: bool) -> None:
    """Compare the object store with the database; report (and optionally remove) orphans."""
    from archive.records.reconcile import reconcile as run

    report = run(_runtime(), delete_orphans=delete_orphans)
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
    from archive.records.fixity import run_fixity
    from archive.records.verification import verify_and_record
    from archive.setup import system_user

    runtime = _runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions() as session:
        actor = system_user(session)
    # The outcome is kept in the trail too: the audit desk shows the latest check.
    report = verify_and_record(runtime, actor=actor)
    if not report.ok:
        _fail(f"audit trail broken at event {report.broken_at}: {report.problem} "
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
        _fail(f"{len(checked.damaged)} damaged original(s); see above")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    """Back up database, originals and configuration into DIRECTORY (a BagIt bag)."""
    from archive.records.backup import backup as run
    from archive.setup import system_user

    runtime = _runtime()
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
    from archive.records.audit import verify_chain
    from archive.records.backup import restore as run
    from archive.records.protection import sync_all
    from archive.search.backend import rebuild_backend

    runtime = _runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    report = run(runtime, directory)
    runtime.store.check()
    sync_all(runtime.sessions, runtime.store)  # retention dates and holds travel with the records
    with runtime.sessions() as session:
        chain = verify_chain(session)
        rebuild_backend(runtime, session)
    click.echo(f"restored {sum(report.rows.values())} rows and {report.objects} originals "
               f"from {directory}; search index rebuilt")
    if not chain.ok:
        _fail(f"the restored audit trail is broken at event {chain.broken_at}: {chain.problem}")
    click.echo(f"audit trail intact: {chain.checked} events")


@cli.command("export-case")
@click.argument("case_no")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--user", "username", default=None, help="Export as this user (default: system).")
def export_case(case_no: str, output: Path, username: str | None) -> None:
    """Write the complete case file (originals, history, checksums) as a BagIt zip."""
    from archive.records.export import export_case as export

    runtime = _runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions() as session:
        actor = _as_user(session, username)
    result = export(runtime.sessions, runtime.store, user=actor, case_no=case_no, output=output)
    click.echo(f"{result.path}: {result.documents} documents, {result.bytes} bytes")


@cli.command("verify-bag")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_bag(path: Path) -> None:
    """Validate an exported case file offline (checksums, completeness)."""
    from archive.records.export import BagInvalid
    from archive.records.export import verify_bag as validate

    try:
        bag = validate(path)
    except BagInvalid as exc:
        _fail(f"{path} is not a valid case file: {exc}")
    click.echo(f"{path}: valid bag for {bag.info.get('External-Identifier')} "
               f"({len(list(bag.payload_files()))} payload files)")


@cli.command()
def status() -> None:
    """Health of database, object store, queue and index (as /healthz)."""
    import json

    from archive.health import check_all

    report = check_all(_runtime())
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(0 if report["ok"] else 1)


@cli.group()
def user() -> None:
    """Manage accounts."""


@user.command("create")
@click.argument("username")
@click.option("--role", required=True)
@click.option("--name", "display_name", default=None)
@click.password_option()
def user_create(username, role, display_name, password) -> None:
    from archive.auth import PasswordPolicy, WeakPassword, create_user

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            create_user(session, username=username, display_name=display_name or username, role=role,
                        password=password, actor=_as_user(session, None),
                        policy=PasswordPolicy.from_settings(runtime.settings))
    except WeakPassword as weak:
        raise click.ClickException(f"password refused: {weak}") from None
    click.echo(f"user {username} created ({role})")


@user.command("set-password")
@click.argument("username")
@click.password_option()
def user_set_password(username, password) -> None:
    """Set a new password; it also lifts a lockout and ends the user's sessions."""
    from archive.auth import PasswordPolicy, WeakPassword, set_password

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            set_password(session, _as_user(session, username), password, actor=_as_user(session, None),
                         policy=PasswordPolicy.from_settings(runtime.settings))
    except WeakPassword as weak:
        raise click.ClickException(f"password refused: {weak}") from None
    click.echo(f"password of {username} changed")


@user.command("scope")
@click.argument("username")
@click.option("--hospital", default=None, help="a hospital clerk's hospital")
@click.option("--township", default=None, help="a township officer's (or a village's) township")
@click.option("--village", default=None, help="a village officer's village")
def user_scope(username, hospital, township, village) -> None:
    """Set the part of the county a person outside the agency works for (empty: none)."""
    from archive.auth.accounts import AccountError, set_scope

    runtime = _runtime()
    try:
        with runtime.sessions.begin() as session:
            set_scope(session, _as_user(session, username), hospital=hospital, township=township,
                      village=village, actor=_as_user(session, None))
    except AccountError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"scope of {username} set")


@user.command("token")
@click.argument("username")
@click.option("--name", default="scanner", show_default=True)
def user_token(username, name) -> None:
    """Issue an API token (shown once)."""
    from archive.auth import issue_api_token

    runtime = _runtime()
    with runtime.sessions.begin() as session:
        token = issue_api_token(session, _as_user(session, username), name=name,
                                actor=_as_user(session, None))
    click.echo(token)


import archive.cli_loans  # noqa: E402, F401 - loans (借阅)
import archive.cli_notices  # noqa: E402, F401 - the posted notice (公示), objections, fund report
import archive.cli_records  # noqa: E402, F401 - the archive's subcommands (filing, holds, disposition)

# Sign-off from the command line: archive queue / decide / spot-checks / publication.
from archive.cli_workflow import register as _register_workflow_commands  # noqa: E402

_register_workflow_commands(cli)

from archive.cli_calendar import register as _register_calendar_commands  # noqa: E402

_register_calendar_commands(cli)
