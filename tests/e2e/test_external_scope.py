"""The roles outside the agency are scoped (issue 18, 3): a hospital clerk sees only the cases
treated at their hospital, a village officer only those of their village, a township officer
only those of their township — on the case page, the API, documents, search (hits and counts),
the work queue and the case-file export — with identifiers masked; an out-of-scope case is not
found (404), like any case a person may not see; without a scope they see nothing.

The desk's external users work for factories.HOSPITAL, TOWNSHIP and VILLAGE. Search and export
are not these roles' permissions today; where a test needs them to prove the scope holds there
too, it grants them through the permission table (`granting`), the one thing changed.
"""

from __future__ import annotations

import os
import random

import pytest

from archive.auth import can, permissions
from archive.demo import documents as gen
from tests import factories
from tests.e2e.claim_api import headers

ID = gen.id_number(random.Random(71))
ID_MASKED = f"{ID[:6]}********{ID[-4:]}"
MOBILE, MOBILE_MASKED = "13912345678", "139****5678"
EXTERNAL = ("hospital_clerk", "village_officer", "township_officer")
ELSEWHERE = {"hospital": "县中医院", "township": "白河乡", "village": "南庄村"}
HOME = {"hospital": factories.HOSPITAL, "township": factories.TOWNSHIP, "village": factories.VILLAGE}


def referral_pdf(patient: str) -> bytes:
    made = gen.referral(random.Random(72), patient=patient)
    lines = [line.replace(made.truth["id_number"], ID) for line in made.lines]
    return gen._pdf([[*lines, f"联系电话：{MOBILE}"]], "转诊转院审批表")


@pytest.fixture
def world(runtime, users):
    """Two cases with the same kind of papers: one of the external users' place, one elsewhere."""
    clerk, made = users["intake_clerk"], {}
    for name, place in (("home", HOME), ("away", ELSEWHERE)):
        patient = "王芳" if name == "home" else "李强"
        case_no = factories.make_case(runtime, clerk, claimant_name=patient, claimant_id_number=ID,
                                      **place)
        document = factories.upload(runtime, clerk, case_no, referral_pdf(patient),
                                    filename="转诊单.pdf", kind="referral").document_id
        made[name] = {"case_no": case_no, "document_id": document}
    return made


def granting(monkeypatch, role: str, *granted: str) -> None:
    policy = permissions._policy()
    table = {name: [*roles, role] if name in granted else roles
             for name, roles in policy["permissions"].items()}
    monkeypatch.setattr(permissions, "_policy", lambda: {**policy, "permissions": table})


def signed_in(app, user):
    client = app.test_client()
    assert factories.login(client, user).status_code == 302
    return client


def test_external_roles_never_hold_the_right_to_full_identifiers(users):
    for role in EXTERNAL:
        assert permissions.scope_kind(role) and not can(users[role], "identifiers.view"), role
    bad = {**permissions._policy(), "permissions": {"identifiers.view": ["hospital_clerk"]}}
    with pytest.raises(ValueError, match="hospital_clerk is scoped"):
        permissions._check_scopes(bad)


@pytest.mark.parametrize("role", EXTERNAL)
def test_pages_api_and_documents_follow_the_scope(app, runtime, users, world, role):
    home, away = world["home"], world["away"]
    client = signed_in(app, users[role])
    page = client.get(f"/cases/{home['case_no']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ID_MASKED in text and ID not in text
    viewer = client.get(f"/documents/{home['document_id']}").get_data(as_text=True)
    assert MOBILE_MASKED in viewer and MOBILE not in viewer and ID not in viewer
    assert client.get(f"/cases/{away['case_no']}").status_code == 404
    assert client.get(f"/documents/{away['document_id']}").status_code == 404
    listing = client.get("/cases").get_data(as_text=True)
    assert home["case_no"] in listing and away["case_no"] not in listing

    auth = headers(runtime, users[role])
    api = app.test_client()
    shown = api.get(f"/api/documents/{home['document_id']}", headers=auth)
    assert shown.status_code == 200 and ID not in shown.get_data(as_text=True)
    assert ID_MASKED in shown.get_data(as_text=True)
    for path in (f"/api/cases/{away['case_no']}", f"/api/cases/{away['case_no']}/workflow",
                 f"/api/documents/{away['document_id']}"):
        assert api.get(path, headers=auth).status_code == 404, path
    assert api.get(f"/api/cases/{home['case_no']}", headers=auth).status_code == 200
    # An original cannot be masked: refused to them whatever the case, so a refusal says nothing
    # about whether an out-of-scope document exists.
    refusals = {client.get(f"/documents/{n}/original").status_code
                for n in (home["document_id"], away["document_id"], 999_999)}
    assert refusals == {403}


def test_village_and_township_scopes_are_the_place_not_the_hospital(runtime, users):
    """A case treated at the clerk's hospital for a claimant of another village and township."""
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, hospital=factories.HOSPITAL, township="白河乡",
                                  village=factories.VILLAGE)  # a village of the same name elsewhere
    seen = {role: _sees(runtime, users[role], case_no) for role in EXTERNAL}
    assert seen == {"hospital_clerk": True, "village_officer": False, "township_officer": False}


