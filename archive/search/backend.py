"""The search backend interface, and choosing one (`search.backend`).

Two implementations answer the same calls with the same results:

- "whoosh" (the embedded default): an index directory under `data_dir`, written by exactly one
  process (archive.search.writer enforces it), read by the processes on that machine;
- "postgres": a table of the PostgreSQL the deployment already runs (archive.search.pg_*),
  read by every web node, optionally on a replica (`database.search_url`).

The interface, what the rest of the application calls (`index` is what `open_backend` returns):

    search(session, index, user, query, filters=…, sort=…, page=…, page_size=…) -> SearchResult
    matching_document_ids(session, index, user, query, filters=…) -> set[int]
        (archive.search.query: access, masking, parsing and auditing are shared; only matching,
        counting, facets and ranking differ)
    index_documents(index, session, ids) / remove_documents(index, ids)   (archive.search.index)
    catch_up(index, session)                                                (archive.search.sync)
    rebuild_backend(runtime, session) -> (index, documents)   `archive reindex`, either backend
    backend_status(runtime, index_or_None) -> dict            `/healthz`

Switching backends is `search.backend` and `archive reindex`, nothing else.
"""

from __future__ import annotations

from typing import Protocol

BACKENDS = ("whoosh", "postgres")


class SearchBackend(Protocol):
    name: str


def backend_name(settings) -> str:
    name = str(settings.get("search.backend", "whoosh") or "whoosh")
    if name not in BACKENDS:
        from archive.search.pg_index import BackendUnavailable

        raise BackendUnavailable(f"search.backend = {name!r}: expected one of {', '.join(BACKENDS)}")
    return name


def open_backend(runtime):
    """The configured backend, opened (a missing or stale Whoosh index is rebuilt first)."""
    if backend_name(runtime.settings) == "postgres":
        from archive.search.pg_index import open_postgres, read_mark, rebuild, stale

        index = open_postgres(runtime.engine, runtime.settings.get("database.search_url") or None)
        # Never built (a new installation) or built under other masking rules: built now, as
        # Whoosh's index is.
        if read_mark(index) is None or stale(index):
            with runtime.sessions() as session:
                rebuild(index, session)
        return index
    from archive.search.index import open_or_rebuild

    return open_or_rebuild(runtime.sessions, runtime.index_dir)


def rebuild_backend(runtime, session):
    """Rebuild the configured backend from the database: (index, how many documents)."""
    if backend_name(runtime.settings) == "postgres":
        from archive.search.pg_index import open_postgres, rebuild

        index = open_postgres(runtime.engine, runtime.settings.get("database.search_url") or None)
        return index, rebuild(index, session)
    from archive.search.index import rebuild

    index = rebuild(session, runtime.index_dir)
    with index.whoosh.searcher() as searcher:
        return index, searcher.doc_count()


def backend_status(runtime) -> tuple[dict, int]:
    """(status for /healthz, the audit-event mark the index has caught up to)."""
    if backend_name(runtime.settings) == "postgres":
        from archive.search.pg_index import open_postgres, read_mark, status

        index = open_postgres(runtime.engine)
        return status(index), read_mark(index) or 0
    from archive.search.index import index_status
    from archive.search.marks import read_mark as read_file_mark

    return index_status(runtime.index_dir), read_file_mark(runtime.index_dir) or 0
