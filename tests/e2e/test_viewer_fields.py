"""The viewer's fields over HTTP: where each was read, inline correction (CSRF, roles, holds),
the checks run again, and everything read or typed rendered inert."""

from __future__ import annotations

import json
import random
import re

import pytest
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import AuditEvent, Document
from archive.records.holds import place_hold
from tests import factories


@pytest.fixture
def invoice():
    return gen.invoice(random.Random(7))


@pytest.fixture
def document_id(runtime, users, invoice) -> int:
    case_no = factories.make_case(runtime, users["intake_clerk"], claim_type="outpatient",
                                  claimant_name=invoice.truth["payer_name"],
                                  hospital=invoice.truth["hospital"])  # as the bill names it
    return factories.upload(runtime, users["intake_clerk"], case_no, invoice.content,
                            kind="invoice").document_id


def field_element(html: str, name: str) -> str:
    match = re.search(rf'<dd class="field[^"]*" id="field-{name}".*?</dd>', html, re.S)
    assert match, f"no field {name}"
    return match.group(0)


def post_correction(client, document_id, field, value, reason="与原件核对", **extra):
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    data = {"csrf_token": factories.csrf_from(page), "value": value, "reason": reason, "page": "1", **extra}
    return client.post(f"/documents/{document_id}/fields/{field}", data=data)


def test_each_field_says_where_it_was_read(client, users, document_id, invoice):
    factories.login(client, "re_reviewer")
    html = client.get(f"/documents/{document_id}").get_data(as_text=True)
    number = field_element(html, "invoice_number")
    assert invoice.truth["invoice_number"] in number
    boxes = json.loads(re.search(r"data-boxes='([^']+)'", number).group(1))
    assert 'data-page="1"' in number and len(boxes) == 1 and 0 < boxes[0][0] < boxes[0][2] < 1
    assert 'href="?page=1#field-invoice_number"' in number
    assert "<form" not in html.split('id="fields"', 1)[1].split("</dl>")[0]  # no right to correct
    assert "viewer.js" in html and "<script>" not in html  # static script only (CSP: script-src 'self')


def test_reviewer_corrects_inline_and_sees_the_new_findings(client, runtime, users, document_id, invoice):
    factories.login(client, "reviewer")
    html = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert f'action="/documents/{document_id}/fields/total_amount"' in html
    assert "capital_mismatch" not in html and "不一致" not in html

    response = post_correction(client, document_id, "total_amount", "8,888.80", reason="票面金额更正")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/documents/{document_id}?page=1#field-total_amount")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    total = field_element(html, "total_amount")
    assert "¥8,888.80" in total and invoice.truth["total_amount"] in total  # corrected beside machine
    assert "User reviewer" in total and "票面金额更正" in total
    assert "大写金额" in html and "不一致" in html  # the capital-amount check ran again
    # Checks across the case run on the fields in force too: a payer who is not the claimant.
    assert "患者姓名不一致" not in html
    post_correction(client, document_id, "payer_name", "欧阳明辉")
    assert "各材料中的患者姓名不一致" in client.get(f"/documents/{document_id}").get_data(as_text=True)
    with runtime.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "field.correct")
                                 .order_by(AuditEvent.id)).all()
        assert [(e.actor_name, e.details["channel"], e.details["new"]) for e in events] == [
            ("u_reviewer", "web", "8888.80"), ("u_reviewer", "web", "欧阳明辉")]


