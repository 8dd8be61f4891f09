"""Desk forms refused over HTTP (issue 20, points 6 and 14): the page comes back with a 4xx, each
error beside its field in the reader's language (no internal names), what was typed kept; a
refusal of the service after the fields passed shown on the form; the good path still works."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from archive.records.filing import set_record_class
from archive.retention import china_date
from tests import factories


def signed_in(app, role, *, english: bool = False):
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    if english:
        client.get("/loans?lang=en")  # the language is kept in the session from the first page drawn
    return client


def send(client, path, data, *, form_page):
    token = factories.csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def beside(page: str, field: str, *, after: int = 0) -> str:
    """The label around a field: where its error must be."""
    start = page.index(f'name="{field}"', after)
    return page[start:page.index("</label>", start)]


def refused(response, field: str, message: str, typed: str | None = None, *, status: int = 422,
            after: str | None = None) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:500]
    label = beside(page, field, after=page.index(after) if after else 0)
    assert f'id="{field}-error"' in label and message in html.unescape(label), label
    if typed is not None:
        assert f'value="{typed}"' in label or f">{typed}</textarea>" in label, label
    shown = re.findall(r'class="(?:field-error|flash error form-problem)"[^>]*>([^<]*)<', page)
    assert shown and not any(re.search(rf"\b{field}\s*:", text) for text in shown), shown  # no internal names
    return page


def test_a_loan_refused_keeps_what_was_typed_beside_its_fields(app, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="欧阳限")
    with runtime.sessions.begin() as session:
        set_record_class(session, case_no, actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
    archivist = signed_in(app, "archivist")
    last_day = (china_date() + timedelta(days=5)).isoformat()
    form = {"case_no": case_no, "borrower": "u_reviewer", "last_day": last_day, "reason": "信访核查"}
    bad = send(archivist, "/loans", {**form, "last_day": "31.12.2026"}, form_page="/loans")
    refused(bad, "last_day", "请按 YYYY-MM-DD 填写日期", "31.12.2026")
    assert 'value="u_reviewer"' in beside(bad.get_data(as_text=True), "borrower")
    english = signed_in(app, "archivist", english=True)
    refused(send(english, "/loans", {**form, "reason": ""}, form_page="/loans"), "reason",
            "Fill in this field.")
    # The service's refusal (no such borrower) on the form, the typed values kept.
    page = send(archivist, "/loans", {**form, "borrower": "u_nobody"}, form_page="/loans")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'class="flash error form-problem"' in text and 'value="u_nobody"' in text
    assert send(archivist, "/loans", form, form_page="/loans").status_code == 302
    made = archivist.get("/loans").get_data(as_text=True)
    loan_id = made.split('data-loan="')[1].split('"')[0]
    ended = send(archivist, f"/loans/{loan_id}/revoke", {"reason": " "}, form_page="/loans")
    refused(ended, "reason", "请填写此项", after=f'data-loan="{loan_id}"')
    assert send(archivist, f"/loans/{loan_id}/revoke", {"reason": "提前归还"},
                form_page="/loans").status_code == 302


def test_notice_objection_and_income_forms_keep_what_was_typed(app, runtime, users):
    chief = signed_in(app, "finance_chief")
    start = china_date()
    notice = {"month": "2026/3", "posted_from": start.isoformat(),
              "posted_to": (start + timedelta(days=9)).isoformat(), "posted_where": "城关镇政务公开栏"}
    page = refused(send(chief, "/publications", notice, form_page="/publications"), "month",
                   "请按 YYYY-MM 填写月份", "2026/3")
    assert 'value="城关镇政务公开栏"' in beside(page, "posted_where")
    english = signed_in(app, "finance_chief", english=True)
    refused(send(english, "/publications", {**notice, "month": "2026-03", "posted_to": "tomorrow"},
                 form_page="/publications"), "posted_to", "Enter a date as YYYY-MM-DD", "tomorrow")

    clerk = signed_in(app, "intake_clerk")
    objection = {"case_no": "", "line": "三", "raised_by": "王五", "text": "金额有误"}
    page = refused(send(clerk, "/objections", objection, form_page="/objections"), "line",
                   "请填写行号", "三")
    assert ">金额有误</textarea>" in beside(page, "text")
    # Neither a line nor a case: the service's refusal on the form, the typed text kept.
    page = send(clerk, "/objections", {**objection, "line": ""}, form_page="/objections")
    assert page.status_code == 422 and "form-problem" in page.get_data(as_text=True)
    assert ">金额有误</textarea>" in page.get_data(as_text=True)

    accountant = signed_in(app, "accountant")
    income = {"received_on": start.isoformat(), "amount": "12.345元", "source": "个人缴费", "note": ""}
    page = refused(send(accountant, "/fund-income", income, form_page="/fund-report"), "amount",
                   "最多两位小数", "12.345元")
    assert 'value="个人缴费"' in beside(page, "source")
    booked = send(accountant, "/fund-income", {**income, "amount": "￥１,２３４.５０元"},
                  form_page="/fund-report")
    assert booked.status_code == 302
    assert "1,234.50" in accountant.get(booked.headers["Location"]).get_data(as_text=True)


def test_an_insured_count_is_refused_beside_its_field_and_read_as_typed(app, runtime, users):
    director = signed_in(app, "director")
    data = {"year": "2026", "township": "河西乡", "insured": "十二"}
    page = refused(send(director, "/statistics/insured", data, form_page="/statistics/insured"),
                   "insured", "请填写 1 至 100,000,000 之间的整数", "十二")
    assert 'value="河西乡"' in beside(page, "township")
    english = signed_in(app, "director", english=True)
    refused(send(english, "/statistics/insured", {**data, "year": "26"}, form_page="/statistics/insured"),
            "year", "Enter a whole number from 2000 to 2100.", "26", after='id="insured-form"')
    saved = send(director, "/statistics/insured", {**data, "insured": "１,２３４"},
                 form_page="/statistics/insured")
    assert saved.status_code == 302
    assert 'data-township="河西乡"' in director.get("/statistics/insured?year=2026").get_data(as_text=True)


def test_a_calendar_entry_refused_stays_in_its_years_form(app, runtime, users):
    admin = signed_in(app, "admin")
    year = china_date().year + 1
    bad = send(admin, f"/admin/calendar/{year}", {"holidays": f"{year}-02-05", "workdays": "",
                                                   "notice": "国" * 201}, form_page="/admin/calendar")
    page = refused(bad, "notice", "内容过长", status=400, after=f'id="year-{year}"')
    form = page[page.index(f'id="year-{year}"'):]
    form = form[:form.index("</form>")]
    assert f">{year}-02-05</textarea>" in form and 'id="notice-error"' in form
    # The service's refusal (a day without its name) inside the year's form, not a bare page.
    refused_again = send(admin, f"/admin/calendar/{year}", {"holidays": f"{year}-02-05", "workdays": ""},
                         form_page="/admin/calendar")
    page = refused_again.get_data(as_text=True)
    form = page[page.index(f'id="year-{year}"'):]
    assert refused_again.status_code == 400 and "form-problem" in form[:form.index("</form>")]


def test_backscan_without_a_manifest_says_so_beside_the_field(app, runtime, users):
    archivist = signed_in(app, "archivist")
    refused(send(archivist, "/records/backscan", {}, form_page="/records/backscan"), "manifest",
            "请选择清单文件", status=400)
    english = signed_in(app, "archivist", english=True)
    refused(send(english, "/records/backscan", {}, form_page="/records/backscan"), "manifest",
            "Choose the manifest (CSV or XLSX).", status=400)


def test_holds_and_appraisals_refused_on_the_page_they_were_sent_from(app, runtime):
    desk = factories.sign_off_desk(runtime)
    archivist = signed_in(app, desk["archivist"])
    case_no = factories.close_by_rejection(runtime, desk, seed=3)
    factories.file_closed(runtime, desk["archivist"], case_no)
    long_reason = "纪检调阅" * 501
    # From the case page: the case page again, its archive panel showing the error.
    held = send(archivist, f"/records/cases/{case_no}/holds", {"reason": long_reason, "back": "case"},
                form_page=f"/cases/{case_no}")
    page = refused(held, "reason", "内容过长", long_reason, after='id="place-hold"')
    assert 'id="archive-record"' in page
    assert send(archivist, f"/records/cases/{case_no}/holds", {"reason": "纪检调阅", "back": "case"},
                form_page=f"/cases/{case_no}").status_code == 302

    other = factories.close_by_rejection(runtime, desk, seed=4)
    factories.file_closed(runtime, desk["archivist"], other)
    factories.age_record(runtime, other, retention_ends_on=date(2020, 1, 1))
    appraisal = {"decision": "extend", "years": "十年", "opinion": "仍有查考价值"}
    page = refused(send(archivist, f"/records/cases/{other}/appraisal", appraisal, form_page="/records"),
                   "years", "请填写 1 至 100 之间的整数", "十年", after=f'data-case="{other}"')
    row = page[page.index(f'data-case="{other}"', page.index('id="appraisal"')):]
    assert 'value="仍有查考价值"' in row[:row.index("</tr>")]
    english = signed_in(app, desk["archivist"], english=True)
    refused(send(english, f"/records/cases/{other}/appraisal", {**appraisal, "years": ""},
                 form_page="/records"), "years", "Give the number of years to extend.",
            after=f'data-case="{other}"')
    assert send(archivist, f"/records/cases/{other}/appraisal", {**appraisal, "years": "１０"},
                form_page="/records").status_code == 302


MONTH = "2026-10"  # a closed month: its cases are drawn


def test_a_recheck_and_a_follow_up_call_refused_beside_their_fields(app, runtime):
    from archive.signoff.months import month_bounds
    from tests.integration.test_workflow_oversight import move_approval

    desk = factories.sign_off_desk(runtime)
    made = []
    inpatient = ("invoice", "daily_statement")
    for claim_type, documents in (("outpatient", ("invoice",)), ("inpatient", inpatient)):
        case_no = factories.start_claim(runtime, desk, claim_type=claim_type, documents=documents,
                                        amount="900")
        factories.walk(runtime, desk, case_no)
        made.append(case_no)
    move_approval(runtime, made, ("window_intake", "payment"), month_bounds(MONTH)[0] + timedelta(days=3))
    auditor = signed_in(app, desk["auditor"])
    queue = auditor.get(f"/spot-checks?month={MONTH}").get_data(as_text=True)
    drawn = next(c for c in made if f'action="/spot-checks/{c}/outcome"' in queue)
    form_page = f"/spot-checks?month={MONTH}"
    recheck = {"month": MONTH, "outcome": "discrepancy", "difference": "1e5", "note": "多报"}
    bad = send(auditor, f"/spot-checks/{drawn}/outcome", recheck, form_page=form_page)
    page = refused(bad, "difference", "最多两位小数", "1e5", after=f'/spot-checks/{drawn}/outcome')
    assert ">多报</textarea>" in page
    english = signed_in(app, desk["auditor"], english=True)
    refused(send(english, f"/spot-checks/{drawn}/outcome", {**recheck, "difference": "", "note": " "},
                 form_page=form_page),
            "note", "A discrepancy needs a note", after=f'/spot-checks/{drawn}/outcome')
    done = send(auditor, f"/spot-checks/{drawn}/outcome", {**recheck, "difference": "￥30元"},
                form_page=form_page)
    assert done.status_code == 302

    calls = auditor.get(f"/follow-ups?month={MONTH}").get_data(as_text=True)
    called = next(c for c in made if f'action="/follow-ups/{c}"' in calls)
    bad = send(auditor, f"/follow-ups/{called}", {"month": MONTH, "outcome": "discrepancy", "note": ""},
               form_page=f"/follow-ups?month={MONTH}")
    refused(bad, "note", "请说明哪里不符", after=f'action="/follow-ups/{called}"')
    assert send(auditor, f"/follow-ups/{called}", {"month": MONTH, "outcome": "not_reached"},
                form_page=f"/follow-ups?month={MONTH}").status_code == 302
