"""`archive user create | set-password | scope | token`: accounts from the command line."""

from __future__ import annotations

import click

from archive.cli.base import as_user, cli, open_runtime


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

    runtime = open_runtime()
    try:
        with runtime.sessions.begin() as session:
            create_user(session, username=username, display_name=display_name or username, role=role,
                        password=password, actor=as_user(session, None),
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

    runtime = open_runtime()
    try:
        with runtime.sessions.begin() as session:
            set_password(session, as_user(session, username), password, actor=as_user(session, None),
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

    runtime = open_runtime()
    try:
        with runtime.sessions.begin() as session:
            set_scope(session, as_user(session, username), hospital=hospital, township=township,
                      village=village, actor=as_user(session, None))
    except AccountError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"scope of {username} set")


@user.command("token")
@click.argument("username")
@click.option("--name", default="scanner", show_default=True)
def user_token(username, name) -> None:
    """Issue an API token (shown once)."""
    from archive.auth import issue_api_token

    runtime = open_runtime()
    with runtime.sessions.begin() as session:
        token = issue_api_token(session, as_user(session, username), name=name,
                                actor=as_user(session, None))
    click.echo(token)

