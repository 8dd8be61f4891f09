"""`archive queue`, `archive decide`, `archive spot-checks`, `archive publication`: the sign-off
desk from the command line, over the same services as the web and the API.

Registered from archive/cli/__init__.py (`register(cli)`). Refusals are one line on stderr with exit
status 1, as the API's 403 / 409 / 422 reasons in English.
"""

from __future__ import annotations

import json
import sys

import click

from archive.cli.base import session_as


def register(group: click.Group) -> None:
    for command in (queue, decide_command, resolve_finding_command, spot_checks, recheck, publication):
        group.add_command(command)


@click.command()
@click.option("--user", "username", required=True, help="Whose queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON (as GET /api/queue).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000))
def queue(username: str, as_json: bool, limit: int) -> None:
    """Cases waiting for USER, oldest deadline first."""
    from archive.workflows import work_queue

    runtime, session, user = session_as(username)
    with session:
        shown = work_queue(session, user, limit=limit)
    if as_json:
        click.echo(json.dumps({"total": shown.total, "items": [i.as_json() for i in shown.items]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{shown.total} cases waiting for {username}")
    for item in shown.items:
        flags = " ".join(name for name, on in (("OVERDUE", item.flags.overdue),
                                               ("due-soon", item.flags.due_soon),
                                               ("calendar-estimated", item.flags.estimated)) if on)
        step = f"returned: {'; '.join(item.missing)}" if item.action == "resubmit" else item.step.zh
        click.echo(f"  {item.case_no}  v{item.version}  {item.chain.zh} / {step}  "
                   f"due {item.flags.due_on or '-'}  {flags}".rstrip())


@click.command("decide")
@click.argument("case_no")
@click.option("--as", "username", required=True, help="The person deciding (their role signs).")
@click.option("--decision", required=True, type=click.Choice(["approve", "return", "reject"]))
@click.option("--opinion", default=None, help="The opinion (意见) recorded with the signature.")
@click.option("--version", "expected_version", type=int, default=None,
              help="The version decided on (from `archive queue`); default: the case's version now.")
@click.option("--finding", "findings", multiple=True, metavar="NAME=VALUE",
              help="Something the step records, e.g. --finding called_by=李娜 (repeatable).")
@click.option("--missing", multiple=True, help="What is missing, when returning (repeatable).")
@click.option("--deduction", "deductions", multiple=True, metavar='"AMOUNT REASON"',
              help='A deduction at an audit\'s handling step, e.g. --deduction "1200.50 超标准收费".')
def decide_command(case_no, username, decision, opinion, expected_version, findings, missing,
                   deductions) -> None:
    """Decide at CASE_NO's current step as a user."""
    from archive.workflows import current_version, decide, deduction_lines

    recorded = {}
    for item in findings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--finding")
        recorded[name.strip()] = value
    runtime, session, user = session_as(username)
    try:
        if expected_version is None:
            expected_version = current_version(session, user, case_no)
        instance = decide(session, case_no, actor=user, decision=decision, opinion=opinion,
                          expected_version=expected_version, findings=recorded,
                          missing=list(missing), deductions=deduction_lines("\n".join(deductions)))
        outcome = (instance.definition, instance.status, instance.current_step, instance.version)
        session.commit()
    finally:
        session.close()
    chain, status, step, version = outcome
    click.echo(f"{case_no}: {decision} recorded; chain {chain} is {status}"
               + (f", now at {step} (version {version})" if step and status == "active" else ""))


@click.command("resolve-finding")
@click.argument("case_no")
@click.option("--finding", required=True, help="The finding's id (or code), as `archive decide` names it.")
@click.option("--reason", required=True, help="Why the finding may be let through.")
@click.option("--user", "username", required=True, help="The person resolving it (signer of the step).")
def resolve_finding_command(case_no, finding, reason, username) -> None:
    """Resolve a blocking (ERROR) finding on CASE_NO with a reason, so the step can be signed."""
    from archive.workflows import resolve_finding

    runtime, session, user = session_as(username)
    try:
        resolution = resolve_finding(session, case_no, finding, actor=user, reason=reason)
        resolved = resolution.finding_id
        session.commit()
    finally:
        session.close()
    click.echo(f"{case_no}: finding {resolved} resolved")


@click.command("spot-checks")
@click.option("--month", default=None, help="YYYY-MM (default: this month, China time).")
@click.option("--case", "case_no", default=None, help="Re-derive the draw of one case.")
@click.option("--commit", is_flag=True, help="Commit the seeds of this month and the next (if not yet).")
@click.option("--verify", is_flag=True, help="Recompute the month's draws from the revealed seed.")
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
@click.option("--json", "as_json", is_flag=True)
def spot_checks(month, case_no, commit, verify, username, as_json) -> None:
    """The re-check queue of random spot checks (抽查) for a month, or one case's draw."""
    from archive.signoff.months import parse_month
    from archive.spot_checks import derive_draw, recheck_queue
    from archive.workflows.spot_draws import commitment_of, ensure_commitments, verify_month

    runtime, session, user = session_as(username)
    with session:
        if commit:
            ensure_commitments(session)
            session.commit()
            for shown_month in sorted({parse_month(None), *([month] if month else [])}):
                made = commitment_of(session, shown_month)
                if made is not None:
                    click.echo(f"{shown_month}: sha256 {made.seed_sha256} committed "
                               f"{made.committed_at.isoformat()}{' (late)' if made.late else ''}")
            return
        if verify:
            result = verify_month(session, parse_month(month))
            _print_verification(result, as_json)
            return
        if case_no:
            draw = derive_draw(session, user, case_no, month)
            session.commit()
            _print_draw(draw, as_json)
            return
        shown = recheck_queue(session, user, month)
        session.commit()
    if as_json:
        click.echo(json.dumps({"month": shown.month, "closed": shown.closed,
            "seed_sha256": shown.commitment.seed_sha256 if shown.commitment else None, "groups": [
            {"group": c.group.name, "share": c.group.share, "approved": c.approved, "quota": c.quota,
             "drawn": c.drawn} for c in shown.groups], "items": [
            {"case_no": i.case_no, "group": i.draw.group.name, "rank": i.draw.rank,
             "recheck": i.outcome.outcome if i.outcome else None}
            for i in shown.items]}, ensure_ascii=False, indent=2))
        return
    if shown.commitment:
        click.echo(f"{shown.month} seed sha256 {shown.commitment.seed_sha256}"
                   + ("" if shown.closed else " (month open: drawn after it closes)"))
    for count in shown.groups:
        click.echo(f"{shown.month} {count.group.zh} ({count.group.share:.0%}): "
                   f"{count.drawn} of {count.approved} approved drawn (quota {count.quota})")
    for item in shown.items:
        found = item.outcome.outcome if item.outcome else "not re-checked"
        click.echo(f"  {item.case_no}  {item.draw.group.zh}  {(item.draw.rank or '')[:12]}  {found}")


def _print_verification(result, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"month": result.month, "ok": result.ok, "seed_matches": result.seed_matches,
                               "late_commitment": result.late_commitment,
                               "mismatches": result.mismatches}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{result.month}: " + ("the draw recomputes from the committed seed" if result.ok
                                           else "; ".join(result.mismatches or ["seed does not match"])))
    if not result.ok:
        raise SystemExit(1)


@click.command()
@click.argument("case_no")
@click.option("--user", "username", required=True, help="Who re-checked the case.")
@click.option("--outcome", type=click.Choice(["confirmed", "discrepancy"]), required=True)
@click.option("--note", default=None, help="What was found (required for a discrepancy).")
@click.option("--difference", default=None, help="Amount difference in yuan, overpaid positive.")
def recheck(case_no, username, outcome, note, difference) -> None:
    """Record what the re-check of a spot-checked case (抽查复核) found."""
    from archive.spot_checks import record_outcome

    runtime, session, user = session_as(username)
    try:
        finding = record_outcome(session, user, case_no, outcome=outcome, note=note,
                                 difference=difference)
        session.commit()
    finally:
        session.close()
    click.echo(f"{case_no}: re-check for {finding.month} recorded ({finding.outcome})")


def _print_draw(draw, as_json: bool) -> None:
    facts = {"case_no": draw.case_no, "month": draw.month, "approved_month": draw.approved_month,
             "group": draw.group.name, "share": draw.group.share, "seed": draw.seed,
             "sha256": draw.sha256, "rank": draw.rank, "drawn": draw.drawn, "eligible": draw.eligible,
             "quota": draw.quota}
    if as_json:
        click.echo(json.dumps(facts, ensure_ascii=False, indent=2))
        return
    if draw.seed is None:
        click.echo(f"{draw.month} is not drawn yet (seed sha256 {draw.sha256 or 'not committed'})")
        return
    click.echo(f"seed {draw.seed} (sha256 {draw.sha256})")
    click.echo(f"HMAC-SHA256(seed, '{draw.month}|{draw.group.name}|{draw.case_no}') = {draw.rank}")
    click.echo(f"{draw.case_no} is {'DRAWN' if draw.drawn else 'not drawn'} for {draw.month}: "
               f"{draw.quota} of {draw.eligible} ({draw.group.zh}, {draw.group.share:.0%})")


@click.command()
@click.option("--month", default=None, help="YYYY-MM (default: this month, China time).")
@click.option("--user", "username", default=None, help="Act as this user (default: system).")
@click.option("--csv", "csv_path", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the CSV here ('-' for stdout) instead of printing a table.")
def publication(month, username, csv_path) -> None:
    """The monthly publication list (公示): payouts per township and village."""
    from archive.workflows import monthly_payouts, publication_csv

    runtime, session, user = session_as(username)
    with session:
        shown = monthly_payouts(session, user, month)
    if csv_path:
        text = publication_csv(shown)
        if csv_path == "-":
            sys.stdout.write(text.lstrip("\ufeff"))
        else:
            with open(csv_path, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            click.echo(f"{csv_path}: {shown.payouts} payouts, {shown.amount:.2f} yuan")
        return
    click.echo(f"{shown.month}: {shown.payouts} payouts, {shown.amount:.2f} yuan")
    for block in shown.townships:
        for row in block.villages:
            click.echo(f"  {block.township or '-'}  {row.village or '-'}  {row.payouts}  {row.amount:.2f}")
    for provider in shown.providers:  # 内报: the provider's settlement, no village's payout
        click.echo(f"  定点医疗机构结算  {provider.provider}  {provider.payouts}  {provider.amount:.2f}")
