"""Every route × every role (and nobody signed in): the right refusal, never a 500, and a refused
request leaves no trace but its refusal.

Routes are read from the app's URL map, and what each needs from archive/web/route_permissions.py,
where every endpoint must be declared (the app does not start otherwise).
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from archive import create_app
from archive.auth import can, roles
from archive.models import AuditEvent
from archive.web import route_permissions
from tests import factories

PUBLIC = {endpoint for endpoint in route_permissions.ROUTES if route_permissions.is_public(endpoint)}
REFUSALS = {400, 403, 404, 405, 409, 413, 415, 422}
# Signing in and out write their own audit events by design.
WRITES_EVEN_WHEN_REFUSED = {"auth.login", "auth.logout"}


@pytest.fixture
def world(runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=8)).document_id
    tokens = {role: factories.api_token(runtime, user) for role, user in users.items()}
    return {"case_no": case_no, "document_id": document_id, "number": 1, "size": "thumb",
            "user_id": users["cashier"].id,
            "filename": "app.css", "tokens": tokens,
            "token_id": 10_000,  # nobody's: revoking a role's own token would end its API walk
            "field": "total_amount"}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_for_rule(rule, world) -> str:
    values = {name: world.get(name, 1) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_endpoint_declares_who_may_call_it(runtime, monkeypatch):
    from archive.web import build_app

    assert route_permissions.undeclared(create_app(runtime)) == []
    assert route_permissions.unknown_permissions() == []
    # A route nobody declared stops the app from starting, naming the route.
    monkeypatch.delitem(route_permissions.ROUTES, "records.destroy")
    with pytest.raises(RuntimeError, match="records.destroy"):
        build_app(runtime)


def audit_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def test_nobody_signed_in_gets_nothing_but_the_sign_in_page(runtime, world):
    client = create_app(runtime).test_client()
    for rule, method in routes(client.application):
        if rule.endpoint in PUBLIC:
            continue
        path = url_for_rule(rule, world)
        before = audit_count(runtime)
        response = client.open(path, method=method)
        where = f"{method} {path}"
        if path.startswith("/api/"):
            assert response.status_code == 401, where
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:  # the CSRF check comes first: no session, no token
            assert response.status_code in (302, 400), where
        assert audit_count(runtime) == before, where


@pytest.mark.parametrize("role", sorted(roles()))
def test_every_route_for_every_role(runtime, users, world, role):
    app = create_app(runtime)
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    csrf = factories.csrf_from(client.get("/cases").get_data(as_text=True))
    user = users[role]
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC | {"auth.logout"}:
            continue
        path = url_for_rule(rule, world)
        where = f"{role}: {method} {path}"
        before = audit_count(runtime)
        if path.startswith("/api/"):
            response = client.open(path, method=method, json={} if method == "POST" else None,
                                   headers={"Authorization": f"Bearer {world['tokens'][role]}"})
        else:
            form = {"csrf_token": csrf} if method == "POST" else None
            response = client.open(path, method=method, data=form)
        status = response.status_code
        response.get_data()
        response.close()  # a streamed download ends inside its own request, not a later one
        assert status < 500, f"{where} → {status}"
        missing = [p for p in route_permissions.needed(rule.endpoint) if not can(user, p)]
        if missing:  # refused at the gate, before the body or the record is looked at
            assert status == 403, f"{where} → {status} without {missing}"
        if path.startswith("/api/") and not can(user, "api.use"):
            assert status == 403, where
        if status >= 400 and rule.endpoint not in WRITES_EVEN_WHEN_REFUSED:
            assert audit_count(runtime) == before, f"{where} → {status} but wrote to the audit trail"
        if status < 400 and method == "GET":
            assert status in (200, 302, 304), where
        assert status < 400 or status in REFUSALS, f"{where} → {status}"


# --- graded access (调阅权限分级) -----------------------------------------------------------
# Routes that name a case or a document and that an intake clerk's role allows: for a case above
# the clerk's clearance each must answer 404 — the case does not exist for them — never 403.
MUST_NOT_EXIST = {
    "cases.show", "cases.upload", "cases.states", "cases.live", "cases.download", "documents.show",
    "documents.image", "api.show_case", "api.upload", "api.show_document", "api.correct_case",
    "api.reclassify", "api.remove_document", "workflow.submit_form", "workflow.api.submit_api",
    "workflow.api.timeline_api",
}


@pytest.fixture
def restricted(runtime, users, world):
    """A second case with a document, classified as audit material (grade 3, 稽核材料)."""
    from archive.records.filing import set_record_class

    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="司马限阅")
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=9)).document_id
    with runtime.sessions.begin() as session:
        set_record_class(session, case_no, actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
    return {**world, "case_no": case_no, "document_id": document_id}


def case_routes(app):
    for rule, method in routes(app):
        if {"case_no", "document_id"} & set(rule.arguments):
            yield rule, method


def walk_case_routes(runtime, client, restricted, role, *, methods):
    """(endpoint, method, status, body) for every case/document route, as `role`."""
    csrf = factories.csrf_from(client.get("/cases").get_data(as_text=True))
    for rule, method in case_routes(client.application):
        if method not in methods:
            continue
        path = url_for_rule(rule, restricted)
        # An upload carries a real file, so that it gets as far as looking the case up.
        upload = {"files": (io.BytesIO(factories.invoice_pdf(seed=10)), "票据.pdf"), "kind": "invoice"}
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {restricted['tokens'][role]}"}
            if rule.endpoint.endswith("upload"):
                response = client.open(path, method=method, data=upload, headers=headers)
            else:
                response = client.open(path, method=method, json={} if method != "GET" else None,
                                       headers=headers)
        else:
            form = {"csrf_token": csrf, **(upload if rule.endpoint.endswith("upload") else {})}
            response = client.open(path, method=method, data=form if method == "POST" else None)
        body = response.get_data()
        response.close()
        yield rule.endpoint, method, response.status_code, body


def expire_loans(runtime):
    from datetime import timedelta

    from sqlalchemy import update

    from archive.models import Loan
    from archive.models.types import utcnow

    with runtime.sessions.begin() as session:
        session.execute(update(Loan).values(until=utcnow() - timedelta(seconds=1)))


def test_a_case_above_the_clearance_does_not_exist_but_during_a_loan(runtime, users, restricted):
    from datetime import timedelta

    from archive.records.loans import approve_loan, grant_loan
    from archive.retention import china_date

    role = "intake_clerk"  # clearance 2; the case is grade 3
    client = create_app(runtime).test_client()
    assert factories.login(client, role).status_code == 302
    before = audit_count(runtime)
    for endpoint, method, status, body in walk_case_routes(runtime, client, restricted, role,
                                                           methods={"GET", "POST", "PATCH", "DELETE"}):
        where = f"{role}: {method} {endpoint} → {status}"
        assert status == 404 if endpoint in MUST_NOT_EXIST else status in (403, 404), where
        assert "司马限阅".encode() not in body, where
    assert audit_count(runtime) == before, "a refused request wrote to the audit trail"

    with runtime.sessions.begin() as session:
        loan = grant_loan(session, restricted["case_no"], actor=session.merge(users["archivist"]),
                          borrower=f"u_{role}", last_day=china_date() + timedelta(days=2), reason="复查")
        approve_loan(session, loan.id, actor=session.merge(users["director"]))
        loan_id = loan.id
    for endpoint, _method, status, _body in walk_case_routes(runtime, client, restricted, role,
                                                             methods={"GET"}):
        if endpoint in MUST_NOT_EXIST:
            assert status in (200, 302, 304), f"during the loan: GET {endpoint} → {status}"
    assert "司马限阅" in client.get(f"/cases/{restricted['case_no']}").get_data(as_text=True)
    with runtime.sessions() as session:
        uses = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("case.view", "document.view", "document.download")))).all()
        assert uses and all(event.details.get("loan") == loan_id for event in uses)

    expire_loans(runtime)
    for endpoint, _method, status, _body in walk_case_routes(runtime, client, restricted, role,
                                                             methods={"GET"}):
        if endpoint in MUST_NOT_EXIST:
            assert status == 404, f"after the loan ended: GET {endpoint} → {status}"
    loans_page = client.get("/loans").get_data(as_text=True)
    assert f'data-loan="{loan_id}" data-status="expired"' in loans_page
