"""benchmarks/search.py measures the incremental add on a cached corpus (--cache-dir) and leaves
the corpus and its index as it found them, so the next run can reuse both."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

import benchmarks.search as bench
from archive.models import Case, Document, Page, StoredObject
from archive.search.backend import open_backend, rebuild_backend
from archive.setup import initialise
from tests.search_backends import BACKENDS, postgres_database


@pytest.mark.parametrize("backend", BACKENDS)
def test_incremental_add_on_a_cached_corpus_is_taken_out_again(backend, request, tmp_path, monkeypatch):
    url = postgres_database(request.getfixturevalue("postgres"), "bench_incremental") \
        if backend == "postgres" else ""
    monkeypatch.setattr(bench, "BACKEND", backend)
    monkeypatch.setattr(bench, "DATABASE_URL", url)
    runtime = bench.runtime_on(tmp_path / "data")
    initialise(runtime)
    bench.load_database(runtime, bench.generate(9))
    with runtime.sessions() as session:
        rebuild_backend(runtime, session)
    before = _state(runtime)
    seen_while_added = []
    indexing = bench.index_documents

    def counted(index, session, ids):
        written = indexing(index, session, ids)
        seen_while_added.append(_indexed(runtime))
        return written

    monkeypatch.setattr(bench, "index_documents", counted)

    figures = bench.incremental_undone(runtime, count=3)

    assert figures["max"] >= figures["p50"] > 0
    assert [len(ids) for ids in seen_while_added] == [10, 11, 12]  # each added one was indexed
    assert _state(runtime) == before
    assert not runtime.index_dir.with_name("index.before-incremental").exists()
    runtime.engine.dispose()


def _state(runtime) -> dict:
    with runtime.sessions() as session:
        counts = {model.__name__: session.scalar(select(func.count()).select_from(model))
                  for model in (Case, Document, Page, StoredObject)}
    files = sorted(p.name for p in runtime.index_dir.iterdir()) if bench.BACKEND == "whoosh" else None
    return {"rows": counts, "indexed": _indexed(runtime), "index_files": files}


def _indexed(runtime) -> set[str]:
    if bench.BACKEND == "postgres":
        with runtime.engine.connect() as connection:
            return {str(i) for i in connection.scalars(text("SELECT document_id FROM search_documents"))}
    with open_backend(runtime).whoosh.searcher() as searcher:
        return {fields["document_id"] for fields in searcher.all_stored_fields()}
