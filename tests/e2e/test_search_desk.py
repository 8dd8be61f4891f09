"""The search page and GET /api/search over HTTP: results, facets, snippets, links, paging,
refusals, access per role and the audit trail of searches."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from sqlalchemy import select

from archive.auth import can, roles
from archive.demo import documents as gen
from archive.intake import open_case
from archive.models import AuditEvent, Document, Page, StoredObject, User
from archive.models.cases import DocumentStatus
from archive.search.backend import rebuild_backend
from tests import factories
from tests.search_backends import BACKENDS, backend_settings

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(params=BACKENDS)
def runtime(request, make_rt):
    """The embedded default with each search backend in turn (the same tests for both)."""
    return make_rt(**backend_settings(request, request.node.name))


def store(session, actor, case, kind: str, pages: list[str], fields: dict) -> Document:
    """A document as processing leaves it: pages of text and the fields read from them."""
    blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                        content_type="application/pdf")
    document = Document(case=case, stored_object=blob, kind=kind, original_filename=f"{kind}.pdf",
                        filename=f"{kind}.pdf", content_type="application/pdf",
                        page_count=len(pages), status=DocumentStatus.PROCESSED, fields=fields,
                        uploaded_by_id=actor.id)
    document.pages = [Page(number=n, text=text, source="text_layer") for n, text in enumerate(pages, 1)]
    session.add(document)
    session.flush()
    return document


@pytest.fixture
def desk(runtime, users):
    """East-township case (欧阳娜娜, two documents), west-township case (张伟, a script in its
    text and a marker only it has), and 30 generated invoices in a third case for paging."""
    ids = {}
    with runtime.sessions.begin() as session:
        clerk = session.merge(users["intake_clerk"])
        east = open_case(session, actor=clerk, claimant_name="欧阳娜娜", claim_type="inpatient",
                         township="东乡")
        ids["invoice"] = store(session, clerk, east, "invoice", [
            "医疗收费票据\n交款人：欧阳娜娜\n收款单位：县人民医院\n票据号码：00231234\n合计：1234.50"],
            {"payer_name": "欧阳娜娜", "hospital": "县人民医院", "invoice_number": "00231234",
             "issue_date": "2026-03-05", "total_amount": "1234.50"}).id
        ids["statement"] = store(session, clerk, east, "daily_statement", [
            "住院费用一日清单\n姓名：欧阳娜娜\n床位费 30.00", "注射用头孢呋辛钠 12.00。患者签字"],
            {"patient_name": "欧阳娜娜", "hospital": "县人民医院", "statement_date": "2026-03-04",
             "daily_total": "42.00"}).id
        west = open_case(session, actor=clerk, claimant_name="张伟", claim_type="outpatient",
                         township="西乡")
        ids["west"] = store(session, clerk, west, "invoice", [
            f"医疗收费票据\n交款人：张伟\n收款单位：县中医院\n西乡机密 {SCRIPT}\n合计：88.00"],
            {"payer_name": "张伟", "hospital": "县中医院", "issue_date": "2025-11-20",
             "total_amount": "88.00"}).id
        many = open_case(session, actor=clerk, claimant_name="李娜", claim_type="outpatient",
                         township="南乡")
        rng = random.Random(5)
        for _ in range(30):
            made = gen.invoice(rng, patient="李娜")
            store(session, clerk, many, "invoice", ["\n".join(made.lines)], made.truth)
        ids.update(east=east.case_no, west_case=west.case_no, many=many.case_no)
        session.flush()
        rebuild_backend(runtime, session)
    return ids


def signed_in(app, role: str):
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    return client


def test_an_index_without_documents_answers_with_no_hits(app, users):
    # A fresh installation: the first search must not fail before anything was indexed.
    client = signed_in(app, "archivist")
    page = client.get("/search", query_string={"q": "欧阳"})
    assert page.status_code == 200 and 'class="hit"' not in page.get_data(as_text=True)
    token = factories.api_token(app.extensions["archive"], users["archivist"])
    answer = client.get("/api/search", query_string={"q": "欧阳"},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json["total"] == 0


def test_search_page_highlights_and_opens_the_document_at_the_matching_page(app, desk):
    client = signed_in(app, "archivist")
    html = client.get("/search", query_string={"q": "头孢"}).get_data(as_text=True)
    assert 'id="total"' in html and "<mark>头孢</mark>" in html
    hits = html.split('class="hits"')[1]
    viewer = re.search(r'class="open-page" href="([^"]+)"', hits).group(1).replace("&amp;", "&")
    assert viewer == f"/documents/{desk['statement']}?page=2"
    assert "注射用头孢呋辛钠" in client.get(viewer).get_data(as_text=True).split('class="page-text"')[1]
    link = re.search(r'href="(/cases/[^"]+)"', hits).group(1).replace("&amp;", "&")
    assert f"document={desk['statement']}" in link and "page=2" in link
    case_page = client.get(link).get_data(as_text=True)
    assert f'id="document-{desk["statement"]}" class="focus"' in case_page
    assert "注射用头孢呋辛钠" in case_page.split("focus-page")[1]


def test_the_count_of_hits_is_said_in_the_singular_for_one(app, desk):
    client = signed_in(app, "archivist")
    english = client.get("/search", query_string={"q": "头孢", "lang": "en"}).get_data(as_text=True)
    assert re.search(r'id="total">1 document found<', english)
    chinese = client.get("/search", query_string={"q": "头孢", "lang": "zh_CN"}).get_data(as_text=True)
    assert re.search(r'id="total">共找到 1 份材料<', chinese)


def test_two_character_name_and_invoice_number_find_the_case(app, desk):
    client = signed_in(app, "archivist")
    for query in ("欧阳", "00231234", "invoice:00231234", "县人民医院"):
        html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert desk["east"] in html, query
        assert desk["west_case"] not in html, query


def test_text_from_documents_is_escaped_in_snippets(app, desk):
    client = signed_in(app, "archivist")
    html = client.get("/search", query_string={"q": "西乡机密"}).get_data(as_text=True)
    assert "<mark>西乡机密</mark>" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    body = signed_in(app, "archivist").get("/api/search?q=西乡机密", headers=_token(app, "archivist")).json
    assert SCRIPT not in body["hits"][0]["snippet"]


def test_facets_are_links_that_narrow_and_pages_move(app, desk):
    client = signed_in(app, "archivist")
    html = client.get("/search", query_string={"q": "欧阳娜娜"}).get_data(as_text=True)
    facet = re.search(r'href="([^"]+)" class="facet" data-facet="kind" data-value="daily_statement"', html)
    narrowed = client.get(facet.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'id="total">\D*1\D', narrowed)
    assert 'class="facet ticked"' in narrowed
    paged = client.get("/search", query_string={"q": "李娜", "page_size": "10"}).get_data(as_text=True)
    assert 'rel="next"' in paged and 'rel="prev"' not in paged
    last = client.get("/search", query_string={"q": "李娜", "page_size": "10", "page": "3"})
    assert 'rel="prev"' in last.get_data(as_text=True) and 'rel="next"' not in last.get_data(as_text=True)


def test_empty_state_no_results_and_malformed_input_never_fail(app, desk):
    client = signed_in(app, "archivist")
    first = client.get("/search").get_data(as_text=True)
    assert 'id="search-form"' in first and 'id="total"' not in first
    none = client.get("/search", query_string={"q": "没有这个词"}).get_data(as_text=True)
    assert 'id="no-results"' in none
    for args in ({"q": '"县人民医院'}, {"q": "foo:bar"}, {"q": "张"}, {"q": ":::"}, {"q": "-"},
                 {"q": "AND OR ("}, {"q": "医" * 600}, {"date_from": "yesterday"},
                 {"amount_min": "lots"}, {"sort": "sideways"}, {"page": "-1"}, {"page_size": "x"},
                 {"kind": "<b>"}, {"q": "县人民医院", "page": "999"}):
        response = client.get("/search", query_string=args)
        assert response.status_code == 200, args
    quoted = client.get("/search", query_string={"q": '"县人民医院'}).get_data(as_text=True)
    assert 'data-code="unbalanced_quote"' in quoted and desk["east"] in quoted
    assert 'class="flash error"' in client.get("/search?date_from=yesterday&q=医院").get_data(as_text=True)


def _token(app, role: str) -> dict:
    runtime = app.extensions["archive"]
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.username == f"u_{role}"))
    return {"Authorization": f"Bearer {factories.api_token(runtime, user)}"}


def test_api_returns_hits_facets_and_paging(app, desk):
    client = app.test_client()
    body = client.get("/api/search", query_string={"q": "欧阳娜娜", "sort": "date"},
                      headers=_token(app, "archivist")).json
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert body["facets"]["kind"] == {"invoice": 1, "daily_statement": 1}
    first = body["hits"][0]
    assert (first["case_no"], first["document_id"], first["kind"], first["page"]) == (
        desk["east"], desk["invoice"], "invoice", 1)
    assert first["fields"]["invoice_number"] == "00231234" and "<mark>欧阳娜娜</mark>" in first["snippet"]
    filtered = client.get("/api/search", query_string={
        "kind": "invoice", "amount_min": "1000", "date_from": "2026-01-01", "hospital": "县人民医院",
        "patient_name": "欧阳娜娜"},
        headers=_token(app, "archivist")).json
    assert [hit["document_id"] for hit in filtered["hits"]] == [desk["invoice"]]


@pytest.mark.parametrize("args, name", [
    ({"sort": "sideways"}, "sort"), ({"page": "0"}, "page"), ({"page_size": "1000"}, "page_size"),
    ({"date_from": "2026-13-01"}, "date_from"), ({"amount_max": "lots"}, "amount_max"),
    ({"colour": "red"}, "colour"), ({"q": "x" * 501}, "q")])
def test_api_refuses_bad_parameters_with_a_reason(app, desk, args, name):
    response = app.test_client().get("/api/search", query_string=args, headers=_token(app, "auditor"))
    assert response.status_code == 400
    assert response.json["error"] == "bad_parameter" and response.json["message"].startswith(name)


def test_api_needs_a_token(app, desk):
    assert app.test_client().get("/api/search?q=医院").status_code == 401


def test_every_role_gets_the_search_it_may_use(app, desk, runtime):
    for role in roles():
        user = type("U", (), {"role": role, "is_authenticated": True})()
        client = signed_in(app, role)
        page = client.get("/search", query_string={"q": "欧阳娜娜"})
        navigation = client.get("/cases").get_data(as_text=True)
        api = app.test_client().get("/api/search?q=欧阳娜娜", headers=_token(app, role))
        if not can(user, "search.use"):
            assert page.status_code == 403 and desk["east"] not in page.get_data(as_text=True), role
            assert 'href="/search"' not in navigation, role
            assert api.status_code == 403, role
            continue
        assert 'href="/search"' in navigation, role
        expected = 2 if can(user, "case.view") else 0
        assert page.status_code == 200 and api.json["total"] == expected, role
        assert sum(api.json["facets"]["kind"].values()) == expected, role


def test_a_narrower_view_hides_hits_snippets_counts_and_facets(app, desk, runtime, users):
    # Graded access (调阅权限分级): the west and south cases are classified as audit material
    # (grade 3); a reviewer's clearance is 2, so for them those cases do not exist — not in hits,
    # counts or facets. The reviewer sees only the east case.
    from archive.records.filing import set_record_class

    with runtime.sessions.begin() as session:
        for case_no in (desk["west_case"], desk["many"]):
            set_record_class(session, case_no, actor=session.merge(users["archivist"]),
                             record_class="audit_materials", reason="稽核材料")
    web = signed_in(app, "reviewer")
    for args in ({"q": "医院"}, {"q": "西乡机密"}, {"hospital": "县中医院"}, {"q": "张伟"},
                 {"kind": "invoice"}, {"q": "2025"}):
        html = web.get("/search", query_string=args).get_data(as_text=True)
        body = app.test_client().get("/api/search", query_string=args, headers=_token(app, "reviewer")).json
        results = html.split('id="search-form"')[1].split("</form>", 1)[1]  # the form repeats what was typed
        assert desk["west_case"] not in results and "西乡机密" not in results, args
        assert "县中医院" not in results and ">2025<" not in results, args
        assert all(hit["case_no"] != desk["west_case"] and "西乡" not in hit["snippet"]
                   for hit in body["hits"]), args
        assert "县中医院" not in body["facets"]["hospital"] and "2025" not in body["facets"]["year"], args
        assert body["total"] == sum(body["facets"]["kind"].values()) <= 2, args
    admin = app.test_client().get("/api/search?q=医院", headers=_token(app, "admin")).json
    assert "县中医院" in admin["facets"]["hospital"]


def test_searches_are_audit_events(app, desk, runtime):
    # Every search, not only auditors' (issue 22).
    signed_in(app, "auditor").get("/search", query_string={"q": "欧阳娜娜", "kind": "invoice"})
    app.test_client().get("/api/search?q=张伟", headers=_token(app, "auditor"))
    signed_in(app, "archivist").get("/search", query_string={"q": "欧阳娜娜"})
    with runtime.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "search.query")
                                 .order_by(AuditEvent.id)).all()
    assert [(event.actor_name, event.details["query"], event.details["channel"]) for event in events] == [
        ("u_auditor", "欧阳娜娜", "web"), ("u_auditor", "张伟", "api"), ("u_archivist", "欧阳娜娜", "web")]
    assert events[0].details["filters"] == {"kind": ["invoice"]} and events[0].details["total"] == 1
