"""The audit desk over HTTP: the latest check of the audit trail, and "verify now" for auditors."""

from __future__ import annotations

from tests import factories


def test_auditor_verifies_now_and_sees_the_result(client, runtime, users):
    factories.make_case(runtime, users["intake_clerk"])
    factories.login(client, "auditor")
    page = client.get("/records?lang=en").get_data(as_text=True)
    assert "has not been verified yet" in page and 'id="verify-now"' in page
    response = client.post("/records/verify", data={"csrf_token": factories.csrf_from(page)},
                           headers={"Referer": "http://localhost/dashboard"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)  # jobs run inline here
    assert 'class="chain-ok"' in page and "Intact:" in page and "u_auditor" in page
    assert 'id="chain-check-pending"' not in page

    factories.login(client, "archivist")  # sees the archive desk, may not run a check
    page = client.get("/records").get_data(as_text=True)
    assert 'id="chain-check"' not in page
    assert client.post("/records/verify", data={"csrf_token": factories.csrf_from(page)}).status_code == 403
