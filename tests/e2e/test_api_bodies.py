"""Request bodies are checked against a schema before a service sees them: unknown keys and
values of the wrong shape are a 400 with the reason, never a 500 (issue 22, defect 18)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.models import Case
from tests import factories


@pytest.fixture
def clerk(client, runtime, users):
    token = factories.api_token(runtime, users["intake_clerk"])
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="王芳")
    return {"Authorization": f"Bearer {token}"}, case_no


@pytest.mark.parametrize("body", [
    {"actor": "u_admin", "reason": "x"},
    {"session": 1, "reason": "x"},
    {"case_no": "AJ-2000-000001", "reason": "x"},
    {"claimant_name": {"$ne": 1}, "reason": "x"},
    {"claimant_name": ["张", "伟"], "reason": "x"},
    {"claimant_name": "张伟", "reason": {"why": "x"}},
])
def test_case_correction_with_unknown_keys_or_object_values_is_a_400(client, runtime, clerk, body):
    auth, case_no = clerk
    response = client.patch(f"/api/cases/{case_no}", json=body, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_json" and response.json["message"]
    with runtime.sessions() as session:
        assert session.scalar(select(Case.claimant_name).where(Case.case_no == case_no)) == "王芳"


def test_a_well_formed_correction_still_works(client, runtime, clerk):
    auth, case_no = clerk
    response = client.patch(f"/api/cases/{case_no}", headers=auth,
                            json={"claimant_name": "王芳芳", "amount": 120.5, "reason": "补录"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        assert (case.claimant_name, case.amount_fen) == ("王芳芳", 12050)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/cases", {"claimant_name": "张伟", "claim_type": "outpatient", "created_by": 1}),
    ("post", "/api/cases", {"claimant_name": {"a": 1}, "claim_type": "outpatient"}),
    ("post", "/api/cases/{case_no}/decision", {"decision": "approve", "actor": "u_director"}),
    ("post", "/api/cases/{case_no}/decision", {"decision": ["approve"]}),
    ("post", "/api/cases/{case_no}/decision", {"decision": "approve", "findings": [1]}),
])
def test_other_bodies_are_checked_too(client, runtime, clerk, method, path, body):
    auth, case_no = clerk
    response = getattr(client, method)(path.format(case_no=case_no), json=body, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_json"


@pytest.mark.parametrize(("role", "path", "body"), [
    ("admin", "/api/calendar/2027", {"holidays": ["2027-01-01 元旦"], "entered_by": "u_admin"}),
    ("admin", "/api/calendar/2027", {"holidays": ["2027-01-01 元旦"], "notice": {"text": "x"}}),
    ("auditor", "/api/phone-follow-ups/{case_no}",
     {"month": "2026-11", "outcome": "confirmed", "called_by": 1}),
    ("auditor", "/api/phone-follow-ups/{case_no}", {"month": "2026-11", "outcome": ["confirmed"]}),
    ("auditor", "/api/spot-checks/{case_no}/outcome", {"outcome": "confirmed", "actor": "u_director"}),
    ("auditor", "/api/spot-checks/{case_no}/outcome", {"outcome": "discrepancy", "difference": {"fen": 1}}),
])
def test_the_oversight_bodies_are_checked_before_the_services_see_them(client, runtime, users, role, path,
                                                                       body):
    """The calendar, phone follow-up and re-check endpoints, called by people who may use them."""
    token = factories.api_token(runtime, users[role])
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="王芳")
    response = client.post(path.format(case_no=case_no), json=body,
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_json"
