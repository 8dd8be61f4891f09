"""What only the PostgreSQL backend has: PostgreSQL's tsvector limits (positions up to 16,383,
256 per lexeme) never cost recall, and searches can read a replica (`database.search_url`)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from archive.intake import open_case
from archive.models import Document, Page, StoredObject
from archive.models.cases import DocumentStatus
from archive.search import matching_document_ids, pg_query, search
from archive.search.backend import open_backend, rebuild_backend
from archive.search.pg_table import tsvector_literal
from tests import factories
from tests.search_backends import postgres_database

pytestmark = pytest.mark.postgres


def _long_document(runtime, clerk) -> int:
    # 4,000 times "住院费用" (its pairs far over 256 positions each), then, past position
    # 16,383, a phrase found nowhere else, and one made of the overused pairs.
    text = "住院费用 " * 4000 + "\n尾页独有的短语 费用住院费\n"
    with runtime.sessions.begin() as session:
        actor = session.merge(clerk)
        case = open_case(session, actor=actor, claimant_name="王芳", claim_type="inpatient")
        blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                            content_type="application/pdf")
        document = Document(case=case, stored_object=blob, kind="daily_statement",
                            original_filename="x.pdf", filename="x.pdf", content_type="application/pdf",
                            page_count=1, status=DocumentStatus.PROCESSED, fields={},
                            uploaded_by_id=actor.id)
        document.pages = [Page(number=1, text=text, source="text_layer")]
        session.add(document)
        session.flush()
        return document.id


@pytest.mark.parametrize("phrases", [False, True])
def test_positions_beyond_the_tsvector_limits_are_still_found(make_rt, postgres, monkeypatch, phrases):
    monkeypatch.setattr(pg_query, "PHRASES", phrases)  # either way of finding candidates
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "long"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    document_id = _long_document(runtime, users["intake_clerk"])
    literal = tsvector_literal("住院费用 " * 4000 + "尾页独有的短语")
    assert "'住院' " in literal + " " and "'尾页':" not in literal  # written without positions
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        for phrase in ("尾页独有的短语", "独有的", "费用住院费", "用住院"):
            assert matching_document_ids(session, index, archivist, f'"{phrase}"') == {document_id}, phrase
        assert matching_document_ids(session, index, archivist, '"用住院费用住"') == set()
        session.rollback()


def test_searches_read_the_replica_named_by_search_url(make_rt, postgres, tmp_path):
    primary_url = postgres_database(postgres, "primary")
    replica_url = postgres_database(postgres, "replica")
    make_rt(ARCHIVE_DATABASE_URL=replica_url, ARCHIVE_SEARCH_BACKEND="postgres",
            ARCHIVE_DATA_DIR=str(tmp_path / "replica"))  # the same schema, its table empty
    runtime = make_rt(ARCHIVE_DATABASE_URL=primary_url, ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    document_id = _long_document(runtime, users["intake_clerk"])
    with runtime.sessions() as session:
        rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        assert matching_document_ids(session, open_backend(runtime), archivist, "尾页") == {document_id}
    runtime.settings.values["database"]["search_url"] = replica_url
    replica = open_backend(runtime)
    with runtime.sessions() as session:
        archivist = session.merge(users["archivist"])
        # A stand-in replica that has not caught up: what is searched is what it holds.
        assert search(session, replica, archivist, "尾页").total == 0
        session.rollback()
    replica.close()


def test_a_word_in_nearly_every_document_still_ranks_by_frequency(make_rt, postgres, monkeypatch):
    # A gram in nearly every document of a large archive weighs ~1e-5: the scores differ only
    # past the third decimal, and the page must still put the most frequent first.
    monkeypatch.setattr(pg_query.Weights, "idf", lambda self, lexemes: 1e-5)
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "tiny"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    ids = {}
    with runtime.sessions.begin() as session:
        actor = session.merge(users["intake_clerk"])
        case = open_case(session, actor=actor, claimant_name="王芳", claim_type="inpatient")
        for times in (1, 3, 2):
            blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                                content_type="application/pdf")
            document = Document(case=case, stored_object=blob, kind="invoice", original_filename="x.pdf",
                                filename="x.pdf", content_type="application/pdf", page_count=1,
                                status=DocumentStatus.PROCESSED, fields={}, uploaded_by_id=actor.id)
            document.pages = [Page(number=1, text="住院 " * times, source="text_layer")]
            session.add(document)
            session.flush()
            ids[times] = document.id
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        hits = search(session, index, archivist, "住院").hits
        assert [hit.document_id for hit in hits] == [ids[3], ids[2], ids[1]]
        session.rollback()


def test_a_rebuild_leaves_the_table_all_visible_for_index_only_scans(make_rt, postgres):
    # The test server commits asynchronously (synchronous_commit = off), as many deployments do.
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "visible"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    for _ in range(3):
        _long_document(runtime, users["intake_clerk"])
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
    with runtime.engine.connect() as connection:
        pages, visible = connection.execute(text(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'search_documents'")).one()
    assert pages > 0 and visible == pages


def test_one_word_often_outranks_two_words_twice(make_rt, postgres, monkeypatch):
    # The first page from the level lexemes must hold a match with one word six times and the
    # other once: candidates that had to reach every word's level would leave it out, and a
    # bound of each word's score below its level would then "prove" a page without it.
    monkeypatch.setattr(pg_query.Weights, "idf", lambda self, lexemes: 1.0)
    pages = []
    monkeypatch.setattr(pg_query, "_from_levels", lambda *args, _real=pg_query._from_levels: pages.append(
        _real(*args)) or pages[-1])
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "words"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    # "often" last: the highest document id, so no tie in document order brings it back either
    texts = {**{f"twice{n}": "护理费 神经内科 " * 2 for n in range(8)},
             **{f"once{n}": "护理费 神经内科" for n in range(6)}, "one word": "护理费 " * 9,
             "often": "护理费 " * 6 + "神经内科"}
    ids = _documents(runtime, users["intake_clerk"], texts)
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        result = search(session, index, archivist, "护理费 神经内科", page_size=5)
        assert result.total == len(texts) - 1
        # 6 and 1: 2.2·6/7.2 + 1 = 2.83 against 2 · 2.2·2/3.2 = 2.75 for twice each
        assert [ids[hit.document_id] for hit in result.hits] == \
            ["often", *sorted(f"twice{n}" for n in range(8))[:4]]
        session.rollback()
    assert pages and pages[0] is not None  # the page came from the levels, not from ranking every match


def test_words_each_once_in_every_match_page_in_document_order(make_rt, postgres, monkeypatch):
    # No match holds either word twice but one: the levels hold no candidates but that one, and
    # every other match scores the bound exactly, so the page goes on in document order
    # (pg_query._ties) without ranking every match.
    monkeypatch.setattr(pg_query.Weights, "idf", lambda self, lexemes: 1.0)
    ties = []
    monkeypatch.setattr(pg_query, "_ties", lambda *args, _real=pg_query._ties: ties.append(
        _real(*args)) or ties[-1])
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "ties"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    # (住院 three times in ten other documents: the level asked for first, which finds none)
    texts = {**{f"once{n}": "统筹基金 住院" for n in range(6)}, "twice": "住院 统筹基金 住院",
             **{f"one word{n}": "住院 住院 住院" for n in range(10)}}
    ids = _documents(runtime, users["intake_clerk"], texts)
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        pages = [[ids[hit.document_id] for hit in search(session, index, archivist, "统筹基金 住院",
                                                          page=page, page_size=3).hits] for page in (1, 2, 3)]
        # per page: none at the first levels (住院 three times: the others score below the
        # bound), then the page at the lowest
        assert [page is not None for page in ties] == [False, True] * 3
        monkeypatch.setattr(pg_query, "_levelled", lambda *args, **kwargs: None)
        assert pages == [[ids[hit.document_id] for hit in search(
            session, index, archivist, "统筹基金 住院", page=page, page_size=3).hits] for page in (1, 2, 3)]
        session.rollback()
    assert pages == [["twice", "once0", "once1"], ["once2", "once3", "once4"], ["once5"]]


def _documents(runtime, clerk, texts: dict[str, str]) -> dict[int, str]:
    """One processed invoice per text, in order (document ids rise with it): id → name."""
    ids = {}
    with runtime.sessions.begin() as session:
        actor = session.merge(clerk)
        case = open_case(session, actor=actor, claimant_name="王芳", claim_type="inpatient")
        for name, body in texts.items():
            blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                                content_type="application/pdf")
            document = Document(case=case, stored_object=blob, kind="invoice", original_filename="x.pdf",
                                filename="x.pdf", content_type="application/pdf", page_count=1,
                                status=DocumentStatus.PROCESSED, fields={}, uploaded_by_id=actor.id)
            document.pages = [Page(number=1, text=body, source="text_layer")]
            session.add(document)
            session.flush()
            ids[document.id] = name
    return ids


def _varied_documents(runtime, clerk, specs: list[tuple[str, str, dict]]) -> list[int]:
    """One processed document per (kind, text, fields), in one case; their ids in order."""
    ids = []
    with runtime.sessions.begin() as session:
        actor = session.merge(clerk)
        case = open_case(session, actor=actor, claimant_name="王芳", claim_type="inpatient")
        for kind, body, fields in specs:
            blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                                content_type="application/pdf")
            document = Document(case=case, stored_object=blob, kind=kind, original_filename="x.pdf",
                                filename="x.pdf", content_type="application/pdf", page_count=1,
                                status=DocumentStatus.PROCESSED, fields=fields, uploaded_by_id=actor.id)
            document.pages = [Page(number=1, text=body, source="text_layer")]
            session.add(document)
            session.flush()
            ids.append(document.id)
    return ids


def test_a_common_gram_is_counted_from_its_kept_counts_exactly_through_every_write(
        make_rt, postgres, monkeypatch):
    # Totals and facets of 住院 come from search_gram_counts (pg_counts), kept by triggers: they
    # must equal brute force after a rebuild and after an add, a change of kind and a removal.
    from archive.search.pg_index import index_documents, remove_documents

    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "counts"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    kinds = ("invoice", "referral", "daily_statement")
    specs = [(kinds[n % 3], ("住院 病房 " if n % 4 else "门诊 ") + f"第{n}页",
              {"hospital": "县医院" if n % 2 else "镇卫生院"}) for n in range(24)]
    # equal to the word in an exact field (a code) without the word in its text: counted too
    specs.append(("invoice", "门诊 结算", {"invoice_code": "住院"}))
    ids = _varied_documents(runtime, users["intake_clerk"], specs)
    documents = dict(zip(ids, specs, strict=True))

    def expected(kind=None) -> tuple[int, dict]:
        hits = [spec for spec in documents.values() if kind in (None, spec[0]) and
                ("住院" in spec[1] or spec[2].get("invoice_code") == "住院")]
        by_kind = {}
        for spec in hits:
            by_kind[spec[0]] = by_kind.get(spec[0], 0) + 1
        return len(hits), by_kind

    def check(session, index, archivist) -> None:
        for kind in (None, "invoice"):
            filters = {"kind": kind} if kind else None
            result = search(session, index, archivist, "住院", filters=filters)
            session.rollback()
            with monkeypatch.context() as rows_only:
                rows_only.setattr(pg_query, "gram_counts", lambda *args: None)
                counted = search(session, index, archivist, "住院", filters=filters)
                session.rollback()
            total, by_kind = expected(kind)
            assert (result.total, result.facets["kind"]) == (total, by_kind)
            assert result.facets == counted.facets and result.total == counted.total

    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        from archive.search.parse import parse_query

        assert pg_query.gram_counts(session, archivist, parse_query("住院").query, False) is not None
        session.rollback()
        check(session, index, archivist)
    [added] = _varied_documents(runtime, users["intake_clerk"], [("referral", "住院 出院", {})])
    documents[added] = ("referral", "住院 出院", {})
    changed, removed = ids[1], ids[2]
    with runtime.sessions.begin() as session:
        session.get(Document, changed).kind = "daily_statement"
    documents[changed] = ("daily_statement", *documents[changed][1:])
    del documents[removed]
    with runtime.sessions() as session:
        index_documents(index, session, [added, changed])
        remove_documents(index, [removed])
        archivist = session.merge(users["archivist"])
        check(session, index, archivist)


def test_a_word_whose_higher_levels_are_unlisted_is_paged_from_the_level_the_rows_reach(
        make_rt, postgres, monkeypatch):
    # ANALYZE lists only the commonest level lexemes: as if 护理费^3 and above were unlisted, the
    # estimate stops at ^2; probing the rows raises the level to the highest one five matches
    # reach (^8, from the 9-times documents), and that page must be the true first page.
    listed = pg_query.Weights.estimate
    monkeypatch.setattr(pg_query.Weights, "estimate", lambda self, lexemes: 0.0 if any(
        "^" in lexeme and not lexeme.endswith("^2") for lexeme in lexemes) else listed(self, lexemes))
    levels = []
    monkeypatch.setattr(pg_query, "_highest", lambda *args, _real=pg_query._highest: levels.append(
        _real(*args)) or levels[-1])
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "probe"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    texts = {**{f"once{n}": "护理费 病房" for n in range(6)},
             **{f"thrice{n}": "护理费 " * 3 for n in range(6)},
             **{f"often{n}": "护理费 " * 9 for n in range(6)}}
    ids = _documents(runtime, users["intake_clerk"], texts)
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        archivist = session.merge(users["archivist"])
        result = search(session, index, archivist, "护理费", page_size=5)
        session.rollback()
    assert levels == [8]
    assert result.total == 18
    assert [ids[hit.document_id] for hit in result.hits] == [f"often{n}" for n in range(5)]


def test_a_database_without_the_gram_counts_counts_the_rows(make_rt, postgres):
    # Before migration 0033 (a cached corpus, a node upgraded before the database) there is no
    # search_gram_counts: the search counts its matches as before instead of failing.
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "uncounted"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    _documents(runtime, users["intake_clerk"], {f"d{n}": "住院 " if n % 3 else "门诊" for n in range(9)})
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
    with runtime.engine.begin() as connection:
        connection.execute(text("DROP TABLE search_gram_counts"))
        connection.execute(text("DROP FUNCTION search_gram_counts_change() CASCADE"))
    with runtime.sessions() as session:
        archivist = session.merge(users["archivist"])
        result = search(session, index, archivist, "住院")
        session.rollback()
    assert result.total == 6 and result.facets["kind"] == {"invoice": 6}
