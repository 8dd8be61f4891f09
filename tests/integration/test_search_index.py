"""Search over a generated corpus: exact recall against brute force, access inside search,
malformed queries, filters and facets, incremental updates and rebuilds.

The corpus is built once per module (documents with their pages written directly, as
processing would leave them) plus two documents uploaded and processed for real.
"""

from __future__ import annotations

import random
import re
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from archive.auth import Forbidden, can, roles
from archive.config import load_settings
from archive.demo import documents as gen
from archive.intake import open_case
from archive.models import Document, Page, StoredObject, User
from archive.models.cases import DocumentStatus
from archive.records.masking import ID_NUMBER, LANDLINE, MOBILE, mask_text
from archive.runtime import make_runtime
from archive.search import (
    SCHEMA_VERSION,
    IndexUnavailable,
    index_documents,
    index_status,
    matching_document_ids,
    open_index,
    open_or_rebuild,
    rebuild,
    remove_documents,
    search,
)
from archive.search.backend import rebuild_backend
from archive.search.index import VERSION_FILE, case_line
from archive.search.schema import fold
from archive.setup import initialise
from tests import factories
from tests.search_backends import BACKENDS, backend_settings

CASES = 70
SUBSTRINGS = 2000


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request, tmp_path_factory):
    """The same corpus and tests for both backends (archive.search.backend)."""
    data = tmp_path_factory.mktemp("search")
    backend = backend_settings(request, "search_corpus")
    settings = load_settings({"ARCHIVE_DATA_DIR": str(data / "data"), "ARCHIVE_SECRET_KEY": "t",
                              "ARCHIVE_JOBS_BACKEND": "inline",
                              "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0", **backend})
    runtime = make_runtime(settings)
    initialise(runtime)
    users = factories.users_for_all_roles(runtime)
    texts = _generate(runtime, users["intake_clerk"], random.Random(4))
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="欧阳娜娜")
    for seed in (7, 8):
        factories.upload(runtime, users["intake_clerk"], case_no, factories.invoice_pdf(seed),
                         filename=f"票据{seed}.pdf", kind="invoice")
    index_dir = settings.data_dir / "index"
    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        # What is searched: the pages, and the case's own fields (index.case_line).
        texts = {document.id: "\n".join([*(page.text or "" for page in document.pages),
                                          case_line(document.case)])
                 for document in session.scalars(select(Document).where(Document.id.in_(
                     [*texts, *session.scalars(select(Document.id).where(
                         Document.case.has(case_no=case_no)))])))}
    yield SimpleNamespace(runtime=runtime, users=users, texts=texts, index=index, index_dir=index_dir,
                          backend=request.param)
    runtime.engine.dispose()


def _generate(runtime, clerk, rng) -> dict[int, str]:
    """CASES cases of 1–4 generated documents, stored as processing would store them."""
    texts = {}
    with runtime.sessions.begin() as session:
        actor = session.merge(clerk)
        for number in range(CASES):
            patient = gen.person_name(rng)
            case = open_case(session, actor=actor, claimant_name=patient, claim_type="inpatient")
            made = [gen.invoice(rng, patient=patient)]
            if rng.random() < 0.6:
                made.append(gen.daily_statement(rng, patient=patient, days=rng.randint(1, 2)))
            if rng.random() < 0.4:
                made.append(gen.referral(rng, patient=patient))
            if number % 10 == 0:
                made.append(gen.agreement(rng))
            for item in made:
                documents = _store(session, actor, case, item)
                session.flush()
                texts[documents.id] = "\n".join(page.text for page in documents.pages)
    return texts


def _store(session, actor, case, item) -> Document:
    blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=len(item.content),
                        store_key=uuid.uuid4().hex, content_type=item.content_type)
    document = Document(case=case, stored_object=blob, kind=item.kind, original_filename=item.filename,
                        filename=item.filename, content_type=item.content_type, page_count=1,
                        status=DocumentStatus.PROCESSED, fields=item.truth, uploaded_by_id=actor.id)
    document.pages = [Page(number=1, text="\n".join(item.lines), source="text_layer")]
    session.add(document)
    return document


