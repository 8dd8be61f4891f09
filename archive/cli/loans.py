"""`archive loan grant|approve|revoke|list`: loans (借阅) of a case over archive.records.loans.

Actions are taken as `--user` (default: the system account); the approver must be another
person than the one who registered the loan, so at least one of the two names a real user.
"""

from __future__ import annotations

import json

import click

from archive.cli.base import cli, open_runtime
from archive.cli.records import USER, act


@cli.group()
def loan() -> None:
    """Loans (借阅) of a case to a person until a day; approved by a second person."""


@loan.command("grant")
@click.argument("case_no")
@click.option("--to", "borrower", required=True, help="Username of the borrower.")
@click.option("--last-day", required=True, help="Last day of the loan (YYYY-MM-DD, China time).")
@click.option("--reason", required=True, help="Why the case is lent (借阅事由).")
@USER
def grant(case_no: str, borrower: str, last_day: str, reason: str, username: str | None) -> None:
    """Register a loan; it takes effect once approved."""
    from archive.records.loans import grant_loan

    made = act(open_runtime(), grant_loan, username, case_no, borrower=borrower, last_day=last_day,
               reason=reason)
    click.echo(f"loan #{made.id}: {case_no} to {borrower} until {made.last_day}, waiting for approval")


@loan.command("approve")
@click.argument("loan_id", type=int)
@USER
def approve(loan_id: int, username: str | None) -> None:
    from archive.records.loans import approve_loan

    approved = act(open_runtime(), approve_loan, username, loan_id)
    click.echo(f"loan #{approved.id}: approved, in force until {approved.last_day}")


@loan.command("revoke")
@click.argument("loan_id", type=int)
@click.option("--reason", required=True)
@USER
def revoke(loan_id: int, reason: str, username: str | None) -> None:
    """End a loan before its last day."""
    from archive.records.loans import revoke_loan

    act(open_runtime(), revoke_loan, username, loan_id, reason=reason)
    click.echo(f"loan #{loan_id}: ended")


@loan.command("list")
@click.option("--json", "as_json", is_flag=True)
@USER
def list_(as_json: bool, username: str | None) -> None:
    """Every loan, newest first, with its status (expired and revoked ones too)."""
    from archive.records.loans import list_loans

    def rows(session, *, actor):
        return [{"id": loan.id, "case_no": loan.case.case_no, "borrower": loan.borrower.username,
                 "last_day": loan.last_day.isoformat(), "status": loan.status, "reason": loan.reason,
                 "granted_by": loan.granted_by_name, "approved_by": loan.approved_by_name}
                for loan in list_loans(session, actor)]

    found = act(open_runtime(), rows, username)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for row in found:
        click.echo(f"#{row['id']}\t{row['case_no']}\t{row['borrower']}\t{row['last_day']}\t{row['status']}")
