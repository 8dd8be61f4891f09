"""The `archive` command group, its one error handler, and what every subcommand shares: a
runtime, the acting user, a one-line failure."""

from __future__ import annotations

import getpass
import sys

import click

from archive.audit import Origin, current_origin
from archive.config import ConfigError


def main() -> None:
    from archive.errors import Refusal
    from archive.storage import StoreError

    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ConfigError, StoreError, Refusal, ValueError) as exc:
        # Every refusal, in English; ValueError covers the services' own (BackupError, ...).
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted")


def fail(message: str, code: int = 1) -> None:
    click.echo(f"archive: error: {message}", err=True)
    sys.exit(code)


def open_runtime(*, long_lived: bool = False):
    """The runtime of one command. A short-lived command runs its jobs itself when they would
    run in threads (the follow-ups of its changes: reading, the index, the store's protection),
    so they are done when it exits; with RQ they go to the workers, as from the web."""
    from archive.logs import configure_logging
    from archive.queue import InlineQueue
    from archive.runtime import make_runtime

    configure_logging("WARNING")
    runtime = make_runtime()
    if not long_lived and runtime.settings.get("jobs.backend") == "thread":
        runtime.queue = InlineQueue(runtime)
    return runtime


def as_user(session, username: str | None):
    from sqlalchemy import select

    from archive.auth import system_user
    from archive.models import User

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


def session_as(username: str | None):
    """A runtime, a session and the acting user (default: the system user)."""
    runtime = open_runtime()
    current_origin.set(Origin("cli", request_id=f"cli:{getpass.getuser()}"))
    session = runtime.sessions()
    try:
        return runtime, session, as_user(session, username)
    except BaseException:
        session.close()
        raise