def _substrings(texts: dict[int, str], rng: random.Random) -> list[str]:
    """Names, hospitals, invoice and ID numbers, short digit runs, and random phrases."""
    pool = []
    for text in texts.values():
        pool += re.findall(r"(?:交款人|姓名)：(\S+)", text)
        pool += re.findall(r"(?:收款单位|医院|乙方|转入医院)：(\S+)", text)
        pool += re.findall(r"\d{8,18}X?", text)
    picked = [item for item in rng.sample(pool, min(len(pool), SUBSTRINGS // 4)) if item]
    picked += [number[start:start + length] for number in rng.sample(pool, 100)
               for start, length in [(rng.randrange(max(1, len(number) - 2)), rng.choice((2, 3, 4)))]]
    documents = list(texts.values())
    while len(picked) < SUBSTRINGS:
        runs = [run for run in rng.choice(documents).split() if len(run) >= 2]
        run = rng.choice(runs)
        start = rng.randrange(len(run) - 1)
        picked.append(run[start:start + rng.randint(2, min(20, len(run) - start))])
    return [item for item in picked if len(item) >= 2]


def test_every_substring_finds_exactly_the_documents_containing_it(corpus):
    rng = random.Random(11)
    folded = {document_id: fold(text) for document_id, text in corpus.texts.items()}
    archivist = corpus.users["archivist"]  # sees every case, and identifiers in full
    with corpus.runtime.sessions() as session:
        for substring in _substrings(corpus.texts, rng):
            expected = {document_id for document_id, text in folded.items() if fold(substring) in text}
            found = matching_document_ids(session, corpus.index, archivist, f'"{substring}"')
            assert found == expected, substring


def test_numbers_match_as_written_not_as_scattered_pairs(corpus):
    archivist = corpus.users["archivist"]
    with corpus.runtime.sessions() as session:
        for number in ("0023", "2300", "13651610", "6161"):
            expected = {i for i, text in corpus.texts.items() if number in text}
            assert matching_document_ids(session, corpus.index, archivist, number) == expected


def test_search_pages_sorts_highlights_and_counts_facets(corpus):
    admin = corpus.users["admin"]
    with corpus.runtime.sessions() as session:
        result = search(session, corpus.index, admin, "医院", sort="amount", page_size=10)
        everything = matching_document_ids(session, corpus.index, admin, "医院")
        assert result.total == len(everything) > 10 and len(result.hits) == 10
        assert sum(result.facets["kind"].values()) == result.total
        assert all("<mark>医院</mark>" in hit.snippet for hit in result.hits)
        amounts = [session.get(Document, hit.document_id).fields.get("total_amount") for hit in
                   result.hits]
        known = [float(amount) for amount in amounts if amount]
        assert known == sorted(known, reverse=True)
        second = search(session, corpus.index, admin, "医院", sort="amount", page=2, page_size=10)
        assert not {h.document_id for h in second.hits} & {h.document_id for h in result.hits}


def test_filters_narrow_by_kind_date_and_amount(corpus):
    admin = corpus.users["admin"]
    with corpus.runtime.sessions() as session:
        invoices = search(session, corpus.index, admin, "", filters={"kind": "invoice"})
        assert set(invoices.facets["kind"]) == {"invoice"}
        spring = search(session, corpus.index, admin, "", filters={
            "kind": "invoice", "date_from": "2026-03-01", "date_to": "2026-05-31", "amount_min": "100"})
        assert 0 < spring.total < invoices.total
        for hit in search(session, corpus.index, admin, "", filters={
                "kind": "invoice", "date_from": "2026-03-01", "date_to": "2026-05-31",
                "amount_min": "100"}, page_size=100).hits:
            fields = session.get(Document, hit.document_id).fields
            assert "2026-03-01" <= fields["issue_date"] <= "2026-05-31"
            assert float(fields["total_amount"]) >= 100
        bad = search(session, corpus.index, admin, "", filters={"date_from": "yesterday"})
        assert [notice.code for notice in bad.warnings] == ["bad_date"]


def test_a_user_who_may_not_view_cases_sees_nothing(corpus):
    nobody = User(username="nobody", display_name="x", role="nobody", password_hash="x")
    with corpus.runtime.sessions() as session:
        for user in (nobody, None):
            for query in ("医院", "", "张", "kind:invoice"):
                # The service itself refuses a user without "search.use", whatever calls it.
                with pytest.raises(Forbidden):
                    search(session, corpus.index, user, query)
                with pytest.raises(Forbidden):
                    matching_document_ids(session, corpus.index, user, query)
        for role in roles():
            user = corpus.users[role]
            if not can(user, "search.use"):
                with pytest.raises(Forbidden):
                    search(session, corpus.index, user, "")
                continue
            expected = len(corpus.texts) if can(user, "case.view") else 0
            result = search(session, corpus.index, user, "")
            assert result.total == expected == sum(result.facets["kind"].values()), role
            if not expected:
                assert result.hits == [] and all(counts == {} for counts in result.facets.values())


def test_malformed_queries_warn_and_still_search(corpus):
    admin = corpus.users["admin"]
    with corpus.runtime.sessions() as session:
        for raw in ('"县人民医院', "foo:县人民医院", "name:", "张", ":::", '""', "-", "AND OR (",
                    "kind:", "医院" * 200):
            result = search(session, corpus.index, admin, raw)
            assert isinstance(result.total, int), raw
        fallback = search(session, corpus.index, admin, '"县人民医院')
        assert fallback.warnings and fallback.total == len(
            matching_document_ids(session, corpus.index, admin, "县人民医院"))
        single = search(session, corpus.index, admin, "张")
        assert [notice.code for notice in single.warnings] == ["single_character"]


def test_uploaded_and_processed_documents_are_found(corpus):
    admin = corpus.users["admin"]
    with corpus.runtime.sessions() as session:
        assert len(matching_document_ids(session, corpus.index, admin, "name:欧阳娜娜")) == 0
        invoice_number = gen.invoice(random.Random(7)).truth["invoice_number"]
        found = search(session, corpus.index, admin, invoice_number)
        assert found.total == 1 and found.hits[0].filename == "票据7.pdf"
        assert f"<mark>{invoice_number}</mark>" in found.hits[0].snippet


def test_updates_removals_and_rebuilds(corpus, tmp_path):
    admin = corpus.users["admin"]
    whoosh = corpus.backend == "whoosh"
    with corpus.runtime.sessions() as session:
        index = rebuild(session, tmp_path / "index") if whoosh else corpus.index
        document_id = next(iter(corpus.texts))
        document = session.get(Document, document_id)
        marker, kind = "独一无二的标记", document.kind
        document.pages[0].text += f"\n{marker}"
        document.kind = "other"
        session.commit()
        assert index_documents(index, session, [document_id]) == 1
        assert matching_document_ids(session, index, admin, marker) == {document_id}
        assert search(session, index, admin, marker).facets["kind"] == {"other": 1}
        remove_documents(index, [document_id])
        assert matching_document_ids(session, index, admin, marker) == set()
        document.pages[0].text = document.pages[0].text.replace(f"\n{marker}", "")
        document.kind = kind  # the corpus is shared by the module's tests
        session.commit()
        if not whoosh:
            index_documents(index, session, [document_id])
    assert not whoosh or index_status(tmp_path / "index")["status"] == "ok"


def test_stale_corrupt_or_missing_index_is_rebuilt(corpus, tmp_path):
    if corpus.backend != "whoosh":
        pytest.skip("Whoosh's index directory only")
    sessions = corpus.runtime.sessions
    index_dir = tmp_path / "index"
    with pytest.raises(IndexUnavailable):
        open_index(index_dir)
    assert open_or_rebuild(sessions, index_dir).path == index_dir
    (index_dir / VERSION_FILE).write_text(f'{{"schema_version": {SCHEMA_VERSION - 1}}}')
    assert index_status(index_dir)["status"] == "stale"
    open_or_rebuild(sessions, index_dir)
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    assert index_status(index_dir)["status"] == "corrupt"
    rebuilt = open_or_rebuild(sessions, index_dir)
    with sessions() as session:
        assert len(matching_document_ids(session, rebuilt, corpus.users["admin"], "")) == len(
            corpus.texts)
    assert not list(tmp_path.glob("index.*"))  # no half-built or retired copies left behind


def test_bulk_rebuild_on_two_processes_indexes_the_same(corpus, tmp_path):
    if corpus.backend != "whoosh":
        pytest.skip("Whoosh's index directory only")
    admin = corpus.users["admin"]
    with corpus.runtime.sessions() as session:
        index = rebuild(session, tmp_path / "index", procs=2)
        for query in ("县人民医院", "", "kind:invoice", "2026"):
            assert matching_document_ids(session, index, admin, query) == matching_document_ids(
                session, corpus.index, admin, query), query


def test_without_identifiers_view_only_the_masked_text_is_found(corpus):
    """Issue 22: someone who sees ID and phone numbers masked searches the text as they see it.
    Every substring of every ID and phone number in the corpus (those spanning masked digits
    and the visible region code or last four alike) finds exactly the documents whose *masked*
    text contains it, with totals and facets to match; one that only occurs inside masked
    digits finds nothing, exactly as a value that exists nowhere."""
    rng = random.Random(12)
    masked = {document_id: fold(mask_text(text)) for document_id, text in corpus.texts.items()}
    numbers = {number for text in corpus.texts.values()
               for pattern in (ID_NUMBER, MOBILE, LANDLINE) for number in
               (match.group(0) for match in pattern.finditer(text))}
    assert len(numbers) > 20
    probes = set()
    for number in sorted(numbers):
        spans = [(start, end) for start in range(len(number)) for end in range(start + 2, len(number) + 1)]
        probes |= {number[start:end] for start, end in rng.sample(spans, min(len(spans), 12))}
        probes |= {number, number[:6], number[-4:], number[:7]}
    admin, archivist = corpus.users["admin"], corpus.users["archivist"]
    nowhere = None
    with corpus.runtime.sessions() as session:
        nowhere = search(session, corpus.index, admin, "99999999999999999X")
        assert nowhere.total == 0
        hidden_only = 0
        for probe in sorted(probes):
            expected = {document_id for document_id, text in masked.items() if fold(probe) in text}
            result = search(session, corpus.index, admin, f'"{probe}"', page_size=100)
            assert matching_document_ids(session, corpus.index, admin, f'"{probe}"') == expected, probe
            assert {hit.document_id for hit in result.hits} <= expected, probe
            assert result.total == len(expected) == sum(result.facets["kind"].values()), probe
            if not expected:
                hidden_only += 1
                assert (result.total, result.facets) == (nowhere.total, nowhere.facets), probe
                # the same probe finds the documents for someone who may see the numbers
                assert matching_document_ids(session, corpus.index, archivist, f'"{probe}"'), probe
            for hit in result.hits:
                assert not any(number in str(hit.snippet) + str(hit.fields) for number in numbers)
        assert hidden_only > len(numbers)  # most probes spanned masked digits
        session.rollback()  # the searches' audit events are not this test's concern


def test_a_common_word_counts_and_ranks_exactly_for_every_viewer(corpus, monkeypatch):
    from collections import Counter


    # PostgreSQL: the first page from the documents that repeat the word's grams, when shown
    # to be the true one (pg_query._proven), else every match ranked.
    proven = _watch_proven(monkeypatch)
    folded = {document_id: fold(text) for document_id, text in corpus.texts.items()}
    with corpus.runtime.sessions() as session:
        documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(folded)))}
        for role, user, cases in _viewers(corpus, session):
            for word in ("医院", "住院", "县人民医院", "费用"):
                truth = {i: folded[i].count(word) for i, d in documents.items()
                         if d.case_id in cases and word in folded[i]}
                result = search(session, corpus.index, user, word, page_size=10)
                assert result.total == len(truth), (role, word)
                assert result.facets["kind"] == dict(Counter(documents[i].kind for i in truth)), (role, word)
                # The most frequent first; documents tied on frequency in either order.
                assert [truth[hit.document_id] for hit in result.hits] == \
                    sorted(truth.values(), reverse=True)[:10], (role, word)
    if corpus.backend == "postgres":
        assert any(proven)


