"""A single word's first page when its level holds more matches than the page needs, all tied
(PostgreSQL): taken in document order without scoring the whole level, the same pages as
ranking every match, page 2 continuing page 1, the total exact."""

from __future__ import annotations

import pytest

from archive.search import pg_query, search
from archive.search.backend import rebuild_backend
from tests import factories
from tests.integration.test_search_postgres import _documents
from tests.search_backends import postgres_database

pytestmark = pytest.mark.postgres


def test_a_level_of_tied_matches_pages_in_document_order_without_ranking_it(make_rt, postgres, monkeypatch):
    monkeypatch.setattr(pg_query.Weights, "idf", lambda self, lexemes: 1.0)
    tied, ranked = [], []
    monkeypatch.setattr(pg_query, "_tied_page", lambda *args, _real=pg_query._tied_page: tied.append(
        _real(*args)) or tied[-1])
    monkeypatch.setattr(pg_query, "_candidates", lambda *args, _real=pg_query._candidates: ranked.append(
        args) or _real(*args))
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "tiedlevel"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    # Below the level first in document order, then the level (three times, tied) with two
    # above it (four times) among them, and a code equal to the word (scores more).
    texts = {**{f"once{n}": "住院 病房" for n in range(4)},
             **{f"thrice{n}": "住院 " * 3 for n in range(3)}, "four0": "住院 " * 4,
             **{f"thrice{n}": "住院 " * 3 for n in range(3, 9)}, "four1": "住院 " * 4 + "结算",
             **{f"thrice{n}": "住院 " * 3 for n in range(9, 12)}}
    ids = _documents(runtime, users["intake_clerk"], texts)
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        results = [search(session, index, archivist, "住院", page=page, page_size=5) for page in (1, 2)]
        assert [page is not None for page in tied] == [True, True] and not ranked
        # pages 3 and 4 reach below the level: ranked as before
        results += [search(session, index, archivist, "住院", page=page, page_size=5) for page in (3, 4)]
        session.rollback()
        monkeypatch.setattr(pg_query, "_levelled", lambda *args, **kwargs: None)
        every = [search(session, index, archivist, "住院", page=page, page_size=5) for page in (1, 2, 3, 4)]
        session.rollback()
    pages = [[ids[hit.document_id] for hit in result.hits] for result in results]
    assert pages == [[ids[hit.document_id] for hit in result.hits] for result in every]
    assert pages == [["four0", "four1", "thrice0", "thrice1", "thrice2"],
                     ["thrice3", "thrice4", "thrice5", "thrice6", "thrice7"],
                     ["thrice8", "thrice9", "thrice10", "thrice11", "once0"],
                     ["once1", "once2", "once3"]]
    assert {result.total for result in results} == {18}
