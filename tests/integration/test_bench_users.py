"""benchmarks/search.py searches as users who do not see everything (--as-user): the grades
and loans it writes make them see what its brute force says, on PostgreSQL."""

from __future__ import annotations

import random

import pytest

import benchmarks.search as bench
from archive.search.backend import rebuild_backend
from archive.setup import initialise
from tests.search_backends import postgres_database


@pytest.mark.parametrize("kind", ["graded", "masked"])
def test_restricted_users_are_measured_against_what_they_may_see(kind, request, tmp_path, monkeypatch):
    url = postgres_database(request.getfixturevalue("postgres"), f"bench_users_{kind}")
    for name, value in {"BACKEND": "postgres", "DATABASE_URL": url, "AS_USER": kind, "PER_TYPE": 4,
                        "RECALL_QUERIES": 4, "RESTRICTED_EVERY": 4, "LOANS": 5}.items():
        monkeypatch.setattr(bench, name, value)
    runtime = bench.runtime_on(tmp_path / "data")
    initialise(runtime)
    documents = bench.generate(420)  # queries() samples 400
    ids = bench.load_database(runtime, documents)
    with runtime.sessions() as session:
        rebuild_backend(runtime, session)
    bench.restrict(runtime, documents)
    bench.restrict(runtime, documents)  # written once
    cases = bench.queries(documents, random.Random(3))

    figures, _ = bench.run_production(runtime, documents, bench.searchable_texts(documents),
                                      [d["kind"] for d in documents], cases, ids)

    seen = bench.sees(kind, documents)
    if kind != "masked":
        assert 0 < len(seen) < len(documents)
    for name, recall in figures["recall"].items():
        assert recall.get("recall", 1) == 1 and not recall.get("extra_hits"), (name, recall)
    assert all(t["exact"] == t["checked"] for t in figures["totals_exact"].values()), figures["totals_exact"]
    assert sum(t["checked"] for t in figures["totals_exact"].values()) > 10
    assert sum(r.get("checked", 0) for r in figures["recall"].values()) > 0
    runtime.engine.dispose()