def _watch_proven(monkeypatch) -> list[bool]:
    """What each call of PostgreSQL's `pg_query._proven` (a levelled page shown true) answered."""
    from archive.search import pg_query

    proven: list[bool] = []
    monkeypatch.setattr(pg_query, "_proven", lambda *args, _real=pg_query._proven: proven.append(
        _real(*args)) or proven[-1])
    return proven


def _viewers(corpus, session):
    """(role, user, the ids of the cases the user sees) for every role that searches."""
    from archive.access import case_condition
    from archive.models import Case

    for role in roles():
        user = corpus.users[role]
        if can(user, "search.use") and can(user, "case.view"):
            yield role, user, set(session.scalars(select(Case.id).where(case_condition(user))))


def test_several_words_count_and_rank_as_the_full_ranking_does(corpus, monkeypatch):
    from collections import Counter

    from archive.search import pg_query

    # PostgreSQL: the first page from the level lexemes of the words, when shown to be the true
    # one (pg_query._proven); it must be the page, totals and facets that ranking every match
    # gives (pg_query._levelled switched off), for every viewer, with filters too.
    proven = _watch_proven(monkeypatch)
    folded = {document_id: fold(text) for document_id, text in corpus.texts.items()}
    probes = [("医院 住院", {}), ("费用 医院", {}), ("县人民医院 住院", {}), ("住院 2026", {}),
              ("医院 费用 住院", {}), ("住院 医院", {"kind": "invoice"})]
    with corpus.runtime.sessions() as session:
        documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(folded)))}
        for role, user, cases in _viewers(corpus, session):
            for raw, filters in probes:
                truth = {i for i, d in documents.items() if d.case_id in cases
                         and all(word in folded[i] for word in raw.split())
                         and d.kind == filters.get("kind", d.kind)}
                for page in (1, 2):
                    result = search(session, corpus.index, user, raw, filters=filters, page=page, page_size=8)
                    assert result.total == len(truth), (role, raw)
                    kinds = Counter(documents[i].kind for i in truth)
                    assert result.facets["kind"] == dict(kinds), (role, raw)
                    assert {hit.document_id for hit in result.hits} <= truth, (role, raw)
                    if corpus.backend != "postgres":
                        continue
                    with monkeypatch.context() as full:
                        full.setattr(pg_query, "_levelled", lambda *args: None)
                        ranked = search(session, corpus.index, user, raw, filters=filters, page=page,
                                        page_size=8)
                    assert [(hit.document_id, hit.score) for hit in result.hits] == \
                        [(hit.document_id, hit.score) for hit in ranked.hits], (role, raw, page)
                    assert (result.total, result.facets) == (ranked.total, ranked.facets), (role, raw, page)
        session.rollback()
    if corpus.backend == "postgres":
        assert any(proven)
