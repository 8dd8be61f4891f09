"""Issue 22 over HTTP and the CLI: masked identifiers cannot be searched for (web page, API),
the service itself requires "search.use" (the CLI too), and every search is an audit event
with its parameters as given."""

from __future__ import annotations

import os
import random

import pytest
from sqlalchemy import select

from archive.config import load_settings
from archive.demo import documents as gen
from archive.intake import open_case
from archive.models import AuditEvent
from archive.runtime import make_runtime
from archive.search.backend import rebuild_backend
from archive.setup import initialise
from tests import factories
from tests.factories import archive
from tests.integration.test_search_identifiers import store
from tests.search_backends import BACKENDS, backend_settings

ID = gen.id_number(random.Random(68))
MOBILE = "13862135678"
TEXT = f"医疗收费票据\n交款人：王芳 身份证号：{ID}\n联系电话：{MOBILE}\n合计：88.00"
REFUSAL_ZH = "需要查看完整个人信息的权限"


@pytest.fixture(params=BACKENDS)
def runtime(request, make_rt):
    """The embedded default with each search backend in turn (the same tests for both)."""
    return make_rt(**backend_settings(request, request.node.name))


def add_holder(runtime, clerk) -> tuple[str, int]:
    with runtime.sessions.begin() as session:
        clerk = session.merge(clerk)
        case = open_case(session, actor=clerk, claimant_name="王芳", claim_type="inpatient")
        document_id = store(session, clerk, case, "invoice", TEXT,
                            {"payer_name": "王芳", "id_number": ID, "phone": MOBILE})
        rebuild_backend(runtime, session)
        return case.case_no, document_id


@pytest.fixture
def holder(runtime, users):
    return add_holder(runtime, users["intake_clerk"])


def token(runtime, users, role: str) -> dict:
    return {"Authorization": f"Bearer {factories.api_token(runtime, users[role])}"}


def signed_in(app, role: str):
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    return client


def search_events(runtime) -> list[AuditEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "search.query")
                                    .order_by(AuditEvent.id)))


def test_api_refuses_an_id_number_filter_without_the_right(app, runtime, users, holder):
    admin, reviewer = token(runtime, users, "admin"), token(runtime, users, "reviewer")
    client = app.test_client()
    for args in ({"id_number": ID}, {"q": f"id:{ID}"}, {"id_number": "0" * 18}):
        refused = client.get("/api/search", query_string=args, headers=admin)
        assert refused.status_code == 400, args
        assert refused.json["error"] == "identifiers_hidden" and REFUSAL_ZH in refused.json["message"]
    english = client.get("/api/search", query_string={"id_number": ID, "lang": "en"}, headers=admin)
    assert "needs the right to see identifiers" in english.json["message"]
    allowed = client.get("/api/search", query_string={"id_number": ID}, headers=reviewer)
    assert allowed.status_code == 200 and allowed.json["total"] == 1


def test_api_free_text_over_masked_digits_finds_nothing(app, runtime, users, holder):
    admin = token(runtime, users, "admin")
    client = app.test_client()
    nowhere = client.get("/api/search", query_string={"q": "不存在的值"}, headers=admin).json
    for probe in (ID, ID[:10], ID[4:12], MOBILE, MOBILE[:6], MOBILE[3:9]):
        found = client.get("/api/search", query_string={"q": probe}, headers=admin).json
        assert (found["total"], found["facets"], found["hits"]) == (0, nowhere["facets"], []), probe
    for visible in (ID[:6], ID[-4:], MOBILE[-4:]):
        found = client.get("/api/search", query_string={"q": visible}, headers=admin).json
        assert [hit["document_id"] for hit in found["hits"]] == [holder[1]], visible
        assert ID not in str(found) and MOBILE not in str(found)


def test_search_page_says_why_an_id_number_was_not_searched(app, holder):
    page = signed_in(app, "admin").get("/search", query_string={"id_number": ID})
    html = page.get_data(as_text=True)
    results = html.split('id="search-form"')[1].split("</form>", 1)[1]
    assert page.status_code == 400 and REFUSAL_ZH in results and holder[0] not in results
    found = signed_in(app, "reviewer").get("/search", query_string={"id_number": ID})
    assert found.status_code == 200 and holder[0] in found.get_data(as_text=True)


def test_every_search_is_an_audit_event_with_its_parameters(app, runtime, users, holder):
    """Not only auditors': web, API, any role, the masked ones too — as given."""
    signed_in(app, "reviewer").get("/search", query_string={"q": "王芳", "kind": "invoice"})
    app.test_client().get("/api/search", query_string={"q": ID, "page_size": "5"},
                          headers=token(runtime, users, "admin"))
    signed_in(app, "auditor").get("/search", query_string={"q": "张伟"})
    events = search_events(runtime)
    assert [(event.actor_name, event.details["query"], event.details["channel"],
             event.details["identifiers"]) for event in events] == [
        ("u_reviewer", "王芳", "web", "full"), ("u_admin", ID, "api", "masked"),
        ("u_auditor", "张伟", "web", "full")]
    assert events[0].details["filters"] == {"kind": ["invoice"]} and events[0].details["total"] == 1
    assert events[1].details["total"] == 0 and events[1].details["page_size"] == 5


def test_cli_search_needs_search_use_and_is_audited(tmp_path):
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"), "ARCHIVE_SECRET_KEY": "test",
           "ARCHIVE_JOBS_BACKEND": "inline"}
    runtime = make_runtime(load_settings(env))
    try:
        initialise(runtime)
        users = factories.users_for_all_roles(runtime)
        add_holder(runtime, users["intake_clerk"])
    finally:
        runtime.engine.dispose()
    refused = archive(env, "search", "王芳", "--user", "u_cashier")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "archive: error: Your role does not allow this action (search.use)."]
    masked = archive(env, "search", f"id:{ID}", "--user", "u_admin")
    assert masked.returncode == 1 and len(masked.stderr.strip().splitlines()) == 1
    assert masked.stderr.startswith("archive: error: id_number: searching by an ID or phone number")
    found = archive(env, "search", "王芳", "--user", "u_reviewer")
    assert found.returncode == 0 and "1 documents" in found.stdout
    runtime = make_runtime(load_settings(env))
    try:
        events = search_events(runtime)
    finally:
        runtime.engine.dispose()
    assert [(event.actor_name, event.details["query"], event.details["channel"])
            for event in events] == [("u_reviewer", "王芳", "cli")]


def test_the_search_form_offers_the_id_number_field_only_with_the_right(app, holder):
    for role, offered in (("reviewer", True), ("admin", False)):
        page = signed_in(app, role).get("/search").get_data(as_text=True)
        form = page.split('id="search-form"')[1].split("</form>")[0]
        assert ('name="id_number"' in form) == offered, role
