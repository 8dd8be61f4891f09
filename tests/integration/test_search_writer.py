"""The Whoosh index's single-writer rule is enforced, not just documented (issue 21, point 5):
a second host or index directory that tries to write is refused while the first one's lease
runs, and takes over once it has run out (the first writer died)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from archive.jobs import run_index_document, run_sync_index
from archive.models.types import utcnow
from archive.search.writer import WriterBusy, claim_writer, search_writers


def _expire(runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(update(search_writers).values(expires_at=utcnow() - timedelta(seconds=1)))


def test_a_second_index_writer_is_refused_until_the_first_ones_lease_runs_out(make_rt, db_url, tmp_path):
    first = make_rt(ARCHIVE_DATABASE_URL=db_url)
    second = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_DATA_DIR=str(tmp_path / "other-node"))
    run_sync_index(first)
    with pytest.raises(WriterBusy, match="exactly one"):
        run_sync_index(second)
    with pytest.raises(WriterBusy):
        run_index_document(second, 1)
    assert not (second.index_dir / "archive_sync.json").exists()  # nothing written there
    run_sync_index(first)  # the writer itself goes on (and renews its lease)
    same_directory = make_rt(ARCHIVE_DATABASE_URL=db_url)  # Whoosh's directory lock orders these
    claim_writer(same_directory)
    _expire(first)  # the first writer died a lease ago
    run_sync_index(second)
    with pytest.raises(WriterBusy):
        claim_writer(first)


@pytest.mark.postgres
def test_the_postgres_backend_has_no_single_writer(make_rt, postgres, tmp_path):
    from tests.search_backends import postgres_database

    url = postgres_database(postgres, "writers")
    nodes = [make_rt(ARCHIVE_DATABASE_URL=url, ARCHIVE_SEARCH_BACKEND="postgres",
                     ARCHIVE_DATA_DIR=str(tmp_path / name)) for name in ("a", "b")]
    for node in nodes:
        run_sync_index(node)  # both workers write the one shared table
