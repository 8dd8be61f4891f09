"""The admin desk: accounts, roles, tokens, and the read-only chain and calendar pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.models import AuditEvent, User
from archive.retention import schedule
from archive.signoff import registry
from tests import factories


@pytest.fixture
def admin_client(client, users):
    assert factories.login(client, "admin").status_code == 302
    return client


def csrf(client, path: str) -> str:
    return factories.csrf_from(client.get(path).get_data(as_text=True))


def account(runtime, username: str) -> User:
    with runtime.sessions() as session:
        return session.scalar(select(User).where(User.username == username))


def actions(runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def post(client, path: str, data: dict | None = None, *, form_page: str):
    return client.post(path, data={"csrf_token": csrf(client, form_page), **(data or {})})


def test_admin_creates_an_account_that_can_sign_in(admin_client, app, runtime):
    response = post(admin_client, "/admin/users", {
        "username": "li.na", "display_name": "李娜", "role": "reviewer", "password": "a-long-password"},
        form_page="/admin/users")
    assert response.status_code == 302
    created = account(runtime, "li.na")
    assert (created.role, created.display_name, created.is_active) == ("reviewer", "李娜", True)
    assert "user.create" in actions(runtime)
    assert "李娜" in admin_client.get("/admin/users").get_data(as_text=True)
    assert factories.login(app.test_client(), created, "a-long-password").status_code == 302


@pytest.mark.parametrize("data, problem", [
    ({"username": "u_reviewer", "display_name": "x", "role": "reviewer", "password": "a-long-password"},
     "已被占用"),
    ({"username": "../etc", "display_name": "x", "role": "reviewer", "password": "a-long-password"},
     "username"),
    ({"username": "new1", "display_name": "x", "role": "emperor", "password": "a-long-password"}, "role"),
    ({"username": "new2", "display_name": "x", "role": "reviewer", "password": "short"}, "password"),
])
def test_a_bad_new_account_is_refused_and_nothing_is_created(admin_client, runtime, data, problem):
    before = actions(runtime)
    response = post(admin_client, "/admin/users", data, form_page="/admin/users")
    assert response.status_code == 400
    assert problem in response.get_data(as_text=True)
    assert actions(runtime) == before
    with runtime.sessions() as session:
        assert session.scalar(select(User).where(User.username.in_(["../etc", "new1", "new2"]))) is None


def test_role_change_and_deactivation_are_audited_and_take_effect(admin_client, app, runtime, users):
    target = users["reviewer"]
    page = f"/admin/users/{target.id}"
    assert post(admin_client, f"{page}/role", {"role": "re_reviewer"}, form_page=page).status_code == 302
    assert account(runtime, "u_reviewer").role == "re_reviewer"
    assert post(admin_client, f"{page}/active", form_page=page).status_code == 302
    assert not account(runtime, "u_reviewer").is_active
    assert factories.login(app.test_client(), "reviewer").status_code == 401
    assert post(admin_client, f"{page}/active", form_page=page).status_code == 302
    assert factories.login(app.test_client(), "reviewer").status_code == 302
    with runtime.sessions() as session:
        change = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_change"))
    assert change.details.items() >= {"from": "reviewer", "to": "re_reviewer"}.items()
    toggles = [a for a in actions(runtime) if a in ("user.deactivate", "user.activate")]
    assert toggles == ["user.deactivate", "user.activate"]


def test_an_admin_cannot_demote_or_deactivate_themselves(admin_client, runtime, users):
    page = f"/admin/users/{users['admin'].id}"
    response = post(admin_client, f"{page}/role", {"role": "reviewer"}, form_page=page)
    assert response.status_code == 400
    assert "不能" in response.get_data(as_text=True)
    assert post(admin_client, f"{page}/active", form_page=page).status_code == 400
    me = account(runtime, "u_admin")
    assert (me.role, me.is_active) == ("admin", True)


def test_a_holders_token_works_and_the_admin_can_revoke_it(admin_client, app, runtime, users):
    # Issued by its holder (tests/e2e/test_auth_security.py: the admin may not issue it).
    clerk = users["intake_clerk"]
    token = factories.api_token(runtime, clerk)
    page = f"/admin/users/{clerk.id}"
    assert "token-holder-only" in admin_client.get(page).get_data(as_text=True)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.post("/api/cases", json={"claimant_name": "孙丽", "claim_type": "outpatient"},
                    headers=bearer).status_code == 201
    with runtime.sessions() as session:
        token_id = session.scalar(select(User).where(User.id == clerk.id)).tokens[0].id
    assert post(admin_client, f"{page}/tokens/{token_id}/revoke", form_page=page).status_code == 302
    assert api.post("/api/cases", json={"claimant_name": "孙丽", "claim_type": "outpatient"},
                    headers=bearer).status_code == 401
    assert {"api_token.issue", "api_token.revoke"} <= set(actions(runtime))


def test_a_new_password_lifts_a_lockout(admin_client, app, runtime, users):
    other = app.test_client()
    for _ in range(5):
        factories.login(other, "cashier", "wrong")
    assert factories.login(other, "cashier").status_code == 401  # locked, not said
    page = f"/admin/users/{users['cashier'].id}"
    assert post(admin_client, f"{page}/password", {"password": "fresh-password-1"},
                form_page=page).status_code == 302
    assert factories.login(other, users["cashier"], "fresh-password-1").status_code == 302


def test_chains_calendar_and_retention_are_shown_read_only(admin_client):
    chains = admin_client.get("/admin/workflows").get_data(as_text=True)
    for definition in registry().definitions.values():
        assert definition.source.name in chains
        for step in definition.steps:
            assert step.label.zh in chains
    calendar = admin_client.get("/admin/calendar").get_data(as_text=True)
    assert "chinesecalendar" in calendar
    retention = admin_client.get("/admin/retention").get_data(as_text=True)
    for record_class in schedule().classes:
        assert f'data-class="{record_class.code}"' in retention
        assert schedule().retention_code(record_class.retention_years) in retention
    assert "待遇审核材料" in retention and "永久" in retention and "F001-" in retention


@pytest.mark.parametrize("role", ["reviewer", "archivist", "auditor", "director"])
def test_other_roles_get_403_and_change_nothing(client, users, runtime, role):
    factories.login(client, role)
    target = users["cashier"].id
    for path in ("/admin/users", f"/admin/users/{target}", "/admin/workflows", "/admin/calendar",
                 "/admin/retention"):
        assert client.get(path).status_code == 403
    token = csrf(client, "/cases")
    assert client.post(f"/admin/users/{target}/active", data={"csrf_token": token}).status_code == 403
    assert account(runtime, "u_cashier").is_active
    assert "/admin/users" not in client.get("/cases").get_data(as_text=True)


def test_signed_out_users_are_sent_to_sign_in_and_forms_need_csrf(client, admin_client, users):
    assert admin_client.post(f"/admin/users/{users['cashier'].id}/active").status_code == 400
    anonymous = admin_client.application.test_client()
    response = anonymous.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