def _sees(runtime, user, case_no) -> bool:
    from archive.access import NotFound, get_case

    with runtime.sessions() as session:
        try:
            get_case(session, session.merge(user), case_no)
        except NotFound:
            return False
        return True


@pytest.mark.parametrize("role", EXTERNAL)
def test_search_hits_and_counts_follow_the_scope(app, runtime, users, world, monkeypatch, role):
    granting(monkeypatch, role, "search.use")
    auth = headers(runtime, users[role])
    client = app.test_client()
    found = client.get("/api/search?q=转诊转院审批表", headers=auth)
    assert found.status_code == 200, found.json
    cases = {hit["case_no"] for hit in found.json["hits"]}
    assert cases == {world["home"]["case_no"]} and found.json["total"] == 1
    assert found.json["facets"]["kind"] == {"referral": 1}  # counts as seen, not as stored
    assert ID not in found.get_data(as_text=True)
    away = client.get(f"/api/search?q={world['away']['case_no']}", headers=auth).json
    assert away["total"] == 0 and away["hits"] == []
    # The agency's reviewer finds both.
    both = client.get("/api/search?q=转诊转院审批表", headers=headers(runtime, users["reviewer"])).json
    assert both["total"] == 2 and both["facets"]["kind"] == {"referral": 2}


@pytest.mark.parametrize("role", EXTERNAL)
def test_export_follows_the_scope(app, users, world, monkeypatch, role):
    granting(monkeypatch, role, "case.export")
    client = signed_in(app, users[role])
    exported = client.get(f"/cases/{world['home']['case_no']}/case-file.zip")
    assert exported.status_code == 200 and ID.encode() not in exported.get_data()
    assert client.get(f"/cases/{world['away']['case_no']}/case-file.zip").status_code == 404


def test_the_work_queue_follows_the_scope(app, runtime):
    desk = factories.sign_off_desk(runtime)
    home = factories.start_claim(runtime, desk, claim_type="referral", documents=("referral",),
                                 **HOME)
    away = factories.start_claim(runtime, desk, claim_type="referral", documents=("referral",),
                                 **ELSEWHERE)
    client = app.test_client()
    queue = client.get("/api/queue", headers=headers(runtime, desk["village_officer"])).json
    assert [item["case_no"] for item in queue["items"]] == [home] and queue["total"] == 1
    version = factories.workflow_state(runtime, away)["referral"]["version"]
    refused = client.post(f"/api/cases/{away}/decision", headers=headers(runtime, desk["village_officer"]),
                          json={"decision": "approve", "opinion": "同意。", "expected_version": version})
    assert refused.status_code == 404


def test_without_a_scope_an_external_user_sees_nothing(app, runtime, users, world):
    stranger = factories.make_user(runtime, "hospital_clerk", "u_new_clerk")  # no scope yet
    auth = headers(runtime, stranger)
    client = app.test_client()
    for name in ("home", "away"):
        assert client.get(f"/api/cases/{world[name]['case_no']}", headers=auth).status_code == 404
    assert "王芳" not in signed_in(app, stranger).get("/cases").get_data(as_text=True)
    # The administrator sets it on the admin desk (audited); then the hospital's cases appear.
    admin = signed_in(app, users["admin"])
    page = admin.get(f"/admin/users/{stranger.id}").get_data(as_text=True)
    set_it = admin.post(f"/admin/users/{stranger.id}/scope", data={
        "hospital": factories.HOSPITAL, "csrf_token": factories.csrf_from(page)})
    assert set_it.status_code == 302
    assert client.get(f"/api/cases/{world['home']['case_no']}", headers=auth).status_code == 200
    assert client.get(f"/api/cases/{world['away']['case_no']}", headers=auth).status_code == 404


def test_the_scope_is_set_from_the_command_line_and_audited(runtime, users, world, environ):
    from sqlalchemy import select

    from archive.models import AuditEvent

    environ = {**os.environ, **environ}
    officer = factories.make_user(runtime, "township_officer", "u_other_township")
    done = factories.archive(environ, "user", "scope", "u_other_township", "--township", "白河乡")
    assert done.returncode == 0, done.stderr
    refused = factories.archive(environ, "user", "scope", "u_reviewer", "--township", "白河乡")
    assert refused.returncode == 1 and "not scoped" in refused.stderr
    assert _sees(runtime, officer, world["away"]["case_no"])
    assert not _sees(runtime, officer, world["home"]["case_no"])
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.scope")).one()
        assert event.details["to"]["township"] == "白河乡"
