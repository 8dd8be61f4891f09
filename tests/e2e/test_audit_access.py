"""An audit (稽核) case is audit material (30 years, grade 3) from the day it is opened: hidden
from the external roles and from staff below grade 3 while in progress, on pages, the API and
search."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import Case
from archive.records.filing import derived_class
from tests import factories
from tests.e2e.claim_api import headers


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


# --- audit cases are audit material from the start ---------------------------------------------

def test_an_audit_in_progress_is_hidden_from_external_roles(client, runtime, desk):
    case_no = factories.make_claim(runtime, desk["intake_clerk"], claim_type="audit", amount="60000",
                                   documents=())
    factories.upload(runtime, desk["intake_clerk"], case_no, gen.agreement(random.Random(3)).content,
                     kind="agreement")  # read and indexed
    factories.send_for_sign_off(runtime, desk["intake_clerk"], case_no)
    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        chosen = derived_class(case)
        assert (chosen.code, chosen.retention_years, chosen.access_grade) == ("audit_materials", 30, 3)
    for role in ("hospital_clerk", "village_officer", "township_officer"):
        auth = headers(runtime, desk[role])
        assert client.get(f"/api/cases/{case_no}", headers=auth).status_code == 404, role
        assert client.get(f"/api/cases/{case_no}/workflow", headers=auth).status_code == 404, role
        factories.login(client, role)
        assert client.get(f"/cases/{case_no}").status_code == 404, role
        client.post("/logout")
    # Search: the external roles have no search desk at all; a reviewer (clearance 2) has one,
    # and the audit's documents are not among the hits, while an auditor finds them.
    for role in ("hospital_clerk", "village_officer"):
        assert client.get(f"/api/search?q={case_no}", headers=headers(runtime, desk[role])).status_code == 403
    hits = client.get(f"/api/search?q={case_no}", headers=headers(runtime, desk["reviewer"])).json
    assert hits["total"] == 0
    auditor = headers(runtime, desk["auditor"])
    assert client.get(f"/api/search?q={case_no}", headers=auditor).json["total"] >= 1
    assert client.get(f"/api/cases/{case_no}", headers=headers(runtime, desk["reviewer"])).status_code == 404
    assert client.get(f"/api/cases/{case_no}", headers=auditor).status_code == 200
    # The clerk who opened it holds its papers and still sees it.
    opener = headers(runtime, desk["intake_clerk"])
    assert client.get(f"/api/cases/{case_no}", headers=opener).status_code == 200