def test_refusals_are_clear_and_change_nothing(client, runtime, users, document_id):
    factories.login(client, "director")
    assert post_correction(client, document_id, "total_amount", "1.00").status_code == 403
    factories.login(client, "reviewer")
    no_token = client.post(f"/documents/{document_id}/fields/total_amount",
                           data={"value": "1.00", "reason": "x"})
    assert no_token.status_code == 400
    bad = post_correction(client, document_id, "issue_date", "明天")
    assert bad.status_code == 422 and "明天" in bad.get_data(as_text=True)
    assert "Traceback" not in bad.get_data(as_text=True)
    with runtime.sessions.begin() as session:
        case_no = session.get_one(Document, document_id).case.case_no
        place_hold(session, case_no, actor=users["archivist"], reason="稽核调取")
    held = post_correction(client, document_id, "total_amount", "1.00")
    assert held.status_code == 423 and "稽核调取" in held.get_data(as_text=True)
    with runtime.sessions() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "field.correct")).all()
        assert session.get_one(Document, document_id).corrections == []


def test_values_reasons_and_page_text_render_inert(client, runtime, users, document_id):
    # A value with markup cannot come from reading (the field's pattern refuses it) or from a
    # correction (the same check): written straight into the row here, as a damaged or
    # hand-edited database could hold it.
    with runtime.sessions.begin() as session:
        document = session.get_one(Document, document_id)
        document.fields = {**document.fields, "hospital": "<script>alert('v')</script>"}
        document.pages[0].text = "<img src=x onerror=alert('t')>"
    factories.login(client, "reviewer")
    assert post_correction(client, document_id, "payer_name", "王芳",
                           reason="<script>alert('r')</script>").status_code == 302
    html = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;v&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;t&#39;)&gt;" in html


def test_the_api_corrects_a_field_and_search_follows(client, runtime, users, document_id, invoice):
    reviewer = {"Authorization": f"Bearer {factories.api_token(runtime, users['reviewer'])}"}
    director = {"Authorization": f"Bearer {factories.api_token(runtime, users['director'])}"}
    shown = client.get(f"/api/documents/{document_id}", headers=reviewer).get_json()
    assert shown["fields"]["invoice_number"] == invoice.truth["invoice_number"]
    assert shown["field_sources"]["invoice_number"]["page"] == 1

    path = f"/api/documents/{document_id}/fields/invoice_number"
    body = {"value": "8765 4321", "reason": "票据号码识别错误"}
    assert client.put(path, json=body, headers=director).status_code == 403
    assert client.put(path, data="nope", headers=reviewer).status_code == 400
    refused = client.put(path, json={"value": "12", "reason": "x"}, headers=reviewer)
    assert refused.status_code == 422 and refused.get_json()["error"] == "invalid"
    done = client.put(path, json=body, headers=reviewer)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["value"] == "87654321"
    assert done.get_json()["machine_value"] == invoice.truth["invoice_number"]

    def hits(number):
        found = client.get(f"/api/search?invoice_number={number}", headers=reviewer).get_json()
        return [hit["document_id"] for hit in found["hits"]]

    assert hits("87654321") == [document_id]
    assert hits(invoice.truth["invoice_number"]) == []


def test_a_refused_correction_is_said_beside_its_input_in_either_language(client, users, document_id):
    """Issue 20, point 6: the reason a correction lacks, and a value that does not check out,
    each beside its own input, the value typed kept, in the page's language."""
    factories.login(client, "reviewer")
    for lang, words in (("zh_CN", "请填写"), ("en", "Fill in")):
        bad = post_correction(client, document_id, f"total_amount?lang={lang}", "8,888.80", reason="")
        html = bad.get_data(as_text=True)
        form = html.split(f'/documents/{document_id}/fields/total_amount"', 1)[1].split("</form>")[0]
        assert bad.status_code == 422 and words in form.split('name="reason"', 1)[1]
        assert 'id="reason-error"' in form.split('name="reason"', 1)[1]
        assert 'value="8,888.80"' in form and 'id="value-error"' not in form
        assert "reason:" not in html
    bad = post_correction(client, document_id, "issue_date?lang=en", "明天")
    form = bad.get_data(as_text=True).split('/fields/issue_date"', 1)[1].split("</form>")[0]
    value = form.split('name="value"', 1)[1].split("</label>")[0]
    assert bad.status_code == 422 and 'id="value-error"' in value and 'value="明天"' in form
