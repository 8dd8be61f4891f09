"""Per-request access to the runtime and a database session."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def runtime():
    return current_app.extensions["archive"]


def db() -> Session:
    """The request's session; views commit what they change, teardown closes it."""
    if "db" not in g:
        g.db = runtime().sessions()
    return g.db
