"""Desk forms of the case page through Flask-WTF (issue 20, points 1, 6 and 14): a bad value
or a refusal shows the same page again (422) with what was typed, each error beside its field,
in the page's language and without internal names; the good path still goes through."""

from __future__ import annotations

import re

from archive.models import Document
from tests import factories
from tests.e2e.test_workflow_audit_http import at_handling


def beside(html: str, field: str, *, closing: str = "</label>") -> str:
    """The error shown right after the input named `field` (within its label), or ''."""
    after = html.split(f'name="{field}"', 1)[1].split(closing, 1)[0]
    found = re.search(rf'<p class="field-error" id="{field}-error" role="alert">([^<]+)</p>', after)
    return found[1] if found else ""


def decision_page(client, case_no: str) -> tuple[str, dict]:
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
    return page, {"csrf_token": factories.csrf_from(page), "expected_version": version}


def test_a_return_without_what_is_missing_and_a_bad_approved_amount_are_said_beside_them(client, runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                    documents=("invoice",), seed=6)
    factories.walk(runtime, desk, case_no, until="initial_review")
    factories.login(client, desk["reviewer"])
    page, form = decision_page(client, case_no)
    form.update(step="initial_review", decision="return", opinion="材料不全，请补正")

    for lang, words in (("zh_CN", "缺少"), ("en", "missing")):
        refused = client.post(f"/cases/{case_no}/decision?lang={lang}", data=form)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="decision"' in html
        missing = re.search(r'<p class="field-error" id="missing-error" role="alert">([^<]+)</p>', html)
        assert missing and words in missing[1].lower(), html  # beside the field, not on top
        assert 'id="decision-error"' not in html
        assert ">材料不全，请补正</textarea>" in html  # the opinion typed is kept
        assert "missing:" not in html and "opinion:" not in html

    assert 'id="adjust-approved"' in page  # the reviewer may adjust the amount at this step
    adjust = {"csrf_token": form["csrf_token"], "amount": "12.345元", "reason": "超标准"}
    for lang, words in (("zh_CN", "金额"), ("en", "amount")):
        refused = client.post(f"/cases/{case_no}/approved-amount?lang={lang}", data=adjust)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="decision"' in html  # the case page, not a bare one
        assert words in beside(html, "amount").lower()
        assert 'value="12.345元"' in html and 'value="超标准"' in html
    good = client.post(f"/cases/{case_no}/approved-amount", data={**adjust, "amount": "￥１元"})
    assert good.status_code == 302, good.get_data(as_text=True)
    assert factories.approved_amount(runtime, case_no) == "1.00"

    # The adjustment is new content: signed again from the first step, then returned for good.
    factories.walk(runtime, desk, case_no, until="initial_review")
    page, form = decision_page(client, case_no)
    sent = client.post(f"/cases/{case_no}/decision", data={
        **form, "step": "initial_review", "decision": "return", "opinion": "材料不全，请补正",
        "missing": "身份证复印件"})
    assert sent.status_code == 302
    assert "returned" in str(factories.workflow_state(runtime, case_no))


def test_a_bad_deduction_line_keeps_the_case_page_and_what_was_typed(client, runtime):
    desk = factories.sign_off_desk(runtime)
    case_no, version = at_handling(runtime, desk)
    factories.login(client, "audit_chief")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    form = {"csrf_token": factories.csrf_from(page), "expected_version": str(version),
            "step": "handling", "decision": "approve", "opinion": "按协议扣款"}
    for lang, words in (("zh_CN", "第 1 行"), ("en", "line 1")):
        refused = client.post(f"/cases/{case_no}/decision?lang={lang}",
                              data={**form, "deductions": "扣款一千元"})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and 'id="decision"' in html
        assert words in beside(html, "deductions")
        assert ">扣款一千元</textarea>" in html and ">按协议扣款</textarea>" in html
    # A line read but refused by the service (no amount above zero): beside the field too.
    refused = client.post(f"/cases/{case_no}/decision?lang=en", data={**form, "deductions": "0 重复收费"})
    assert refused.status_code == 422
    assert "Deduction 1" in beside(refused.get_data(as_text=True), "deductions")
    done = client.post(f"/cases/{case_no}/decision", data={**form, "deductions": "1200.50 超标准收费"})
    assert done.status_code == 302
    assert factories.active_step(runtime, case_no)[1] == "filing"


def test_a_kind_not_in_the_list_is_said_beside_the_choice(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claim_type="inpatient", amount="3000")
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=4),
                                   filename="扫描.pdf").document_id
    with runtime.sessions.begin() as session:  # what recognition leaves when it cannot tell
        document = session.get_one(Document, document_id)
        document.kind, document.status = None, "processed"
    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    for lang, words in (("zh_CN", "选择"), ("en", "Choose")):
        refused = client.post(f"/documents/{document_id}/kind?lang={lang}",
                              data={"kind": "passport", "csrf_token": factories.csrf_from(page)})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and f'action="/documents/{document_id}/kind"' in html
        chooser = html.split(f'action="/documents/{document_id}/kind"', 1)[1].split("</form>")[0]
        assert words in beside(chooser, "kind", closing="<button")
        assert 'value="passport"' not in chooser and "kind:" not in html
    chosen = client.post(f"/documents/{document_id}/kind",
                         data={"kind": "invoice", "csrf_token": factories.csrf_from(page)})
    assert chosen.status_code == 302


def test_a_saved_view_without_a_proper_name_is_said_beside_it(client, runtime, users):
    factories.login(client, "intake_clerk")
    page = client.get("/cases?status=in_review").get_data(as_text=True)
    data = {"csrf_token": factories.csrf_from(page), "status": "in_review", "name": "名" * 65}
    for lang, words in (("zh_CN", "过长"), ("en", "too long")):
        refused = client.post(f"/cases/views?lang={lang}", data=data)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and words in beside(html, "name")
        assert f'value="{"名" * 65}"' in html
        assert 'name="status" value="in_review"' in html  # the list's parameters come along
    saved = client.post("/cases/views", data={**data, "name": "待审"})
    assert saved.status_code == 302 and "status=in_review" in saved.headers["Location"]
