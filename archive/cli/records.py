"""`archive` subcommands for the archive: filing, legal holds, appraisal, destruction.

A few lines each over the services in archive.records; refusals are one line on stderr
(RecordsError is an intake Rejected, which `archive.cli.main` reports). Actions are taken as
`--user` (default: the system account); destruction approvals need real, different people.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path

import click

from archive.audit import Origin, current_origin
from archive.cli.base import as_user, cli, fail, open_runtime

USER = click.option("--user", "username", default=None, help="Act as this user (default: system).")


def act(runtime, function, username: str | None, *args, **kwargs):
    """Run one records service in its own transaction as `username`; returns its result."""
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    with runtime.sessions.begin() as session:
        return function(session, *args, actor=as_user(session, username), **kwargs)


@cli.command("file-case")
@click.argument("case_no")
@click.option("--class", "record_class", default=None, help="Record class (default: derived).")
@USER
def file_case(case_no: str, record_class: str | None, username: str | None) -> None:
    """File a closed case in the archive: record class, archive number (档号), retention."""
    from archive.records.filing import file_case as run

    runtime = open_runtime()
    record = act(runtime, run, username, case_no, record_class=record_class, store=runtime.store,
                 limits=runtime.limits, tmp_dir=runtime.tmp_dir)
    until = record.retention_ends_on.isoformat() if record.retention_ends_on else "permanent"
    click.echo(f"{case_no}: filed as {record.archive_no} ({record.record_class}, appraisal {until})")


@cli.command("check-record")
@click.argument("case_no")
@USER
def check_record(case_no: str, username: str | None) -> None:
    """四性检测: authenticity, integrity, usability and security of a case's record; the report is
    kept in the audit trail (exit 1 when a check fails)."""
    from archive.records.four_properties import check_record as run

    runtime = open_runtime()
    report = act(runtime, run, username, case_no, store=runtime.store, limits=runtime.limits,
                 tmp_dir=runtime.tmp_dir)
    for finding in report.findings:
        state = {True: "ok", False: "FAILED", None: "not done"}[finding.ok]
        where = f" document {finding.document_id}" if finding.document_id else ""
        click.echo(f"{finding.property:13} {finding.check:12} {state:8}{where}: {finding.detail}")
    if not report.passed:
        fail(f"{case_no}: the four-property check failed ({len(report.failures)} finding(s))")
    click.echo(f"{case_no}: the four-property check passed")


@cli.command()
@click.argument("case_no")
@click.option("--reason", required=True, help="Why the case is held (court order, investigation …).")
@USER
def hold(case_no: str, reason: str, username: str | None) -> None:
    """Place a legal hold: the case is frozen until every hold is lifted."""
    from archive.records.holds import place_hold

    placed = act(open_runtime(), place_hold, username, case_no, reason=reason)
    click.echo(f"{case_no}: legal hold #{placed.id} placed")


@cli.command("release-hold")
@click.argument("case_no")
@click.option("--reason", required=True)
@click.option("--hold", "hold_id", type=int, default=None, help="Which hold, if several are in force.")
@USER
def release_hold(case_no: str, reason: str, hold_id: int | None, username: str | None) -> None:
    """Lift a legal hold on a case."""
    from archive.records.holds import lift_hold

    lifted = act(open_runtime(), lift_hold, username, case_no, reason=reason, hold_id=hold_id)
    click.echo(f"{case_no}: legal hold #{lifted.id} lifted")


@cli.command("appraisal-list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="List what is due on this day (default: today in China).")
@USER
def appraisal_list(as_json: bool, as_of, username: str | None) -> None:
    """Filed cases whose retention has ended, with any decision and its approvals."""
    from archive.records.disposition import appraisal_list as run

    runtime = open_runtime()
    with runtime.sessions() as session:
        today: date | None = as_of.date() if as_of else None
        items = [_item(i) for i in run(session, as_user(session, username), today=today)]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        decision = item["decision"]["decision"] if item["decision"] else "not appraised"
        held = "  HELD" if item["holds"] else ""
        click.echo(f"{item['archive_no']}  {item['case_no']}  ended {item['retention_ended_on']}  "
                   f"{decision}{held}")
    click.echo(f"{len(items)} cases due for appraisal")


@cli.command()
@click.argument("case_no")
@click.option("--decision", required=True, type=click.Choice(["destroy", "extend", "permanent"]))
@click.option("--opinion", required=True, help="The appraisal opinion (鉴定意见).")
@click.option("--years", type=int, default=None, help="With --decision extend: by how many years.")
@USER
def appraise(case_no: str, decision: str, opinion: str, years: int | None, username: str | None) -> None:
    """Record an appraisal decision on a case whose retention has ended."""
    from archive.records.disposition import appraise as run

    appraisal = act(open_runtime(), run, username, case_no, decision=decision, opinion=opinion,
                    years=years)
    click.echo(f"{case_no}: {decision} recorded (appraisal #{appraisal.id}, {appraisal.status})")


@cli.command("approve-destruction")
@click.argument("case_no")
@click.option("--opinion", default=None)
@USER
def approve_destruction(case_no: str, opinion: str | None, username: str | None) -> None:
    """Approve a destroy decision (it needs approvals by different people)."""
    from archive.records.disposition import approve_destruction as run

    appraisal = act(open_runtime(), run, username, case_no, opinion=opinion)
    click.echo(f"{case_no}: approval {len(appraisal.approvals)} recorded ({appraisal.status})")


@cli.command()
@click.argument("case_no")
@USER
def destroy(case_no: str, username: str | None) -> None:
    """Destroy an approved case: originals removed, metadata kept, destruction register written."""
    from archive.records.disposition import after_destruction
    from archive.records.disposition import destroy as run

    runtime = open_runtime()
    result = act(runtime, run, username, case_no)
    after_destruction(runtime, result)
    click.echo(f"{case_no}: destroyed ({len(result.store_keys)} originals removed); "
               f"destruction register entry {result.entry.id}")


@cli.command("destruction-register")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@USER
def destruction_register(output: Path, username: str | None) -> None:
    """Write the destruction register (销毁清册) as CSV (UTF-8 with BOM, opens in Excel)."""
    from archive.records.disposition import write_register_csv

    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    partial = output.with_name(output.name + ".partial")
    try:
        with runtime.sessions.begin() as session, open(partial, "w", encoding="utf-8",
                                                       newline="") as out:
            count = write_register_csv(session, as_user(session, username), out)
    except BaseException:
        partial.unlink(missing_ok=True)  # never a half-written register
        raise
    partial.replace(output)
    click.echo(f"{output}: {count} entries")


def _item(item) -> dict:
    decision = item.decision
    return {
        "case_no": item.case.case_no, "archive_no": item.record.archive_no,
        "record_class": item.record.record_class, "archive_year": item.record.archive_year,
        "retention": item.record.retention_code,
        "retention_ended_on": item.record.retention_ends_on.isoformat(),
        "holds": [{"id": h.id, "reason": h.reason} for h in item.holds],
        "decision": None if decision is None else {
            "decision": decision.decision, "opinion": decision.opinion, "status": decision.status,
            "decided_by": decision.decided_by_name,
            "approvals": [a.approver_name for a in decision.approvals]},
        "approvals_required": item.approvals_required, "ready_to_destroy": item.ready_to_destroy,
    }


@cli.command()
@click.argument("case_nos", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every original in the store.")
def protect(case_nos: tuple[str, ...], every: bool) -> None:
    """Bring the store's retention dates and legal holds in line with the archive's records."""
    from sqlalchemy import select

    from archive.models import Case
    from archive.records.protection import sync_all, sync_case

    if every == bool(case_nos):
        raise click.UsageError("give case numbers or --all")
    runtime = open_runtime()
    if every:
        click.echo(f"{sync_all(runtime.sessions, runtime.store)} original(s) protected")
        return
    for case_no in case_nos:
        with runtime.sessions() as session:
            case_id = session.scalar(select(Case.id).where(Case.case_no == case_no))
        if case_id is None:
            raise click.ClickException(f"no case {case_no}")
        click.echo(f"{case_no}: {sync_case(runtime.sessions, runtime.store, case_id)} original(s) protected")
