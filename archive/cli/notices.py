"""`archive notice …`, `archive objection …`, `archive fund-report`, `archive fund-income`: the
posted notice (公示), the objection register and the quarterly fund report from the command
line, over the same services as the desk and the API (archive.notices).

Actions are taken as `--user` (default: the system account). Refusals are one line on stderr
with exit status 1.
"""

from __future__ import annotations

import json
import sys

import click

from archive.cli.base import cli, session_as

USER = click.option("--user", "username", default=None, help="Act as this user (default: system).")


def _run(service, username: str | None, *args, write: bool = False, after=None, **kwargs):
    """Call `service(session, user, …)` as `username`; commit when it writes. `after` turns the
    result into what is printed while the session is still open."""
    _, session, user = session_as(username)
    with session:
        result = service(session, user, *args, **kwargs)
        shown = after(result) if after else result
        if write:
            session.commit()
        return shown


def _write(text: str, path: str) -> None:
    if path == "-":
        sys.stdout.write(text.lstrip("\ufeff"))
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@cli.group()
def notice() -> None:
    """The posted notice of a month's claims (公示): period, place, masked lines."""


@notice.command("post")
@click.option("--month", default=None, help="YYYY-MM (default: this month).")
@click.option("--from", "posted_from", required=True, help="First day posted (YYYY-MM-DD).")
@click.option("--to", "posted_to", required=True, help="Last day posted (YYYY-MM-DD), inclusive.")
@click.option("--where", "posted_where", required=True, help="Where it is posted (公示地点).")
@USER
def post(month, posted_from, posted_to, posted_where, username) -> None:
    from archive.notices import create_publication, publication_json

    shown = _run(create_publication, username, month=month, posted_from=posted_from, posted_to=posted_to,
                 posted_where=posted_where, write=True, after=publication_json)
    click.echo(f"notice #{shown['id']} of {shown['month']}: {len(shown['lines'])} lines, posted "
               f"{shown['posted_from']} to {shown['posted_to']} ({shown['days']} days) "
               f"at {shown['posted_where']}")


@notice.command("show")
@click.argument("publication_id")
@click.option("--csv", "csv_path", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the notice as CSV here ('-' for stdout).")
@USER
def show(publication_id, csv_path, username) -> None:
    from archive.notices import get_publication, publication_json, publication_notice_csv

    shown = _run(get_publication, username, publication_id,
                 after=lambda p: (publication_json(p), publication_notice_csv(p)))
    if csv_path:
        _write(shown[1], csv_path)
        return
    click.echo(json.dumps(shown[0], ensure_ascii=False, indent=2))


@cli.group()
def objection() -> None:
    """The objection register (公示异议): an open objection holds its case's payment."""


@objection.command("record")
@click.option("--line", "line_id", default=None, help="The notice line objected to.")
@click.option("--case", "case_no", default=None, help="…or the case.")
@click.option("--raised-by", required=True, help="Who raised it.")
@click.option("--text", "text", required=True, help="What the objection is.")
@click.option("--raised-on", default=None, help="YYYY-MM-DD (default: today).")
@USER
def record(line_id, case_no, raised_by, text, raised_on, username) -> None:
    from archive.notices import record_objection

    made = _run(record_objection, username, raised_by=raised_by, text=text, line_id=line_id, case_no=case_no,
                raised_on=raised_on, write=True, after=lambda o: (o.id, o.status))
    click.echo(f"objection #{made[0]}: {made[1]}; the payment of its case is held until it is closed")


@objection.command("close")
@click.argument("objection_id")
@click.option("--outcome", required=True, type=click.Choice(["upheld", "dismissed"]))
@click.option("--reason", required=True)
@USER
def close(objection_id, outcome, reason, username) -> None:
    from archive.notices import close_objection

    _run(close_objection, username, objection_id, outcome=outcome, reason=reason, write=True)
    click.echo(f"objection #{objection_id}: {outcome}")


@objection.command("list")
@click.option("--case", "case_no", default=None)
@USER
def list_objections(case_no, username) -> None:
    from archive.notices import objection_json, objections

    shown = _run(objections, username, case_no=case_no,
                 after=lambda rows: [objection_json(o, c) for o, c in rows])
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@cli.command("fund-report")
@click.option("--year", default=None, help="YYYY (default: this year).")
@click.option("--csv", "csv_path", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the report as CSV here ('-' for stdout).")
@USER
def fund_report_command(year, csv_path, username) -> None:
    """The quarterly fund report (基金收支情况): income, expense and balance by quarter."""
    from archive.notices import fund_report, fund_report_csv

    report = _run(fund_report, username, year)
    if csv_path:
        _write(fund_report_csv(report), csv_path)
        return
    click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))


@cli.command("fund-income")
@click.option("--received-on", required=True, help="YYYY-MM-DD.")
@click.option("--amount", required=True, help="Yuan; negative corrects an earlier entry (needs --note).")
@click.option("--source", required=True, help="e.g. 个人缴费, 中央财政补助.")
@click.option("--note", default=None)
@USER
def fund_income(received_on, amount, source, note, username) -> None:
    """Book an income of the fund (基金收入)."""
    from archive.notices import record_income

    entry = _run(record_income, username, received_on=received_on, amount=amount, source=source, note=note,
                 write=True, after=lambda e: e.id)
    click.echo(f"income #{entry} booked")
