"""Shared fixtures: settings on a temporary data directory, a runtime, the app and a client.

Integration tests that take `db_url` run on SQLite and on a real PostgreSQL server that the
session starts itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import psycopg
import pytest

from archive import create_app
from archive.config import load_settings
from archive.runtime import make_runtime
from archive.setup import initialise
from tests import factories
from tests.servers import PostgresServer, postgres_server, redis_server

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis():
    with redis_server() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/archive.db"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"t{next(_databases)}_{re.sub(r'[^a-z0-9]', '', request.node.name.lower())[:40]}"
    with psycopg.connect(server.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


@pytest.fixture
def environ(tmp_path) -> dict[str, str]:
    """Environment for load_settings; tests add ARCHIVE_* overrides to it."""
    return {
        "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
        "ARCHIVE_SECRET_KEY": "test-secret",
        "ARCHIVE_JOBS_BACKEND": "inline",
        # Periodic fixity, audit-trail, checkpoint and orphan-sweep runs are tested on their own;
        # elsewhere they would add jobs to queues.
        "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0",
        "ARCHIVE_RECORDS_VERIFY_EVERY_HOURS": "0",
        "ARCHIVE_RECORDS_CHECKPOINT_EVERY_HOURS": "0",
        "ARCHIVE_RECORDS_ORPHAN_SWEEP_EVERY_HOURS": "0",
        "ARCHIVE_RECORDS_FOUR_PROPERTIES_EVERY_HOURS": "0",
    }


@pytest.fixture
def make_rt(environ):
    """Build an initialised runtime; call with extra ARCHIVE_* overrides."""
    made = []

    def build(**overrides: str):
        settings = load_settings({**environ, **overrides})
        runtime = make_runtime(settings)
        initialise(runtime)
        made.append(runtime)
        return runtime

    yield build
    for runtime in made:
        runtime.engine.dispose()


@pytest.fixture
def rt(make_rt, db_url):
    """An initialised runtime on SQLite and on PostgreSQL (one test run each)."""
    return make_rt(ARCHIVE_DATABASE_URL=db_url)


@pytest.fixture
def desk(rt):
    """One user for each role the sign-off chains need (tests.factories.sign_off_desk)."""
    return factories.sign_off_desk(rt)


@pytest.fixture
def runtime(make_rt):
    """The embedded default (SQLite, local store) with jobs run inline."""
    return make_rt()


@pytest.fixture
def app(runtime):
    app = create_app(runtime)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(runtime):
    """One user per role, password "pw-<role>"; access as users["reviewer"]."""
    return factories.users_for_all_roles(runtime)
