"""Engine and sessions, made from settings by whoever starts the process (app, CLI, worker)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Enough connections for the web server's threads (waitress: 8–16) plus the job runner.
    return create_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=16)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web app read while a job writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine, info: dict | None = None) -> sessionmaker[Session]:
    """`info`: what every session of the process carries in Session.info (keys derived from the
    installation's secret, which the database never holds)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info=dict(info or {}))
