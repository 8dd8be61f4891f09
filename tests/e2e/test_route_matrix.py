"""Every route × every role (and nobody signed in): the right refusal, never a 500, and a refused
request leaves no trace but its refusal.

Routes are read from the app's URL map, so a route added later is walked without editing this
file; only a route whose parameters cannot be guessed needs an entry in PARAMETERS.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive import create_app
from archive.auth import can, roles
from archive.models import AuditEvent
from tests import factories

PUBLIC = {"static", "auth.login", "health.healthz"}
# Routes that need a permission beyond signing in; other roles must get 403 (or 404).
PERMISSION = {
    "cases.new": "case.create", "cases.export": "case.export",
    "cases.upload": "document.upload", "cases.download": "document.download",
    "workflow.submit_form": "workflow.submit", "api.create_case": "case.create",
    "api.upload": "document.upload", "records.verify_now": "audit.verify",
}
PERMISSION_PREFIX = {"admin.": "user.manage"}
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
            "user_id": users["cashier"].id, "token_id": 1, "filename": "app.css", "tokens": tokens}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_for_rule(rule, world) -> str:
    values = {name: world.get(name, 1) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def needed_permission(endpoint: str) -> str | None:
    if endpoint in PERMISSION:
        return PERMISSION[endpoint]
    return next((p for prefix, p in PERMISSION_PREFIX.items() if endpoint.startswith(prefix)), None)


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
        permission = needed_permission(rule.endpoint)
        if permission and not can(user, permission):
            assert status in (403, 404), f"{where} → {status} without {permission}"
        if path.startswith("/api/") and not can(user, "api.use"):
            assert status == 403, where
        if status >= 400 and rule.endpoint not in WRITES_EVEN_WHEN_REFUSED:
            assert audit_count(runtime) == before, f"{where} → {status} but wrote to the audit trail"
        if status < 400 and method == "GET":
            assert status in (200, 302, 304), where
        assert status < 400 or status in REFUSALS, f"{where} → {status}"
