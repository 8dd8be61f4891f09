"""Flags that stop a bad payment, through the API: the same invoice in two cases is an ERROR
finding that blocks the next sign-off until a reviewer resolves it with a reason; the
resolution is kept, audited and covered by the signature."""

from __future__ import annotations

import io
import os
import random

import pytest
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import AuditEvent, Case
from archive.workflows.content import case_content, content_sha256
from tests import factories


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def headers(runtime, user) -> dict:
    return {"Authorization": f"Bearer {factories.api_token(runtime, user)}"}


def outpatient_invoice(seed: int, pages: int = 1) -> bytes:
    """A readable outpatient invoice of 张伟 (no daily statements needed)."""
    while True:
        made = gen.invoice(random.Random(seed), patient="张伟", pages=pages)
        if made.truth["visit_type"] == "outpatient":
            return made.content
        seed += 1000


def open_claim(client, clerk_headers, content: bytes) -> str:
    # No amount typed: the invoice's total is the claimed amount (a typed one that differs is an
    # error finding of its own, archive.claims.money).
    made = client.post("/api/cases", headers=clerk_headers, json={
        "claimant_name": "张伟", "claim_type": "outpatient", "designated_provider": False})
    assert made.status_code == 201, made.json
    case_no = made.json["case_no"]
    sent = client.post(f"/api/cases/{case_no}/documents", headers=clerk_headers,
                       data={"kind": "invoice", "files": [(io.BytesIO(content), "票据.pdf")]},
                       content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    submitted = client.post(f"/api/cases/{case_no}/submit", headers=clerk_headers)
    assert submitted.status_code == 201, submitted.json
    return case_no


def approve(client, user_headers, case_no: str, opinion: str = "同意。"):
    chains = client.get(f"/api/cases/{case_no}/workflow", headers=user_headers).json["chains"]
    version = next(c["version"] for c in chains if c["status"] == "active")
    return client.post(f"/api/cases/{case_no}/decision", headers=user_headers, json={
        "decision": "approve", "opinion": opinion, "expected_version": version})


# A patient-filed claim's first gate is the completeness check by a second clerk (the
# checker): a flag blocks it, and the checker, whom the case waits for, resolves it.
def test_the_same_file_in_two_cases_blocks_until_resolved_with_a_reason(client, runtime, desk):
    clerk, reviewer = headers(runtime, desk["intake_clerk"]), headers(runtime, desk["checker"])
    content = outpatient_invoice(11)
    first = open_claim(client, clerk, content)
    factories.walk(runtime, desk, first)  # approved and paid before the second claim arrives
    second = open_claim(client, clerk, content)

    refused = approve(client, reviewer, second)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"] == "unresolved_findings"
    assert first in refused.json["message"] and "duplicate_invoice" in refused.json["message"]
    assert factories.active_step(runtime, second)[1] == "completeness"  # nothing was signed

    shown = client.get(f"/api/cases/{second}/findings", headers=reviewer).json
    duplicate = next(f for f in shown["findings"] if f["code"] == "duplicate_invoice")
    assert duplicate["severity"] == "error" and duplicate["other_case"] == first
    assert "内容哈希" in duplicate["message"] and shown["blocking"] == [duplicate["id"]]

    path = f"/api/cases/{second}/findings/resolve"
    no_reason = client.post(path, headers=reviewer, json={"finding": duplicate["id"], "reason": " "})
    assert no_reason.status_code == 422
    clerk_tries = client.post(path, headers=clerk, json={"finding": duplicate["id"], "reason": "x"})
    assert clerk_tries.status_code == 403
    resolved = client.post(path, headers=reviewer, json={
        "finding": "duplicate_invoice", "reason": "首案已退回作废，本案为唯一有效报销"})
    assert resolved.status_code == 201, resolved.json
    assert resolved.json["finding"] == duplicate["id"]
    again = client.post(path, headers=reviewer, json={"finding": duplicate["id"], "reason": "再次"})
    assert again.status_code == 409

    ok = approve(client, reviewer, second)
    assert ok.status_code == 200, ok.json
    assert ok.json["step"] == "initial_review"

    history = client.get(f"/api/cases/{second}/workflow", headers=reviewer).json["history"]
    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == second))
        content_now = case_content(session, case)
        assert content_now["resolutions"][duplicate["id"]]["reason"] == "首案已退回作废，本案为唯一有效报销"
        assert history[-1]["content_sha256"] == content_sha256(session, case)  # the signature covers it
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "finding.resolved"))
        assert event.details["finding"] == duplicate["id"] and event.details["reason"].startswith("首案")
    after = client.get(f"/api/cases/{second}/findings", headers=reviewer).json
    kept = next(f for f in after["findings"] if f["id"] == duplicate["id"])
    assert kept["resolution"]["by"] == "User u_checker" and after["blocking"] == []


