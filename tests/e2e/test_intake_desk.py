"""The intake desk over HTTP: the checklist on the case page and in the status poll, the send
button held back while a document is missing, and the server's own refusal."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from archive.models import AuditEvent
from tests import factories


def audit_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def checklist_items(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li data-kind="(\w+)" class="check-(\w+)"', html))


def test_checklist_ticks_and_the_server_refuses_an_incomplete_case(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claim_type="inpatient", amount="3000")
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=2), filename="发票.pdf",
                     kind="invoice")
    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}?lang=en").get_data(as_text=True)
    assert checklist_items(page) == {"invoice": "present", "daily_statement": "missing"}
    form = page[page.index('id="submit-case"'):page.index("</form>", page.index('id="submit-case"'))]
    assert "disabled" in form and "Daily itemised statement" in form
    assert 'id="submit-missing" hidden' not in form

    polled = client.get(f"/cases/{case_no}/documents.json").json["checklist"]
    assert polled["complete"] is False and polled["missing"] == ["daily_statement"]
    assert [(i["kind"], i["state"], i["state_label"]) for i in polled["items"]] == [
        ("invoice", "present", "received and read"), ("daily_statement", "missing", "missing")]

    # The button is only a hint: a post without the page's help is refused with the reason.
    before = audit_count(runtime)
    refused = client.post(f"/cases/{case_no}/submit", data={"csrf_token": factories.csrf_from(page)})
    assert refused.status_code == 422
    assert "no daily itemised statement" in refused.get_data(as_text=True)
    assert "Traceback" not in refused.get_data(as_text=True)
    assert audit_count(runtime) == before
    token = factories.api_token(runtime, clerk)
    api = client.post(f"/api/cases/{case_no}/submit", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422 and api.json["error"] == "incomplete"

    # An invoice filed as the statement is not one: the checklist reads it as it reads.
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=3), filename="发票2.pdf",
                     kind="daily_statement")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert checklist_items(page) == {"invoice": "present", "daily_statement": "missing"}
    factories.upload(runtime, clerk, case_no, factories.statement_pdf(seed=3), filename="清单.pdf",
                     kind="daily_statement")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert checklist_items(page) == {"invoice": "present", "daily_statement": "present"}
    assert client.get(f"/cases/{case_no}/documents.json").json["checklist"]["complete"] is True
    sent = client.post(f"/cases/{case_no}/submit", data={"csrf_token": factories.csrf_from(page)})
    assert sent.status_code == 302
    assert factories.workflow_state(runtime, case_no)["window_intake"]["step"] == "completeness"
