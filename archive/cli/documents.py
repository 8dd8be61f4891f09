"""`archive ingest`, `extract`, `search`, `export-case`, `verify-bag`: documents in and out."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from archive.audit import Origin, current_origin
from archive.cli.base import as_user, cli, fail, open_runtime


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
    from archive.cli.ingest import run_ingest

    runtime = open_runtime()
    with runtime.sessions() as session:
        actor = as_user(session, username)
    failures = run_ingest(runtime, paths, kind=kind, case_no=case_no, claimant=claimant,
                          claim_type=claim_type, actor=actor, operator=getpass.getuser())
    if failures:
        fail(f"{failures} file(s) refused; see above")


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
    from archive.files.validate import Limits
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

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    # Every search is an audit event; the service refuses a user without "search.use" and an
    # exact search by an identifier they see masked (main() prints either in one line).
    with runtime.sessions.begin() as session:
        result = run(session, runtime.search_index(), as_user(session, username), query, page=page)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    for warning in result.warnings:
        click.echo(f"note: {getattr(warning, 'message', warning)}", err=True)
    click.echo(f"{result.total} documents")
    for hit in result.hits:
        click.echo(f"  {hit.case_no}  #{hit.document_id}  {hit.kind or ''}  {hit.filename}")


@cli.command("export-case")
@click.argument("case_no")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--user", "username", default=None, help="Export as this user (default: system).")
def export_case(case_no: str, output: Path, username: str | None) -> None:
    """Write the complete case file (originals, history, checksums) as a BagIt zip."""
    from archive.case_export import export_case as export

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions() as session:
        actor = as_user(session, username)
    result = export(runtime.sessions, runtime.store, user=actor, case_no=case_no, output=output,
                    limits=runtime.limits, tmp_dir=runtime.tmp_dir)
    click.echo(f"{result.path}: {result.documents} documents, {result.bytes} bytes")


@cli.command("verify-bag")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_bag(path: Path) -> None:
    """Validate an exported case file offline (checksums, completeness)."""
    from archive.case_export import BagInvalid
    from archive.case_export import verify_bag as validate

    try:
        bag = validate(path)
    except BagInvalid as exc:
        fail(f"{path} is not a valid case file: {exc}")
    click.echo(f"{path}: valid bag for {bag.info.get('External-Identifier')} "
               f"({len(list(bag.payload_files()))} payload files)")

