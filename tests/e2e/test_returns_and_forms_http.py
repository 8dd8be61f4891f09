"""Returns for correction tracked (issue 20, point 10), form errors beside their fields and
amounts typed as people type them (point 14), and a new case's to-do list (point 7), over HTTP."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from archive.signoff import Incomplete
from tests import factories


def section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start:page.index("</section>", start)]


def test_a_return_names_checklist_lines_and_an_unchanged_case_cannot_go_back(client, runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="300",
                                    documents=("invoice",))
    factories.login(client, desk["checker"])
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert 'name="missing_kind" value="referral"' in page  # the lines to tick
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    sent = client.post(f"/cases/{case_no}/decision", data={
        "csrf_token": factories.csrf_from(page), "decision": "return", "expected_version": version,
        "step": "completeness", "opinion": "缺转诊单", "missing_kind": ["referral"],
        "missing": "身份证复印件"})
    assert sent.status_code == 302, sent.get_data(as_text=True)

    factories.login(client, desk["intake_clerk"])
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    note = section(page, "return-note")
    assert "User u_checker" in note and "缺转诊单" in note  # who and why
    assert re.search(r'data-item="doc:referral" class="check-missing">'
                     r'<span class="check-name">转诊转院审批表', note)
    assert 'data-item="身份证复印件" class="check-todo"' in note
    timeline = page[page.index('class="timeline"'):page.index("</table>", page.index('class="timeline"'))]
    returned = re.search(r'<tr class="step-returned".*?</tr>', timeline, re.S).group(0)
    assert "User u_checker" in returned and "缺转诊单" in returned and "转诊转院审批表" in returned
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", returned)  # when

    # Sent back untouched: refused by the service with the reason, for the form and the API.
    refused = client.post(f"/cases/{case_no}/submit", data={"csrf_token": factories.csrf_from(page)})
    assert refused.status_code == 422 and "尚未上传或更正" in refused.get_data(as_text=True)
    token = factories.api_token(runtime, desk["intake_clerk"])
    api = client.post(f"/api/cases/{case_no}/submit", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422 and "尚未上传或更正" in api.json["message"]

    factories.upload(runtime, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=41),
                     filename="转诊单.pdf", kind="referral", process=False)
    note = section(client.get(f"/cases/{case_no}").get_data(as_text=True), "return-note")
    assert 'data-item="doc:referral" class="check-present"' in note
    assert factories.send_for_sign_off(runtime, desk["intake_clerk"], case_no)[1] == "completeness"


def test_a_return_naming_an_unknown_kind_is_refused(runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="300",
                                    documents=("invoice",))
    with pytest.raises(Incomplete, match="Unknown document kind"):
        factories.sign(runtime, desk["checker"], case_no, decision="return", opinion="x",
                       missing=["doc:passport"])


def test_new_case_errors_are_beside_their_fields_and_amounts_read_as_typed(client, runtime, users):
    factories.login(client, "intake_clerk")
    page = client.get("/cases/new").get_data(as_text=True)
    bad = client.post("/cases/new", data={"csrf_token": factories.csrf_from(page), "claimant_name": "",
                                          "claim_type": "outpatient", "amount": "12.345元",
                                          "claimant_id_number": "110101199003071234"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for field in ("claimant_name", "amount", "claimant_id_number"):
        label = text.split(f'name="{field}"')[1].split("</label>")[0]
        assert f'id="{field}-error"' in label, field  # the message sits in the field's label
        assert f"{field}:" not in text
    assert "请填写此项" in text and 'value="12.345元"' in text
    for typed, fen in (("￥3,521.78", 352178), ("3521.78元", 352178), ("３５２１．７８", 352178),
                       ("¥1,200", 120000)):
        made = client.post("/cases/new", data={"csrf_token": factories.csrf_from(page),
                                               "claimant_name": "甲", "claim_type": "outpatient",
                                               "amount": typed})
        assert made.status_code == 302, (typed, made.get_data(as_text=True)[:300])
        case_no = made.headers["Location"].rsplit("/", 1)[1]
        assert factories.case_amount(runtime, case_no) == Decimal(fen).scaleb(-2), typed


def test_new_account_errors_are_beside_their_fields(client, runtime, users):
    factories.login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    bad = client.post("/admin/users", data={"csrf_token": factories.csrf_from(page), "username": "bad name!",
                                            "display_name": "甲", "role": "reviewer", "password": "x"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "username:" not in text
    label = text.split('name="username"')[1].split("</label>")[0]
    assert 'id="username-error"' in label and "只能使用字母" in label


def test_a_new_case_shows_a_to_do_list_not_errors_and_is_in_the_clerks_queue(client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="甲")
    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    checklist = section(page, "checklist")
    assert "check-missing" not in checklist and "check-todo" in checklist and "待上传" in checklist
    assert 'class="flash error" id="submit-missing"' not in page
    assert page.index('id="add-documents"') < page.index('id="documents"')  # upload form first
    queue = client.get("/queue").get_data(as_text=True)
    assert case_no in section(queue, "at-intake")
    board = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'data-count="at_intake">\s*<strong>1</strong>', board)
