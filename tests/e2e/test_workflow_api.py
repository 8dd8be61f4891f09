"""Sign-off over HTTP: the JSON API with its refusals, and the desk's forms and work queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.models import AuditEvent, Case, SignOff
from tests import factories


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


@pytest.fixture
def tokens(runtime, desk):
    return {name: factories.api_token(runtime, user) for name, user in desk.items()}


def call(client, token, method, path, json=None):
    return client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})


def decide(client, token, case_no, **body):
    return call(client, token, "POST", f"/api/cases/{case_no}/decision", body)


def at_initial_review(runtime, desk):
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="120.50",
                                    documents=("invoice",))
    factories.walk(runtime, desk, case_no, until="initial_review")
    return case_no, factories.workflow_state(runtime, case_no)["window_intake"]["version"]


def test_decide_over_the_api_and_each_refusal_has_its_status_and_reason(client, runtime, desk, tokens):
    case_no, version = at_initial_review(runtime, desk)
    response = decide(client, tokens["re_reviewer"], case_no, decision="approve", opinion="同意",
                      expected_version=version)
    assert response.status_code == 403 and response.json["error"] == "not_allowed"
    assert "another role" not in response.json["message"]  # the desk's language: Chinese
    assert "须由其他岗位签字" in response.json["message"]

    response = decide(client, tokens["reviewer"], case_no, decision="approve", opinion="",
                      expected_version=version)
    assert response.status_code == 422 and response.json["error"] == "opinion_required"
    assert "须填写意见" in response.json["message"]

    response = decide(client, tokens["reviewer"], case_no, decision="approve", opinion="同意",
                      expected_version=version - 1)
    assert response.status_code == 409 and response.json["error"] == "conflict"

    response = decide(client, tokens["reviewer"], case_no, decision="approve", opinion="同意",
                      expected_version=version, step="re_review")
    assert response.status_code == 409

    response = decide(client, tokens["reviewer"], case_no, decision="approve", opinion="同意")
    assert response.status_code == 422  # no expected_version

    assert call(client, tokens["reviewer"], "POST", f"/api/cases/{case_no}/decision").status_code == 400
    assert decide(client, "not-a-token", case_no, decision="approve").status_code == 401
    assert decide(client, tokens["reviewer"], "AJ-1999-000001", decision="approve",
                  expected_version=1).status_code == 404

    response = decide(client, tokens["reviewer"], case_no, decision="approve", opinion="同意，符合规定",
                      expected_version=version)
    assert response.status_code == 200, response.json
    assert response.json["step"] == "re_review" and response.json["version"] == version + 1
    with runtime.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.approve")
                               .order_by(AuditEvent.id.desc()))
        sign_off = session.scalar(select(SignOff).where(SignOff.step == "initial_review"))
    assert event.details["channel"] == "api" and event.details["sign_off"] == sign_off.id
    assert sign_off.opinion == "同意，符合规定" and sign_off.signer_name == "User reviewer"


def test_english_reasons_on_request(client, runtime, desk, tokens):
    case_no, version = at_initial_review(runtime, desk)
    response = client.post(f"/api/cases/{case_no}/decision?lang=en",
                           json={"decision": "approve", "expected_version": version},
                           headers={"Authorization": f"Bearer {tokens['reviewer']}"})
    assert response.status_code == 422
    assert response.json["message"] == "An opinion is required to approve at step Initial review."


def test_submit_queue_and_timeline_over_the_api(client, runtime, desk, tokens):
    case_no = factories.make_claim(runtime, desk["intake_clerk"], claim_type="trauma", amount="40000")
    response = call(client, tokens["intake_clerk"], "POST", f"/api/cases/{case_no}/submit")
    assert response.status_code == 201 and response.json["step"] == "completeness"
    assert call(client, tokens["intake_clerk"], "POST", f"/api/cases/{case_no}/submit").status_code == 409
    assert call(client, tokens["reviewer"], "POST", f"/api/cases/{case_no}/submit").status_code == 403

    queue = call(client, tokens["checker"], "GET", "/api/queue").json
    assert queue["total"] == 1
    item = queue["items"][0]
    assert (item["case_no"], item["step"]["zh"], item["action"]) == (case_no, "材料完整性审核", "decide")
    assert item["due_on"] and item["overdue"] is False
    assert call(client, tokens["intake_clerk"], "GET", "/api/queue").json["total"] == 0

    factories.walk(runtime, desk, case_no, until="initial_review")
    shown = call(client, tokens["reviewer"], "GET", f"/api/cases/{case_no}/workflow").json
    chain = shown["chains"][0]
    assert [(s["id"], s["state"]) for s in chain["steps"]] == [
        ("completeness", "done"), ("trauma_investigation", "done"), ("phone_verification", "skipped"),
        ("initial_review", "current"), ("re_review", "next"), ("audit_chief", "next"),
        ("finance_chief", "next"), ("director", "next")]
    assert shown["decisions"] == ["approve", "return", "reject"]
    assert shown["history"][1]["findings"] == factories.FINDINGS["trauma_investigation"]


def test_the_desk_form_decides_with_csrf_and_shows_the_timeline(client, runtime, desk):
    case_no = factories.make_claim(runtime, desk["intake_clerk"], claim_type="inpatient", amount="9000")
    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "送审" in page
    assert client.post(f"/cases/{case_no}/submit", data={}).status_code == 400  # no CSRF token
    response = client.post(f"/cases/{case_no}/submit", data={"csrf_token": factories.csrf_from(page)})
    assert response.status_code == 302
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert f"案卷 {case_no} 由您受理" in page and 'id="decision"' not in page

    client.post("/logout", data={"csrf_token": factories.csrf_from(page)})
    factories.login(client, desk["checker"])
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert 'id="decision"' in page and 'value="approve"' in page and "材料完整性审核" in page
    form = {"csrf_token": factories.csrf_from(page), "expected_version": "1", "step": "completeness",
            "decision": "return", "opinion": "缺一日清单", "missing": "住院费用一日清单\n出院小结"}
    response = client.post(f"/cases/{case_no}/decision", data={**form, "missing": ""})
    assert response.status_code == 422 and "写明缺少的材料" in response.get_data(as_text=True)
    assert client.post(f"/cases/{case_no}/decision", data=form).status_code == 302
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "住院费用一日清单; 出院小结" in page and "退回补正" in page
    assert client.post(f"/cases/{case_no}/decision", data=form).status_code == 409

    queue = client.get("/queue").get_data(as_text=True)
    assert case_no in queue and "退回补正" in queue


def test_the_work_queue_page_flags_and_links(client, runtime, desk):
    case_no, _version = at_initial_review(runtime, desk)
    factories.login(client, "reviewer")
    page = client.get("/queue?lang=en").get_data(as_text=True)
    assert f'href="/cases/{case_no}"' in page and "Initial review" in page and "1 case waiting" in page
    factories.login(client, "cashier")
    assert "Nothing is waiting for you." in client.get("/queue?lang=en").get_data(as_text=True)


def test_the_fields_that_route_a_case_come_from_the_form_and_the_api(client, runtime, desk, tokens):
    factories.login(client, "intake_clerk")
    page = client.get("/cases/new").get_data(as_text=True)
    response = client.post("/cases/new", data={
        "csrf_token": factories.csrf_from(page), "claimant_name": "孙丽", "claim_type": "inpatient",
        "amount": "25000.00", "out_of_county": "y", "hospital": "省立医院", "filed_by": "insured"})
    assert response.status_code == 302
    case_no = response.headers["Location"].rsplit("/", 1)[1]
    assert "¥25,000.00" in client.get(f"/cases/{case_no}").get_data(as_text=True)

    response = call(client, tokens["intake_clerk"], "POST", "/api/cases", {
        "claimant_name": "周强", "claim_type": "outpatient", "amount": "88.8",
        "designated_provider": False})
    assert response.status_code == 201
    other = response.json["case_no"]
    factories.upload(runtime, desk["intake_clerk"], other, factories.invoice_pdf(seed=5),
                     kind="invoice", process=False)
    assert call(client, tokens["intake_clerk"], "POST", f"/api/cases/{other}/submit").json["chain"] \
        == "window_intake"  # not designated: filed by the insured (外报)
    bad = call(client, tokens["intake_clerk"], "POST", "/api/cases", {
        "claimant_name": "周强", "claim_type": "outpatient", "amount": "12.345"})
    assert bad.status_code == 400 and "最多两位小数" in bad.json["message"]  # the reader's language

    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        assert (case.amount_fen, case.out_of_county, case.designated_provider) == (2500000, True, True)
        assert (case.hospital, case.filed_by) == ("省立医院", "insured")
