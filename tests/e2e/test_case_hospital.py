"""The case's hospital is the one its documents name, not the one the clerk typed (issue 18):
a typed hospital that differs is an ERROR finding that blocks the next sign-off until resolved
with a reason, and a hospital clerk sees the case by the hospital read, so a typed name can
neither show a case to another hospital's clerk nor hide it from its own. Real app, documents
read inline, the API with the demo-like desk."""

from __future__ import annotations

import io

import pytest

from archive.demo import documents as gen
from tests import factories
from tests.e2e import claim_api

TREATED, TYPED = factories.HOSPITAL, "县中医院"  # where the documents say, and what was typed


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def invoice(hospital: str) -> bytes:
    lines = ["门诊", "票据代码：35010126    票据号码：0081239001",
             f"交款人：张伟    收款单位：{hospital}", "开票日期：2026年3月10日", "检查费    300.00",
             "合计（小写）：￥300.00", "合计（大写）：叁佰元整"]
    return gen._pdf([lines], "医疗收费票据")


def clerk_of(runtime, hospital: str, username: str):
    user = factories.make_user(runtime, "hospital_clerk", username)
    with runtime.sessions.begin() as session:  # as the admin desk sets it (tested on its own)
        session.merge(user).scope_hospital = hospital
    return claim_api.headers(runtime, user)


def test_the_hospital_read_counts_and_a_typed_one_that_differs_blocks_until_resolved(client, runtime,
                                                                                      desk):
    intake = claim_api.headers(runtime, desk["intake_clerk"])
    made = client.post("/api/cases", headers=intake, json={
        "claimant_name": "张伟", "claim_type": "outpatient", "filed_by": "insured", "hospital": TYPED})
    assert made.status_code == 201, made.json
    case_no = made.json["case_no"]
    home, other = clerk_of(runtime, TREATED, "u_clerk_home"), clerk_of(runtime, TYPED, "u_clerk_other")
    # Nothing read yet: the typed hospital is all there is.
    assert client.get(f"/api/cases/{case_no}", headers=other).status_code == 200
    assert client.get(f"/api/cases/{case_no}", headers=home).status_code == 404

    sent = client.post(f"/api/cases/{case_no}/documents", headers=intake, data={
        "kind": "invoice", "files": [(io.BytesIO(invoice(TREATED)), "invoice.pdf")]},
        content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    # Read: the invoice's 收款单位 counts, for the scope as for everything else.
    assert client.get(f"/api/cases/{case_no}", headers=home).status_code == 200
    assert client.get(f"/api/cases/{case_no}", headers=other).status_code == 404

    assert claim_api.submit(client, intake, case_no).status_code == 201
    _chain, step, role = factories.active_step(runtime, case_no)
    signer = claim_api.headers(runtime, desk[factories.SECOND_SIGNER.get(step, role)])
    shown = client.get(f"/api/cases/{case_no}/findings", headers=signer).json
    [mismatch] = [f for f in shown["findings"] if f["code"] == "hospital_mismatch"]
    assert mismatch["severity"] == "error" and mismatch["blocking"]
    assert TYPED in mismatch["message"] and TREATED in mismatch["message"]

    def decide():
        chains = client.get(f"/api/cases/{case_no}/workflow", headers=signer).json["chains"]
        version = next(c["version"] for c in chains if c["status"] == "active")
        return client.post(f"/api/cases/{case_no}/decision", headers=signer, json={
            "decision": "approve", "opinion": "同意。", "expected_version": version,
            "findings": factories.FINDINGS.get(step, {})})

    refused = decide()
    assert refused.status_code == 422 and refused.json["error"] == "unresolved_findings"
    assert "hospital_mismatch" in refused.json["message"]
    assert factories.active_step(runtime, case_no)[1] == step  # nothing signed
    resolved = client.post(f"/api/cases/{case_no}/findings/resolve", headers=signer, json={
        "finding": "hospital_mismatch", "reason": "窗口录入错误，以票据为准"})
    assert resolved.status_code == 201, resolved.json
    for finding in client.get(f"/api/cases/{case_no}/findings", headers=signer).json["blocking"]:
        client.post(f"/api/cases/{case_no}/findings/resolve", headers=signer,
                    json={"finding": finding, "reason": "已与原件核对"})
    passed = decide()
    assert passed.status_code == 200, passed.json


def test_a_typed_hospital_the_documents_confirm_is_no_finding(client, runtime, desk):
    intake = claim_api.headers(runtime, desk["intake_clerk"])
    made = client.post("/api/cases", headers=intake, json={
        "claimant_name": "张伟", "claim_type": "outpatient", "filed_by": "insured", "hospital": TREATED})
    case_no = made.json["case_no"]
    sent = client.post(f"/api/cases/{case_no}/documents", headers=intake, data={
        "kind": "invoice", "files": [(io.BytesIO(invoice(TREATED)), "invoice.pdf")]},
        content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    codes = [f["code"] for f in client.get(f"/api/cases/{case_no}/findings", headers=intake).json["findings"]]
    assert "hospital_mismatch" not in codes
