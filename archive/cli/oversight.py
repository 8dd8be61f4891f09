"""`archive holidays`: the working-day calendar of a year, and entering its published
arrangement (节假日安排); `archive follow-ups` / `archive follow-up`: the monthly phone
follow-up (回访). Over the same services as the desks and the API."""

from __future__ import annotations

import json

import click

from archive.cli.base import session_as


def register(group: click.Group) -> None:
    for command in (holidays, follow_ups, follow_up):
        group.add_command(command)


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
    from archive.workflows.arrangements import enter_arrangement, year_view

    runtime, session, user = session_as(username)
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


@click.command("follow-ups")
@click.option("--month", default=None, help="YYYY-MM (default: this month, China time).")
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
@click.option("--json", "as_json", is_flag=True)
def follow_ups(month, username, as_json) -> None:
    """The paid inpatients drawn for a phone follow-up (回访) in a month, and the calls so far."""
    from archive.workflows.phone_follow_ups import follow_up_list

    runtime, session, user = session_as(username)
    with session:
        shown = follow_up_list(session, user, month)
        session.commit()
        items = [{"case_no": i.case_no, "claimant_name": i.claimant_name,
                  "call": i.call.outcome if i.call else None} for i in shown.items]
    if as_json:
        click.echo(json.dumps({"month": shown.month, "closed": shown.closed, "eligible": shown.eligible,
                               "quota": shown.quota, "seed_sha256": shown.seed_sha256, "items": items},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{shown.month}: {shown.quota} of {shown.eligible} paid inpatients to call"
               + ("" if shown.closed else " (month open: drawn after it closes)"))
    for item in items:
        click.echo(f"  {item['case_no']}  {item['claimant_name']}  {item['call'] or 'not called'}")


@click.command("follow-up")
@click.argument("case_no")
@click.option("--month", required=True, help="YYYY-MM of the draw.")
@click.option("--user", "username", required=True, help="Who made the call.")
@click.option("--outcome", type=click.Choice(["confirmed", "not_reached", "discrepancy"]), required=True)
@click.option("--note", default=None, help="What the call found (required for a discrepancy).")
def follow_up(case_no, month, username, outcome, note) -> None:
    """Record a phone follow-up call (回访) of a drawn case."""
    from archive.workflows.phone_follow_ups import record_call

    runtime, session, user = session_as(username)
    with session:
        call = record_call(session, user, case_no, month=month, outcome=outcome, note=note)
        session.commit()
        click.echo(f"{case_no}: follow-up call for {call.month} recorded ({call.outcome})")
