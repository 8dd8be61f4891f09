"""Originals over the API (issue 21): scanner and archive-system integrations fetch what they
stored with their token, under the same checks and audit as the desk's download."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from archive.models import AuditEvent
from tests import factories


def fetch(client, token: str | None, document_id: int):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/documents/{document_id}/original", headers=headers)


def test_a_token_downloads_the_original_byte_for_byte_and_the_trail_names_the_token(
        client, runtime, users):
    clerk = users["intake_clerk"]
    content = factories.invoice_pdf(seed=21)
    case_no = factories.make_case(runtime, clerk)
    document_id = factories.upload(runtime, clerk, case_no, content, "住院票据.pdf").document_id

    response = fetch(client, factories.api_token(runtime, clerk), document_id)

    assert response.status_code == 200, response.data[:300]
    assert hashlib.sha256(response.data).hexdigest() == hashlib.sha256(content).hexdigest()
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "filename*=UTF-8''%E4%BD%8F%E9%99%A2" in response.headers["Content-Disposition"]
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.download")
                                ).one()
    assert event.actor_id == clerk.id and event.details.get("via_token")


def test_no_token_is_a_json_401_not_a_redirect_to_the_sign_in_page(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=22)).document_id

    for token in (None, "not-a-token"):
        response = fetch(client, token, document_id)
        assert response.status_code == 401 and response.is_json, response.status_code


def test_a_role_that_may_not_see_identifiers_is_refused_and_nothing_is_recorded(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=23)).document_id
    token = factories.api_token(runtime, users["cashier"])  # pays claims; a scan cannot be masked

    response = fetch(client, token, document_id)

    assert response.status_code == 403 and response.is_json
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "document.download")) is None
    assert fetch(client, token, 999_999).status_code in (403, 404)
