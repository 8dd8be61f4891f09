"""Every statement of a PostgreSQL search that matches the text runs under the search's own
planner settings (pg_query._PLANNING: indexes preferred, exact bitmaps, no nested loops). A level
probe run outside them was planned as a merge join walking the case_id index over every row at
1,000,000 documents for a reviewer (3.9–6.3 s), where under them it is a GIN bitmap (0.2 ms)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from archive.search import search
from archive.search.backend import rebuild_backend
from tests import factories
from tests.integration.test_search_postgres import _documents
from tests.search_backends import postgres_database

pytestmark = pytest.mark.postgres


def test_every_matching_statement_runs_under_the_search_settings(make_rt, postgres):
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "planning"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    # Enough matches at each level that the first page's level is probed upwards.
    texts = {f"doc{n}": "住院 " * (1 + n % 6) + "医院" for n in range(40)}
    _documents(runtime, users["intake_clerk"], texts)
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        statements: list[tuple[bool, str]] = []
        planning = [False]

        def seen(conn, cursor, statement, parameters, context, executemany):
            if "set_config('enable_seqscan', 'off'" in statement:
                planning[0] = True
            elif "reset_val" in statement:
                planning[0] = False
            elif "@@" in statement:
                statements.append((planning[0], statement))

        bind = session.get_bind()
        event.listen(bind, "before_cursor_execute", seen)
        try:
            for name in ("archivist", "reviewer"):
                user = session.merge(users[name])
                for words in ("住院", "住院 医院"):
                    assert search(session, index, user, words, page_size=5).total == 40
        finally:
            event.remove(bind, "before_cursor_execute", seen)
        session.rollback()
    assert statements
    outside = [statement for under, statement in statements if not under]
    assert not outside, outside[0]
