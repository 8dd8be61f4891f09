"""`archive holidays`: the working-day calendar of a year, and entering its published
arrangement (节假日安排), over the same service as the admin desk and the API."""

from __future__ import annotations

import json

import click

from archive.cli_workflow import _refused, _session_as


def register(group: click.Group) -> None:
    group.add_command(holidays)


@click.command()
@click.argument("year", type=int)
@click.option("--holiday", "off", multiple=True,
              help='A day off: "2027-02-05..2027-02-11 春节" (repeat the option).')
@click.option("--workday", "on", multiple=True, help='A make-up working day: "2027-02-14 春节调休".')
@click.option("--notice", default=None, help="The notice it comes from.")
@click.option("--user", "username", default=None, help="Act as this user (an administrator).")
@click.option("--json", "as_json", is_flag=True)
def holidays(year, off, on, notice, username, as_json) -> None:
    """Show YEAR's calendar source and statutory holidays; with --holiday, enter its arrangement."""
    from archive.auth import Forbidden
    from archive.workflows import WorkflowError
    from archive.workflows.arrangements import enter_arrangement, year_view

    runtime, session, user = _session_as(username)
    try:
        with session:
            if off:
                enter_arrangement(session, user, year, holidays=list(off), workdays=list(on),
                                  notice=notice)
                session.commit()
            view = year_view(session, year)
            entry = view.entry
            facts = {"year": year, "source": view.source,
                     "statutory": [{"day": d.isoformat(), "name": zh} for d, zh, _en in view.statutory],
                     "entered": None if entry is None else {
                         "holidays": entry.holidays, "workdays": entry.workdays,
                         "notice": entry.notice, "by": entry.entered_by_name,
                         "at": entry.entered_at.isoformat()}}
    except (WorkflowError, Forbidden) as exc:
        raise _refused(exc) from exc
    if as_json:
        click.echo(json.dumps(facts, ensure_ascii=False, indent=2))
        return
    click.echo(f"{year}: {facts['source']}" + (" (estimate: 调休 not yet published)"
                                                if facts["source"] == "computed" else ""))
    for day in facts["statutory"]:
        click.echo(f"  {day['day']}  {day['name']}")
    if facts["entered"]:
        click.echo(f"entered by {facts['entered']['by']}: {len(facts['entered']['holidays'])} days off, "
                   f"{len(facts['entered']['workdays'])} make-up working days")
