"""The Whoosh index's single-writer rule, enforced through the database.

A Whoosh index is a directory on one machine. Two processes writing indexes in different
directories (two machines, or two data directories) would each hold part of the archive, and
their nodes would each find part of it. So the deployment has one writer: whoever writes
claims row "whoosh" of `search_writers` for `search.writer_lease_seconds`, naming its host and
index directory, and renews the claim on every write. Another host or directory is refused
(WriterBusy) until the lease runs out — a writer that died is replaced after at most one lease.
Processes writing the same directory on the same host count as the same writer: Whoosh's own
directory lock orders them. The PostgreSQL backend needs none of this (the table is shared).
"""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import Column, MetaData, String, Table, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from archive.models.types import UTCDateTime, utcnow

NAME = "whoosh"
LEASE_SECONDS = 300


class WriterBusy(ValueError):
    """Another host or index directory is the deployment's Whoosh index writer."""


search_writers = Table("search_writers", MetaData(), Column("name", String(32), primary_key=True),
                       Column("holder", String(512)), Column("expires_at", UTCDateTime()))


def holder_for(runtime) -> str:
    return f"{socket.gethostname()}:{runtime.index_dir.resolve()}"


def claim_writer(runtime, *, holder: str | None = None) -> None:
    """Become (or stay) the Whoosh index writer; WriterBusy if another holds a live lease."""
    from archive.search.backend import backend_name

    if backend_name(runtime.settings) != "whoosh":
        return
    holder = holder or holder_for(runtime)
    now = utcnow()
    expires = now + timedelta(seconds=float(runtime.settings.get("search.writer_lease_seconds",
                                                                 LEASE_SECONDS)))
    table = search_writers
    for _ in range(2):
        with runtime.engine.begin() as connection:
            claimed = connection.execute(update(table).where(
                table.c.name == NAME, or_(table.c.holder == holder, table.c.expires_at < now))
                .values(holder=holder, expires_at=expires)).rowcount
            if claimed:
                return
            current = connection.execute(select(table.c.holder, table.c.expires_at)
                                         .where(table.c.name == NAME)).first()
        if current is not None:
            raise WriterBusy(f"the search index is written by {current.holder} (lease until "
                             f"{current.expires_at:%Y-%m-%d %H:%M:%S} UTC); exactly one "
                             "`archive worker --queues search` may write it")
        try:
            with runtime.engine.begin() as connection:
                connection.execute(insert(table).values(name=NAME, holder=holder, expires_at=expires))
            return
        except IntegrityError:
            continue  # another process inserted it first: try to claim it again
