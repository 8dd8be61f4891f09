"""`archive providers …`: the provider register (定点医疗机构管理) from the command line, over the
same services as the desk and the API (archive.providers). Amounts are typed in yuan; JSON output
gives them in fen.

Actions are taken as `--user` (default: the system account). Refusals are one line on stderr
with exit status 1.
"""

from __future__ import annotations

import json

import click

from archive.cli.base import cli, session_as

USER = click.option("--user", "username", default=None, help="Act as this user (default: system).")


def _run(service, username: str | None, *args, write: bool = False, after=None, **kwargs):
    """Call `service(session, user, …)` as `username`; commit when it writes. `after(session,
    result, user)` turns the result into what is printed while the session is still open."""
    _, session, user = session_as(username)
    with session:
        result = service(session, user, *args, **kwargs)
        shown = after(session, result, user) if after else result
        if write:
            session.commit()
        return shown


def _echo(shown: dict) -> None:
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@cli.group("providers")
def providers_group() -> None:
    """The provider register (定点医疗机构): agreements, reminders, sanctions, assessments, settlements."""


@providers_group.command("add")
@click.option("--name", required=True)
@click.option("--level", required=True, help="province, city, county, township or village (省/市/县/乡/村).")
@click.option("--type", "kind", required=True, help="hospital, health_centre, community, village_clinic, …")
@click.option("--uscc", required=True, help="Unified social credit code (统一社会信用代码).")
@click.option("--insurance-code", default=None, help="The provider's 医保 code.")
@click.option("--township", default=None)
@click.option("--deposit", default=None, help="Deposit held (保证金), yuan.")
@USER
def add(name, level, kind, uscc, insurance_code, township, deposit, username) -> None:
    """Register a provider."""
    from archive.providers import provider_json, register_provider

    shown = _run(register_provider, username, name=name, level=level, kind=kind, uscc=uscc,
                 insurance_code=insurance_code, township=township, deposit=deposit, write=True,
                 after=lambda s, p, _user: provider_json(s, p))
    click.echo(f"provider #{shown['id']} {shown['name']} registered ({shown['uscc']})")


@providers_group.command("list")
@USER
def list_(username) -> None:
    """The register, one provider a line: id, name, level, agreement valid to, status."""
    from archive.providers import provider_json, providers

    for shown in _run(providers, username, after=lambda s, ps, _user: [provider_json(s, p) for p in ps]):
        status = "suspended" if shown["suspended"] else "in force" if shown["in_force"] else "not in force"
        click.echo(f"{shown['id']}\t{shown['name']}\t{shown['level']}\t{shown['valid_to'] or '-'}\t{status}")


@providers_group.command("show")
@click.argument("provider_id")
@USER
def show(provider_id, username) -> None:
    """Everything the register holds on a provider, as JSON."""
    from archive.providers import get_provider, provider_json

    _echo(_run(get_provider, username, provider_id,
               after=lambda s, p, user: provider_json(s, p, full=True, reader=user)))


@providers_group.command("reminders")
@USER
def reminders(username) -> None:
    """Agreements ending within 60 (then 30) days, or ended."""
    from archive.providers import renewal_reminders

    for r in _run(renewal_reminders, username):
        state = "expired" if r.stage == 0 else f"{r.days_left} days left ({r.stage}-day reminder)"
        click.echo(f"{r.provider_id}\t{r.name}\tvalid to {r.valid_to}\t{state}")


@providers_group.command("sanction")
@click.argument("provider_id")
@click.option("--kind", required=True, type=click.Choice(["violation", "warning", "suspension"]))
@click.option("--from", "starts_on", required=True, help="YYYY-MM-DD")
@click.option("--to", "ends_on", default=None, help="YYYY-MM-DD, inclusive (suspensions).")
@click.option("--description", required=True)
@click.option("--case", "case_no", default=None, help="The case or audit that found it.")
@USER
def sanction(provider_id, kind, starts_on, ends_on, description, case_no, username) -> None:
    """Record a violation, warning or suspension."""
    from archive.providers import record_sanction

    made = _run(record_sanction, username, provider_id, kind=kind, starts_on=starts_on, ends_on=ends_on,
                description=description, case_no=case_no, write=True, after=lambda s, m, _user: m.id)
    click.echo(f"{kind} #{made} recorded")


@providers_group.command("alias")
@click.argument("provider_id")
@click.argument("alias")
@USER
def alias(provider_id, alias, username) -> None:
    """Add another name the provider's invoices print (matched as its register name)."""
    from archive.providers import add_alias

    _run(add_alias, username, provider_id, alias=alias, write=True, after=lambda s, m, _user: m.id)
    click.echo(f"alias {alias} added")


