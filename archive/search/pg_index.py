"""The PostgreSQL search backend's writes: one row per processed document (archive.search.pg_table).

Every web node and worker reads the same table, so a document indexed by any worker is found
through any node; writes run in their own transactions on the primary (the caller's session
only reads the documents), and searches may read from a replica (`database.search_url`).
Rebuilding is a truncate and refill in one transaction: readers see the old rows until it
commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from archive.models import Document
from archive.models.cases import DocumentStatus
from archive.search import pg_counts
from archive.search.hiding import PAGE_BREAK, hidden_offsets
from archive.search.pg_table import analysed, search_documents, search_state, visible_text
from archive.search.schema import EXACT_FIELDS, SCHEMA_VERSION, fold

log = logging.getLogger(__name__)

MARK = "last_event"
MASKING = "masking"  # the masking rules the `visible` column was made under (hiding.masking_fingerprint)
SCHEMA = "schema"  # schema.SCHEMA_VERSION the rows were analysed under (none: before version 6)
# Set by a rebuild whose rows all have their frequency levels (pg_table.LEVELS); until then
# pg_query ranks every match, as rows written before the levels existed lack them.
LEVELLED = "levels"
LEVELS_VERSION = 1
BATCH = 500


class BackendUnavailable(ValueError):
    """The configured search backend cannot run here (e.g. postgres on a SQLite database)."""


@dataclass
class PostgresIndex:
    """The search table, written through `engine` (the primary) and read through `reader`."""

    engine: Engine
    reader: sessionmaker | None = None  # sessions on a read replica, if one is configured
    name: str = field(default="postgres", init=False)

    def close(self) -> None:
        """Close the replica's connections (the primary's engine belongs to the runtime)."""
        if self.reader is not None:
            self.reader.kw["bind"].dispose()

    def read_session(self, session: Session):
        """A session to search with: the replica's if configured, else the caller's."""
        return None if self.reader is None else self.reader()


def open_postgres(engine: Engine, search_url: str | None = None) -> PostgresIndex:
    if engine.dialect.name != "postgresql":
        raise BackendUnavailable("search.backend = \"postgres\" needs a PostgreSQL database "
                                 f"(database.url is {engine.dialect.name}); use \"whoosh\"")
    reader = None
    if search_url:
        from archive.db import make_engine, make_session_factory

        reader = make_session_factory(make_engine(search_url))
    return PostgresIndex(engine, reader)


def _row(record: dict, pages_joined: str) -> dict:
    body = fold(record["text"])
    hidden, base = [], 0
    for page in pages_joined.split(PAGE_BREAK):
        hidden += [base + offset for offset in hidden_offsets(page)]
        base += len(page) + 1
    row = {name: record.get(name) for name in EXACT_FIELDS}
    terms, exact = analysed(body)
    row.update(document_id=int(record["document_id"]), case_id=record["case_id"], body=body,
               visible=visible_text(body, hidden), terms=terms, positions_exact=exact,
               codes=record.get("codes", "").lower().split(), steps=record.get("step", "").split(),
               document_date=record.get("document_date"), case_opened=record.get("case_opened"),
               amount_fen=record.get("amount_fen"))
    return row


def _rows(session: Session, ids: list[int]) -> list[dict]:
    from archive.search.index import _records  # the same fields as the Whoosh index

    return [_row(record, record.get("hidden", "")) for record in _records(session, ids)]


def _insert(connection, rows: list[dict]) -> None:
    if not rows:
        return
    # `terms` is tsvector input text, sent untyped: PostgreSQL parses it, no dictionary involved.
    statement = pg_insert(search_documents).values(rows)
    columns = {column.name: statement.excluded[column.name] for column in search_documents.columns
               if column.name != "document_id"}
    connection.execute(statement.on_conflict_do_update(index_elements=["document_id"], set_=columns))


def index_documents(index: PostgresIndex, session: Session, document_ids: Iterable[int]) -> int:
    """Add or replace these documents; ids no longer processed (or gone) are removed."""
    ids = sorted(set(document_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = _rows(session, chunk)
        with index.engine.begin() as connection:
            _insert(connection, rows)
            gone = set(chunk) - {row["document_id"] for row in rows}
            if gone:
                connection.execute(delete(search_documents).where(search_documents.c.document_id.in_(gone)))
        written += len(rows)
    return written


def remove_documents(index: PostgresIndex, document_ids: Iterable[int]) -> None:
    with index.engine.begin() as connection:
        connection.execute(delete(search_documents).where(
            search_documents.c.document_id.in_(list(document_ids))))


def rebuild(index: PostgresIndex, session: Session) -> int:
    """Every processed document, afresh, in one transaction; returns how many."""
    from archive.search.marks import current_mark

    mark = current_mark(session)  # changes after this are caught up later
    ids = session.scalars(select(Document.id).where(
        Document.status == DocumentStatus.PROCESSED).order_by(Document.id)).all()
    with index.engine.begin() as connection:
        # Committed synchronously whatever the server's synchronous_commit: VACUUM below may
        # mark a page all-visible only once the commit that wrote its rows is flushed (measured
        # with synchronous_commit off at 20,000 documents: none, and a kind and date range read
        # the heap, 26 ms, where its covering index alone answers in 2 ms). One flush a rebuild.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = on")
        pg_counts.bulk(connection)  # counted afresh below, not row by row
        connection.execute(delete(search_documents))
        for start in range(0, len(ids), BATCH):
            _insert(connection, _rows(session, ids[start:start + BATCH]))
            session.expunge_all()
        _write_mark(connection, mark)
        _write_state(connection, MASKING, _masking())
        _write_state(connection, SCHEMA, SCHEMA_VERSION)
        _write_state(connection, LEVELLED, LEVELS_VERSION)
    # The caller's session, which read the documents, still holds the snapshot it read them
    # with (its xmin, seen in pg_stat_activity): ended here, or the rows are not yet visible to
    # every transaction and VACUUM can mark no page all-visible. It only read; nothing is lost.
    session.commit()
    with index.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # At once rather than when autovacuum comes: fresh statistics (the planner's, and the
        # lexeme shares relevance and the choice of grams go by, pg_query.Weights), the deleted
        # rows' space back, and the pages marked all-visible so a kind and date range is
        # answered from its index alone.
        connection.exec_driver_sql("VACUUM (ANALYZE) search_documents")
    with index.engine.begin() as connection:  # by the statistics just taken
        common = pg_counts.fill(connection)
    log.info("search table rebuilt: %d documents, %d common grams counted", len(ids), common)
    return len(ids)


def levelled(connection) -> bool:
    """Whether every row has its frequency levels (the last rebuild wrote them)."""
    return connection.scalar(select(search_state.c.value).where(
        search_state.c.name == LEVELLED)) == LEVELS_VERSION


def read_mark(index: PostgresIndex) -> int | None:
    with index.engine.connect() as connection:
        return connection.scalar(select(search_state.c.value).where(search_state.c.name == MARK))


def write_mark(index: PostgresIndex, mark: int) -> None:
    with index.engine.begin() as connection:
        _write_mark(connection, mark)


def _write_mark(connection, mark: int) -> None:
    _write_state(connection, MARK, mark)


def _write_state(connection, name: str, value: int) -> None:
    statement = pg_insert(search_state).values(name=name, value=value)
    connection.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"value": value}))


def _masking() -> int:
    from archive.search.hiding import masking_fingerprint

    return int(masking_fingerprint()[:15], 16)


def stale(index: PostgresIndex) -> bool:
    """Whether the table was built under other masking rules (what is hidden must be redone) or
    another analysis (SCHEMA_VERSION: e.g. without the case's own fields)."""
    with index.engine.connect() as connection:
        made = dict(connection.execute(select(search_state.c.name, search_state.c.value).where(
            search_state.c.name.in_((MASKING, SCHEMA)))).all())
    return made.get(MASKING) not in (None, _masking()) or made.get(SCHEMA) != SCHEMA_VERSION


def status(index: PostgresIndex) -> dict:
    with index.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(search_documents))
        mark = connection.scalar(select(search_state.c.value).where(search_state.c.name == MARK))
    if mark is None:
        return {"status": "missing", "backend": "postgres", "documents": count,
                "detail": "the search table was never built: run `archive reindex`"}
    if stale(index):
        return {"status": "stale", "backend": "postgres", "documents": count,
                "detail": "built under other masking rules or analysis: run `archive reindex`"}
    return {"status": "ok", "backend": "postgres", "documents": count}


__all__ = ["BackendUnavailable", "PostgresIndex", "index_documents", "open_postgres",
           "read_mark", "rebuild", "remove_documents", "status", "write_mark"]
