"""An unknown value never takes the lenient branch: a step routed on an empty field runs
(trauma investigation) or blocks the submission naming the field (phone verification)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.claim_api import claim, headers, inpatient_invoice, statement, submit


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


# --- an unknown value never takes the lenient branch -------------------------------------------

def test_trauma_claim_without_an_amount_goes_to_the_trauma_investigation(runtime, desk):
    case_no = factories.start_claim(runtime, desk, claim_type="trauma")  # no amount entered
    factories.walk(runtime, desk, case_no, until="trauma_investigation")
    assert factories.active_step(runtime, case_no)[1] == "trauma_investigation"


def test_trauma_claim_under_the_threshold_skips_it(runtime, desk):
    case_no = factories.start_claim(runtime, desk, claim_type="trauma", amount="500")
    signed = factories.walk(runtime, desk, case_no, until="initial_review")
    assert "window_intake:trauma_investigation" not in signed
    assert factories.active_step(runtime, case_no)[1] == "initial_review"


def test_out_of_county_inpatient_without_an_amount_is_not_sent_on(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"), (statement(), "daily_statement")],
                    designated_provider=True, out_of_county=True, amount=None)
    # The amount routes by the invoices once one is read (archive.claims): here the bill's total
    # could not be read either, so nothing says how large the claim is.
    documents = client.get(f"/api/cases/{case_no}", headers=clerk).json["documents"]
    invoice = next(d["id"] for d in documents if d["kind"] == "invoice")
    cleared = client.put(f"/api/documents/{invoice}/fields/total_amount", headers=clerk,
                         json={"value": "", "reason": "合计金额无法辨认"})
    assert cleared.status_code == 200, cleared.json
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422
    assert "申报金额" in refused.json["message"] and "电话核实" in refused.json["message"]
    entered = client.patch(f"/api/cases/{case_no}", headers=clerk,
                           json={"amount": "25000", "reason": "补录申报金额"})
    assert entered.status_code == 200, entered.json
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json




def test_trauma_claim_whose_amount_nobody_knows_is_investigated_over_the_api(client, runtime, desk):
    """Issue 18: a trauma claim with no amount entered skipped the trauma investigation. Here
    through the API: nothing typed and the bill's total unreadable (cleared), so the amount is
    unknown; the chain takes the stricter branch and the investigation waits after the window's
    checks, with its finding (third-party liability) required."""
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"), (statement(), "daily_statement")],
                    claim_type="trauma", amount=None)
    documents = client.get(f"/api/cases/{case_no}", headers=clerk).json["documents"]
    invoice = next(d["id"] for d in documents if d["kind"] == "invoice")
    cleared = client.put(f"/api/documents/{invoice}/fields/total_amount", headers=clerk,
                         json={"value": "", "reason": "合计金额无法辨认"})
    assert cleared.status_code == 200, cleared.json
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json
    steps = [s["id"] for s in client.get(f"/api/cases/{case_no}/workflow", headers=clerk).json[
        "chains"][0]["steps"]]
    assert "trauma_investigation" in steps
    def version_for(user) -> int:
        chains = client.get(f"/api/cases/{case_no}/workflow", headers=user).json["chains"]
        return next(c["version"] for c in chains if c["status"] == "active")

    while (where := factories.active_step(runtime, case_no))[1] != "trauma_investigation":
        _chain, step, role = where
        user = headers(runtime, desk[factories.SECOND_SIGNER.get(step, role)])
        for finding in client.get(f"/api/cases/{case_no}/findings", headers=user).json["blocking"]:
            client.post(f"/api/cases/{case_no}/findings/resolve", headers=user,
                        json={"finding": finding, "reason": "已与原件核对"})
        signed = client.post(f"/api/cases/{case_no}/decision", headers=user, json={
            "decision": "approve", "opinion": "同意。", "expected_version": version_for(user),
            "findings": factories.FINDINGS.get(step, {})})
        assert signed.status_code == 200, (step, signed.json)
    investigator = headers(runtime, desk[factories.active_step(runtime, case_no)[2]])
    bare = client.post(f"/api/cases/{case_no}/decision", headers=investigator, json={
        "decision": "approve", "opinion": "同意。", "expected_version": version_for(investigator),
        "findings": {}})
    assert bare.status_code == 422, bare.json  # the investigation's finding is required