@providers_group.command("assess")
@click.argument("provider_id")
@click.option("--year", required=True)
@click.option("--period", required=True, type=click.Choice(["mid_year", "year_end"]))
@click.option("--score", "scores", multiple=True, help="ITEM=POINTS, one per item of the sheet.")
@click.option("--on", "assessed_on", default=None, help="YYYY-MM-DD (default: today).")
@USER
def assess(provider_id, year, period, scores, assessed_on, username) -> None:
    """Record an assessment on storage_config/provider_assessment.toml's items."""
    from archive.providers import assessment_json, record_assessment

    points = dict(item.split("=", 1) if "=" in item else (item, None) for item in scores)
    shown = _run(record_assessment, username, provider_id, year=year, period=period, scores=points,
                 assessed_on=assessed_on, write=True, after=lambda s, a, _user: assessment_json(a))
    outcome = f"; deposit {shown['deposit_outcome']}" if shown["deposit_outcome"] else ""
    click.echo(f"assessment {shown['year']} {shown['period']}: score {shown['score']}{outcome}")


@providers_group.command("settle")
@click.argument("provider_id")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--claimed", required=True, help="The provider's 内报 figure, yuan.")
@click.option("--received", "received_on", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--case", "case_no", default=None, help="The case holding the provider's submission.")
@USER
def settle_month(provider_id, month, claimed, received_on, case_no, username) -> None:
    """Receive a month's settlement (内报): computed from the month's claims, checked against the
    provider's figure, the self-pay cap checked and its excess deducted."""
    from archive.providers import record_settlement, settlement_json

    _echo(_run(record_settlement, username, provider_id, month=month, claimed=claimed,
               received_on=received_on, case_no=case_no, write=True, after=settlement_json))


@providers_group.command("explain")
@click.argument("finding_id")
@click.option("--explanation", required=True)
@USER
def explain(finding_id, explanation, username) -> None:
    """Explain a settlement's finding (a figure that differs, a claim not computed)."""
    from archive.providers import resolve_finding

    _run(resolve_finding, username, finding_id, explanation=explanation, write=True,
         after=lambda s, f, _user: f.id)
    click.echo(f"finding #{finding_id} explained")


@providers_group.command("paid")
@click.argument("settlement_id")
@click.option("--on", "settled_on", default=None, help="YYYY-MM-DD (default: today).")
@USER
def paid(settlement_id, settled_on, username) -> None:
    """Record that a settlement was paid; refused while a finding of it is unexplained."""
    from archive.providers import settle

    day = _run(settle, username, settlement_id, settled_on=settled_on, write=True,
               after=lambda s, m, _user: m.settled_on.isoformat())
    click.echo(f"settlement #{settlement_id} settled on {day}")


@providers_group.command("due")
@USER
def due(username) -> None:
    """Unsettled settlements with their due dates (20 working days from receipt), soonest first."""
    from archive.providers import settlement_json, settlements_due

    rows = _run(settlements_due, username, within=None,
                after=lambda s, listed, user: [(settlement_json(s, m, user), name, late)
                                               for m, name, late in listed])
    for shown, name, late in rows:
        state = "overdue" if late else "due"
        held = "\tfindings open" if shown["blocked"] else ""
        click.echo(f"{shown['id']}\t{name}\t{shown['month']}\t{state} {shown['due_on']}\t"
                   f"payable {shown['payable_fen']} fen{held}")


@providers_group.command("edit")
@click.argument("provider_id")
@click.option("--name", default=None)
@click.option("--level", default=None)
@click.option("--type", "kind", default=None)
@click.option("--uscc", default=None)
@click.option("--insurance-code", default=None, help="'' clears it.")
@click.option("--township", default=None, help="'' clears it.")
@click.option("--reason", required=True)
@USER
def edit(provider_id, name, level, kind, uscc, insurance_code, township, reason, username) -> None:
    """Change a provider's record with the reason; the trail keeps old and new values."""
    from archive.providers import edit_provider, provider_json

    _echo(_run(edit_provider, username, provider_id, reason=reason, name=name, level=level, kind=kind,
               uscc=uscc, insurance_code=insurance_code, township=township, write=True,
               after=lambda s, p, _user: provider_json(s, p)))


@providers_group.command("deduct")
@click.argument("settlement_id")
@click.option("--amount", required=True, help="yuan")
@click.option("--reason", required=True)
@USER
def deduct(settlement_id, amount, reason, username) -> None:
    """Record a deduction (审扣) from a settlement."""
    from archive.providers import add_deduction

    left = _run(add_deduction, username, settlement_id, amount=amount, reason=reason, write=True,
                after=lambda s, d, _user: d.id)
    click.echo(f"deduction #{left} recorded")


@providers_group.command("deposit")
@click.argument("provider_id")
@click.option("--amount", required=True, help="yuan")
@USER
def deposit(provider_id, amount, username) -> None:
    """Record the deposit (保证金) a provider lodged; held until the year-end assessment."""
    from archive.providers import lodge_deposit

    fen = _run(lodge_deposit, username, provider_id, amount=amount, write=True,
               after=lambda s, p, _user: p.deposit_fen)
    click.echo(f"deposit of {fen} fen held")


@providers_group.command("year-end")
@click.argument("provider_id")
@click.option("--year", required=True)
@USER
def year_end(provider_id, year, username) -> None:
    """Reckon the year's self-pay share: return the months' cap deductions when it holds."""
    from archive.providers import reckon_year, year_end_json

    _echo(_run(reckon_year, username, provider_id, year=year, write=True,
               after=lambda s, y, _user: year_end_json(y)))