def test_same_invoice_code_and_number_in_another_file_is_a_duplicate(client, runtime, desk):
    clerk, reviewer = headers(runtime, desk["intake_clerk"]), headers(runtime, desk["checker"])
    first = open_claim(client, clerk, outpatient_invoice(23))
    # A second print of the same invoice: other bytes, the same 票据代码 and 票据号码.
    second = open_claim(client, clerk, outpatient_invoice(23, pages=2))
    refused = approve(client, reviewer, second)
    assert refused.status_code == 422 and refused.json["error"] == "unresolved_findings"
    found = client.get(f"/api/cases/{second}/findings", headers=reviewer).json["findings"]
    duplicate = next(f for f in found if f["code"] == "duplicate_invoice")
    assert duplicate["other_case"] == first and "票据代码" in duplicate["message"]
    # The first case is flagged too: either claim could be the one paid twice.
    assert approve(client, reviewer, first).status_code == 422


def test_an_invoice_of_its_own_passes(client, runtime, desk):
    clerk, reviewer = headers(runtime, desk["intake_clerk"]), headers(runtime, desk["checker"])
    open_claim(client, clerk, outpatient_invoice(31))
    second = open_claim(client, clerk, outpatient_invoice(47))
    assert approve(client, reviewer, second).status_code == 200


def test_the_case_page_offers_resolution_and_the_cli_refuses_and_resolves(client, runtime, desk,
                                                                            environ):
    environ = {**os.environ, **environ}
    clerk = headers(runtime, desk["intake_clerk"])
    content = outpatient_invoice(59)
    open_claim(client, clerk, content)
    second = open_claim(client, clerk, content)

    cli = factories.archive(environ, "decide", second, "--as", "u_checker", "--decision", "approve",
                            "--opinion", "同意")
    assert cli.returncode == 1 and "duplicate_invoice" in cli.stderr

    factories.login(client, desk["checker"])
    page = client.get(f"/cases/{second}").get_data(as_text=True)
    assert 'class="resolve-finding"' in page and "重复票据" in page
    finding = page.split('name="finding" value="')[1].split('"')[0]
    for lang, words in (("zh_CN", "请填写"), ("en", "Fill in")):
        posted = client.post(f"/cases/{second}/findings/resolve?lang={lang}", data={
            "csrf_token": factories.csrf_from(page), "finding": finding, "reason": " "})
        # The case page again, the reason asked for beside its input (issue 20, point 14).
        form = posted.get_data(as_text=True).split('class="resolve-finding"', 1)[1].split("</form>")[0]
        assert posted.status_code == 422 and 'id="reason-error"' in form and words in form
    cli = factories.archive(environ, "resolve-finding", second, "--finding", finding,
                            "--reason", "经电话核实，前案已撤回", "--user", "u_checker")
    assert cli.returncode == 0, cli.stderr
    page = client.get(f"/cases/{second}").get_data(as_text=True)
    assert "经电话核实，前案已撤回" in page and 'class="resolve-finding"' not in page
    cli = factories.archive(environ, "decide", second, "--as", "u_checker", "--decision", "approve",
                            "--opinion", "同意")
    assert cli.returncode == 0, cli.stderr
