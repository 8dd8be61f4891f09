"""/healthz on a node whose search index no worker writes (issue 21): two nodes share the
database and store, each with its own data directory, as separate machines have."""

from __future__ import annotations

from archive.health import check_all
from archive.search import catch_up
from tests import factories


def test_a_node_whose_index_falls_behind_the_database_is_unhealthy(make_rt, tmp_path, db_url):
    shared = {"ARCHIVE_DATABASE_URL": db_url, "ARCHIVE_STORE_PATH": str(tmp_path / "objects")}
    writer = make_rt(**shared, ARCHIVE_DATA_DIR=str(tmp_path / "node-a"))
    reader = make_rt(**shared, ARCHIVE_DATA_DIR=str(tmp_path / "node-b"),
                     ARCHIVE_SEARCH_MAX_LAG_SECONDS="0")
    clerk = factories.users_for_all_roles(writer)["intake_clerk"]
    case_no = factories.make_case(writer, clerk)
    factories.upload(writer, clerk, case_no, factories.invoice_pdf(seed=31))  # read, indexed on A

    on_a = check_all(writer)["checks"]["index"]
    assert on_a["ok"] and on_a["pending_changes"] == 0 and on_a["documents"] == 1

    on_b = check_all(reader)["checks"]["index"]  # nobody built or fed an index here
    assert on_b["ok"] is False and on_b["pending_changes"] >= 1
    assert "search worker" in on_b["error"]

    with reader.sessions() as session:  # what the search worker on B's machine would do
        catch_up(reader.search_index(), session)
    on_b = check_all(reader)["checks"]["index"]
    assert on_b["ok"] and on_b["pending_changes"] == 0 and on_b["documents"] == 1
