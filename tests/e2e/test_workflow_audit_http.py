"""The audit chain (稽核) over HTTP: deductions through the JSON API and the desk's form, shown on
the case page; bad deductions refused with 422 and a reason."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def at_handling(runtime, desk) -> tuple[str, int]:
    case_no = factories.start_claim(runtime, desk, claim_type="audit", amount="60000",
                                    documents=("agreement",))
    factories.walk(runtime, desk, case_no, until="handling")
    return case_no, factories.workflow_state(runtime, case_no)["audit"]["version"]


def test_deductions_over_the_api(client, runtime, desk):
    case_no, version = at_handling(runtime, desk)
    token = factories.api_token(runtime, desk["audit_chief"])
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/cases/{case_no}/decision"
    body = {"decision": "approve", "opinion": "扣减违规费用", "expected_version": version}

    bad = client.post(path, headers=headers, json={**body, "deductions": [{"amount": "0", "reason": "x"}]})
    assert bad.status_code == 422 and bad.json["error"] == "incomplete"
    assert "扣款第 1 项" in bad.json["message"]
    assert client.post(path, headers=headers, json={**body, "deductions": "100"}).status_code == 400

    ok = client.post(path, headers=headers, json={**body, "deductions": [
        {"amount": "880.00", "reason": "分解住院"}, {"amount": 120, "reason": "挂床"}]})
    assert ok.status_code == 200, ok.json
    assert ok.json["step"] == "filing"
    shown = client.get(f"/api/cases/{case_no}/workflow", headers=headers).json
    assert shown["history"][-1]["findings"] == {
        "deductions": [{"amount": "880.00", "reason": "分解住院"}, {"amount": "120.00", "reason": "挂床"}],
        "deductions_total": "1000.00"}


def test_deductions_through_the_desk_form_and_on_the_case_page(client, runtime, desk):
    case_no, version = at_handling(runtime, desk)
    factories.login(client, "audit_chief")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert 'name="deductions"' in page and "稽核处理（扣款）" in page
    form = {"csrf_token": factories.csrf_from(page), "expected_version": str(version),
            "step": "handling", "decision": "approve", "opinion": "按协议扣款"}
    refused = client.post(f"/cases/{case_no}/decision", data={**form, "deductions": "扣款一千元"})
    assert refused.status_code == 422 and "第 1 行" in refused.get_data(as_text=True)
    response = client.post(f"/cases/{case_no}/decision",
                           data={**form, "deductions": "1200.50 超标准收费\n\n300，重复收费"})
    assert response.status_code == 302
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    # Each deduction's amount with its reason (the reason marked as data, not page text).
    assert '¥1,200.50 — <span translate="no">超标准收费</span>' in page
    assert '¥300.00 — <span translate="no">重复收费</span>' in page
    assert "扣款合计：1500.50 元" in page
