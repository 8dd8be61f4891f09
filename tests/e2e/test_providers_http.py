"""The provider register (定点医疗机构管理) through the API and the pages: registering with the USCC
checked, settlements with the self-pay cap, deductions and the 20-working-day due date, the
year-end return, assessments deciding the deposit, renewal reminders on the dashboard, a
suspension blocking a claim, and refusals that write nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlalchemy import func, select
from stdnum.cn import uscc

from archive.demo import documents as gen
from archive.models import AuditEvent, Provider, ProviderAssessment, ProviderSettlement
from archive.providers import register_settings
from archive.providers.rules import cap_deduction
from archive.records.filing import set_record_class
from archive.signoff.workdays import today_in_china
from tests import factories
from tests.e2e import claim_api
from tests.e2e.test_payment_flags import HOSPITAL, blocks_until_resolved, findings, inpatient_claim


def credit_code(n: int) -> str:
    """A public institution's code (事业单位, 12…) with letters in its organisation code, as most
    are: an all-digit code of 18 reads as an ID number and is masked on the desk."""
    body = f"12340100MB{n:07d}"
    return body + uscc.calc_check_digit(body)


USCC = credit_code(11)


@pytest.fixture
def desk(runtime):
    """One user per role (and the second signers the chains need)."""
    return factories.sign_off_desk(runtime)


@pytest.fixture
def users(desk):
    return desk


@pytest.fixture
def admin(runtime, desk):
    return claim_api.headers(runtime, desk["admin"])


def counts(runtime) -> tuple[int, int, int, int]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count(model.id))) for model in
                     (Provider, ProviderSettlement, ProviderAssessment, AuditEvent))


def add(client, headers, **fields):
    body = {"name": HOSPITAL, "level": "county", "type": "hospital", "uscc": USCC,
            "insurance_code": "H34012300001", "township": "城关镇", **fields}
    return client.post("/api/providers", headers=headers, json=body)


def archive_agreement(client, clerk, hospital: str, valid_from: date, valid_to: date) -> str:
    """An agreement read from its scan, as intake archives one: party B and the term."""
    lines = ["协议编号：XY-2026-0042", "甲方：县医疗保障事务中心", f"乙方：{hospital}",
             f"统一社会信用代码：{USCC}",
             f"有效期：{valid_from.year}年{valid_from.month}月{valid_from.day}日至"
             f"{valid_to.year}年{valid_to.month}月{valid_to.day}日", "签订日期：2025年12月20日"]
    made = client.post("/api/cases", headers=clerk, json={"claimant_name": hospital, "claim_type": "other"})
    assert made.status_code == 201, made.json
    sent = client.post(f"/api/cases/{made.json['case_no']}/documents", headers=clerk, data={
        "kind": "agreement", "files": [(io.BytesIO(gen._pdf([lines], "定点医疗机构服务协议")), "协议.pdf")]},
        content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    return made.json["case_no"]


def test_a_bad_uscc_is_refused_with_its_reason_and_writes_nothing(client, runtime, users, admin):
    before = counts(runtime)
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    refused = add(client, admin, uscc=wrong)
    assert refused.status_code == 400
    assert refused.json["error"] == "bad_request" and wrong in refused.json["message"]
    assert "校验码错误" in refused.json["message"]  # the reason in the answer's language too
    assert add(client, admin, level="capital").status_code == 400
    assert add(client, admin, name="").status_code == 422
    assert counts(runtime) == before

    made = add(client, admin)
    assert made.status_code == 201, made.json
    assert made.json["uscc"] == USCC and made.json["in_force"] is False
    assert add(client, admin, name="另一家").status_code == 409  # the same code twice
    # Seeing is not keeping; a clerk sees neither.
    reviewer = claim_api.headers(runtime, users["reviewer"])
    assert add(client, reviewer, name="第三家").status_code == 403
    assert client.get("/api/providers", headers=reviewer).json["providers"][0]["name"] == HOSPITAL
    clerk = claim_api.headers(runtime, users["intake_clerk"])
    assert client.get("/api/providers", headers=clerk).status_code == 403
    assert counts(runtime)[:3] == (before[0] + 1, 0, 0)
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "provider.registered")).one()
        assert event.details["uscc"] == USCC and event.actor_name == "u_admin"

    # The desk: the same refusal as a page with the reason, the form for those who keep it.
    factories.login(client, "admin")
    page = client.get("/providers?lang=en").get_data(as_text=True)
    assert "Register a provider" in page and HOSPITAL in page
    answer = client.post("/providers", data={"csrf_token": factories.csrf_from(page), "name": "乡卫生院",
                                             "level": "township", "type": "health_centre", "uscc": wrong})
    # The register's page again (issue 20): the reason beside the code, what was typed kept.
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "checksum" in shown.split('id="uscc-error"')[1].lower()
    assert 'value="乡卫生院"' in shown
    factories.login(client, "reviewer")
    assert "Register a provider" not in client.get("/providers?lang=en").get_data(as_text=True)


def working_days_after(start: date, days: int) -> date:
    """The `days`-th working day after `start`, counted on chinesecalendar alone."""
    day = start
    while days:
        day += timedelta(days=1)
        days -= chinese_calendar.is_workday(day)
    return day


def received(runtime, provider: int, month: str, *, total: int, self_pay: int, fund: int,
             received_on: date) -> int:
    """A month received in 2025, as record_settlement keeps one: its claims are not in this test's
    archive (the policy has no 2025 table to compute them; tests/e2e/test_provider_settlements_http.py
    computes months from claims), so the row stands for what was computed then."""
    with runtime.sessions.begin() as session:
        cap = register_settings().caps["county"]
        row = ProviderSettlement(provider_id=provider, month=month, received_on=received_on,
                                 due_on=working_days_after(received_on, 20), total_cost_fen=total,
                                 self_pay_fen=self_pay, claimed_fen=fund, computed_fen=fund, cap_percent=cap,
                                 cap_deduction_fen=min(fund, cap_deduction(total, self_pay, cap)),
                                 recorded_by_name="User admin")
        session.add(row)
        session.flush()
        return row.id


def test_monthly_settlements_cap_deductions_due_date_and_year_end(client, runtime, admin):
    provider = add(client, admin).json["id"]
    url = f"/api/providers/{provider}/settlements"
    # March 2025 at a county hospital: 22 % self-paid, over the 20 % cap by 200.00 yuan.
    settlement = received(runtime, provider, "2025-03", total=1_000_000, self_pay=220_000, fund=600_000,
                          received_on=date(2025, 4, 3))
    march = client.get(f"/api/providers/{provider}", headers=admin).json["settlements"][0]
    assert march["cap_percent"] == 20 and march["cap_deduction_fen"] == 20_000
    assert march["payable_fen"] == 580_000
    cut = client.post(f"/api/providers/settlements/{settlement}/deductions", headers=admin,
                      json={"amount": "100.50", "reason": "重复收取检查费"})
    assert cut.status_code == 201 and cut.json["payable_fen"] == 580_000 - 10_050
    before = counts(runtime)
    too_much = client.post(f"/api/providers/settlements/{settlement}/deductions", headers=admin,
                           json={"amount": "6000", "reason": "超出"})
    assert too_much.status_code == 400 and counts(runtime) == before
    again = {"month": "2025-03", "claimed": "1", "received_on": "2025-04-03"}
    assert client.post(url, headers=admin, json=again).status_code == 409
    assert client.post(url, headers=admin, json={"month": "2025-13", "claimed": "1"}).status_code == 400
    # April well under the cap: the year's share is 18.5 %, so March's 200.00 comes back.
    received(runtime, provider, "2025-04", total=1_000_000, self_pay=150_000, fund=700_000,
             received_on=date(2025, 5, 6))
    settled = client.post(f"/api/providers/settlements/{settlement}/settle", headers=admin,
                          json={"settled_on": "2025-04-30"})
    assert settled.status_code == 200 and settled.json["overdue"] is False
    reckoned = client.post(f"/api/providers/{provider}/year-end", headers=admin, json={"year": 2025})
    assert reckoned.status_code == 201, reckoned.json
    assert reckoned.json == {"year": 2025, "total_cost_fen": 2_000_000, "self_pay_fen": 370_000,
                             "cap_percent": 20, "deducted_fen": 20_000, "kept_fen": 0, "returned_fen": 20_000}
    assert client.post(f"/api/providers/{provider}/year-end", headers=admin,
                       json={"year": 2025}).status_code == 409
    this_year = today_in_china().year
    assert client.post(f"/api/providers/{provider}/year-end", headers=admin,
                       json={"year": this_year}).status_code == 400  # not ended yet
    # The desk shows the same, in Chinese by default and in English.
    factories.login(client, "auditor")
    page = client.get(f"/providers/{provider}").get_data(as_text=True)
    assert "自费比例年终结算" in page and "¥5,699.50" in page and "重复收取检查费" in page
    page = client.get(f"/providers/{provider}?lang=en").get_data(as_text=True)
    assert "Year-end reckoning of the self-pay cap" in page and "(≤ 20 %)" in page
    # April's settlement was never paid: overdue on the audit desk; March's was paid in time.
    board = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert 'id="provider-settlements-due"' in board and 'data-month="2025-04"' in board
    assert 'data-month="2025-03"' not in board
    with runtime.sessions() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("provider.%"))))
    assert {"provider.deduction", "provider.settled",
            "provider.year_end"} <= actions


def test_the_year_end_assessment_returns_or_forfeits_the_deposit(client, runtime, admin, users):
    sheet = {"outpatient": 18, "inpatient": 20, "information": 12, "quality": 15, "costs": 8, "publicity": 9}
    good = add(client, admin, deposit="50000").json
    poor = add(client, admin, name="镇卫生院", level="township", type="health_centre",
               uscc=credit_code(12), insurance_code=None, deposit="20000").json
    assert good["deposit_fen"] == 5_000_000 and good["deposit_status"] == "held"
    url = "/api/providers/{}/assessments"
    mid = client.post(url.format(good["id"]), headers=admin,
                      json={"year": 2025, "period": "mid_year", "scores": sheet, "assessed_on": "2025-07-10"})
    assert mid.status_code == 201 and mid.json["score"] == 82 and mid.json["deposit_outcome"] is None
    before = counts(runtime)
    wrong = client.post(url.format(good["id"]), headers=admin,
                        json={"year": 2025, "period": "year_end", "scores": {**sheet, "costs": 11}})
    assert wrong.status_code == 400 and "costs" in wrong.json["message"] and counts(runtime) == before
    passed = client.post(url.format(good["id"]), headers=admin,
                         json={"year": 2025, "period": "year_end", "scores": sheet,
                               "assessed_on": "2025-12-28"})
    assert passed.json["deposit_outcome"] == "returned" and passed.json["assessor"] == "User admin"
    failed = client.post(url.format(poor["id"]), headers=admin, json={
        "year": 2025, "period": "year_end", "scores": {k: v // 2 for k, v in sheet.items()}})
    assert failed.json["score"] == 40 and failed.json["deposit_outcome"] == "forfeited"
    shown = client.get(f"/api/providers/{poor['id']}", headers=admin).json
    assert shown["deposit_status"] == "forfeited" and shown["assessments"][0]["score"] == 40
    assert client.post(url.format(good["id"]), headers=admin, json={
        "year": 2025, "period": "year_end", "scores": sheet}).status_code == 409


def test_renewal_reminders_on_the_admin_and_audit_desks(client, runtime, users, admin):
    clerk = claim_api.headers(runtime, users["intake_clerk"])
    today = today_in_china()
    agreement_case = archive_agreement(client, clerk, HOSPITAL, date(today.year - 1, 1, 1),
                                       today + timedelta(days=45))
    archive_agreement(client, clerk, "县中医院", date(today.year - 1, 1, 1), today + timedelta(days=200))
    provider = add(client, admin).json["id"]
    add(client, admin, name="县中医院", uscc=credit_code(13), insurance_code="H2")
    shown = client.get(f"/api/providers/{provider}", headers=admin).json
    assert shown["agreements"][0]["case_no"] == agreement_case and shown["in_force"] is True
    assert shown["days_left"] == 45 and shown["reminder"] == 60
    reminders = client.get("/api/providers/reminders", headers=admin).json["reminders"]
    assert [(r["name"], r["stage"]) for r in reminders] == [(HOSPITAL, 60)]  # 县中医院: 200 days off

    for role in ("admin", "auditor", "audit_chief"):
        factories.login(client, role)
        page = client.get("/dashboard?lang=en").get_data(as_text=True)
        assert 'id="provider-reminders"' in page and HOSPITAL in page and "45 days left" in page, role
    for role in ("intake_clerk", "reviewer"):  # the reviewer sees the register, keeps no desk of it
        factories.login(client, role)
        assert 'id="provider-reminders"' not in client.get("/dashboard").get_data(as_text=True), role
    factories.login(client, "auditor")
    page = client.get(f"/providers/{provider}?lang=en").get_data(as_text=True)
    assert agreement_case in page and "45 days left" in page
    # An agreement filed as audit material (grade 3): a reviewer reads the register, not the case.
    with runtime.sessions.begin() as session:
        set_record_class(session, agreement_case, actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
    reviewer = claim_api.headers(runtime, users["reviewer"])
    [agreement] = client.get(f"/api/providers/{provider}", headers=reviewer).json["agreements"]
    assert agreement["case_no"] is None and agreement["document_id"] is None
    assert agreement["valid_to"] == (today + timedelta(days=45)).isoformat()
    factories.login(client, "reviewer")
    assert agreement_case not in client.get(f"/providers/{provider}").get_data(as_text=True)
    # The renewal archived: no reminder any more, in force on the old one.
    archive_agreement(client, clerk, HOSPITAL, today + timedelta(days=46), today + timedelta(days=46 + 365))
    assert client.get("/api/providers/reminders", headers=admin).json["reminders"] == []
    shown = client.get(f"/api/providers/{provider}", headers=admin).json
    assert shown["in_force"] is True and shown["reminder"] is None and len(shown["agreements"]) == 2


def test_a_claim_treated_while_the_provider_was_suspended_is_blocked(client, runtime, desk, admin):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    archive_agreement(client, clerk, HOSPITAL, date(2026, 1, 1), date(2026, 12, 31))
    provider = add(client, admin).json["id"]
    case_no = inpatient_claim(client, clerk, "0081239001", date(2026, 3, 5), date(2026, 3, 8),
                              designated_provider=True, filed_by="insured")
    assert not {"agreement_suspended", "agreement_expired"} & set(findings(client, clerk, case_no))
    # The audit that found it: suspended from 6 March, within the stay (not its first or last day).
    auditor = claim_api.headers(runtime, desk["auditor"])
    refused = client.post(f"/api/providers/{provider}/sanctions", headers=auditor, json={
        "kind": "suspension", "starts_on": "2026-03-06", "description": "虚假住院"})
    assert refused.status_code == 400  # a suspension says until when
    made = client.post(f"/api/providers/{provider}/sanctions", headers=auditor, json={
        "kind": "suspension", "starts_on": "2026-03-06", "ends_on": "2026-03-07",
        "description": "虚假住院，暂停协议", "case_no": case_no})
    assert made.status_code == 201, made.json
    assert made.json["case_no"] == case_no
    found = blocks_until_resolved(client, runtime, desk, case_no, {"agreement_suspended"})
    assert "2026-03-06" in found["agreement_suspended"]["message"]
    assert "agreement_expired" not in found
    # A warning stops nothing.
    other = inpatient_claim(client, clerk, "0081239002", date(2026, 4, 5), date(2026, 4, 8),
                            designated_provider=True, filed_by="insured")
    client.post(f"/api/providers/{provider}/sanctions", headers=auditor, json={
        "kind": "warning", "starts_on": "2026-04-06", "description": "书面告诫"})
    assert "agreement_suspended" not in findings(client, clerk, other)


def test_the_register_pages_say_a_bad_value_beside_its_field_and_keep_it(client, runtime, admin):
    """Issue 20, point 14: each form of the register's pages, refused, comes back on its page
    (422) with what was typed and the reason beside the field, in the page's language."""
    provider = add(client, admin).json["id"]
    settlement = received(runtime, provider, "2025-03", total=1_000_000, self_pay=220_000, fund=600_000,
                          received_on=date(2025, 4, 3))
    factories.login(client, "admin")
    page = client.get(f"/providers/{provider}").get_data(as_text=True)
    token = factories.csrf_from(page)

    def refused(path, field, words, **data):
        response = client.post(path, data={"csrf_token": token, **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (path, response.status_code)
        after = html.split(f'id="{field}-error"', 1)
        assert len(after) == 2 and words in after[1].split("</p>")[0], (path, field)
        return html

    base = f"/providers/{provider}"
    html = refused(f"{base}/deposit?lang=en", "amount", "amount in yuan", amount="五千")
    assert 'value="五千"' in html and "amount:" not in html
    refused(f"{base}/deposit?lang=zh_CN", "amount", "金额", amount="五千")
    html = refused(f"/providers/settlements/{settlement}/deductions?lang=en", "amount", "amount",
                   amount="12.345", reason="重复收取检查费")
    assert 'value="重复收取检查费"' in html
    # The service's own refusal (more than the month pays), beside the amount too.
    refused(f"/providers/settlements/{settlement}/deductions?lang=zh_CN", "amount", "审扣",
            amount="6000", reason="超出")
    html = refused(f"{base}/settlements?lang=en", "month", "YYYY-MM", month="2025/03", claimed="1,000元")
    assert 'value="1,000元"' in html
    refused(f"{base}/year-end?lang=zh_CN", "year", "四位数", year="二〇二五")
    refused(f"{base}/sanctions?lang=en", "description", "Fill in", kind="warning", starts_on="2025-05-01")
    refused(f"{base}/aliases?lang=zh_CN", "alias", "请填写", alias="")
    html = client.post("/providers?lang=en", data={
        "csrf_token": token, "name": "另一家医院", "level": "county", "type": "hospital", "uscc": USCC[:-1],
        "deposit": "￥5,000元"}).get_data(as_text=True)
    assert 'id="uscc-error"' in html and 'value="￥5,000元"' in html and 'id="deposit-error"' not in html

    good = client.post(f"/providers/settlements/{settlement}/deductions",
                       data={"csrf_token": token, "amount": "１００.５０元", "reason": "重复收取检查费"})
    assert good.status_code == 302
    assert client.get(f"/api/providers/{provider}", headers=admin).json["settlements"][0][
        "payable_fen"] == 580_000 - 10_050
