"""Running the same search tests on both backends (archive.search.backend)."""

from __future__ import annotations

import itertools
import re

import psycopg
import pytest

BACKENDS = ["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)]
_numbers = itertools.count()


def postgres_database(server, stem: str) -> str:
    """A fresh database on the test PostgreSQL server; its SQLAlchemy URL."""
    name = f"s{next(_numbers)}_{re.sub(r'[^a-z0-9]', '', stem.lower())[:40]}"
    with psycopg.connect(server.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


def backend_settings(request, stem: str) -> dict[str, str]:
    """ARCHIVE_* overrides for the backend `request.param` names."""
    if request.param == "whoosh":
        return {"ARCHIVE_SEARCH_BACKEND": "whoosh"}
    return {"ARCHIVE_SEARCH_BACKEND": "postgres",
            "ARCHIVE_DATABASE_URL": postgres_database(request.getfixturevalue("postgres"), stem)}
