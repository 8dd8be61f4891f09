"""The posted notice (公示) over HTTP: a posting period of at least 7 days, masked claimant lines,
a provider's settlement listed as such, the objection register holding a payment, and the
quarterly fund report with its CSV — and who may do each (issue 18, point 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive import create_app
from archive.models import AuditEvent
from archive.signoff.workdays import today_in_china
from tests import factories

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def on_both_databases(rt):
    """SQLite and PostgreSQL (the `rt` fixture): the runtime, a desk of users and a client."""
    return rt, factories.sign_off_desk(rt), create_app(rt).test_client()


def bearer(runtime, user) -> dict:
    return {"Authorization": f"Bearer {factories.api_token(runtime, user)}"}


def paid(runtime, desk, **fields) -> str:
    case_no = factories.start_claim(runtime, desk, documents=("invoice",), **fields)
    factories.walk(runtime, desk, case_no)
    return case_no


def period(days: int) -> dict:
    start = today_in_china()
    return {"posted_from": start.isoformat(), "posted_to": (start + timedelta(days=days - 1)).isoformat(),
            "posted_where": "城关镇政务公开栏、东关村村务公开栏"}


def actions(runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_notice_hangs_seven_days_with_masked_lines_and_a_provider_settlement_as_such(client, runtime,
                                                                                       desk):
    claimant = paid(runtime, desk, claim_type="outpatient", amount="1200.50", claimant_name="张小三",
                    claimant_id_number=ID_NUMBER, township="城关镇", village="东关村")
    provider = paid(runtime, desk, claim_type="settlement", amount="5000.00", claimant_name="城关镇卫生院",
                    township="城关镇", village="东关村")
    chief = bearer(runtime, desk["finance_chief"])
    month = today_in_china().strftime("%Y-%m")

    short = client.post("/api/publications", headers=chief, json={"month": month, **period(6)})
    assert short.status_code == 422 and "7" in short.json["message"] and "6" in short.json["message"]
    nowhere = client.post("/api/publications", headers=chief, json={"month": month, **period(7),
                                                                      "posted_where": " "})
    assert nowhere.status_code == 422
    assert "publication.created" not in actions(runtime)

    made = client.post("/api/publications", headers=chief, json={"month": month, **period(7)})
    assert made.status_code == 201, made.get_data(as_text=True)
    notice = made.json
    assert notice["days"] == 7 and notice["posted_where"].startswith("城关镇政务公开栏")
    lines = {line["kind"]: line for line in notice["lines"]}
    claimant_line, provider_line = lines["claimant"], lines["provider"]
    assert claimant_line["name"] == "张*三" and claimant_line["id_number_masked"] == "110105********002X"
    assert (lines["claimant"]["township"], lines["claimant"]["village"]) == ("城关镇", "东关村")
    assert lines["claimant"]["amount"] == "90.00" and lines["claimant"]["paid"] is True
    # The hospital's settlement is the hospital's: not a payout to the village it was opened under.
    assert lines["provider"]["name"] == "城关镇卫生院" and lines["provider"]["claim_type"] == "settlement"
    assert (provider_line["township"], provider_line["village"], provider_line["id_number_masked"]) == (
        None, None, None)
    assert lines["provider"]["amount"] == "5000.00"
    assert "publication.created" in actions(runtime)
    as_accountant = client.get(f"/api/publications/{notice['id']}",
                               headers=bearer(runtime, desk["accountant"]))
    assert as_accountant.json["lines"] == notice["lines"]  # masked once, the same for everyone

    factories.login(client, "finance_chief")  # may see full identifiers; the notice still masks them
    page = client.get(f"/publications/{notice['id']}").get_data(as_text=True)
    assert "张*三" in page and "张小三" not in page and ID_NUMBER not in page
    assert 'data-kind="provider"' in page and "定点医疗机构结算" in page and "城关镇卫生院" in page
    assert f"公示期：{notice['posted_from']} 至 {notice['posted_to']}（7 天）" in page
    form = client.get("/publications").get_data(as_text=True)
    short_form = client.post("/publications", data={"csrf_token": factories.csrf_from(form), "month": month,
                                                    **period(3)})
    assert short_form.status_code == 422 and "公示时间不少于 7 天" in short_form.get_data(as_text=True)
    sheet = client.get(f"/publications/{notice['id']}.csv?lang=zh_CN")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    text = sheet.get_data().decode("utf-8")
    assert text.startswith("\ufeff序号,类别,姓名/机构,身份证号,乡镇,村,报销类型,补偿金额（元）,支付情况\r\n")
    assert "1,参合人员补偿,张*三,110105********002X,城关镇,东关村,门诊,90.00,已支付" in text
    assert "2,定点医疗机构结算,城关镇卫生院,,,,定点机构结算,5000.00,已支付" in text
    assert claimant and provider


def test_an_open_objection_holds_the_payment_until_it_is_dismissed(rt):
    runtime, desk, client = on_both_databases(rt)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", documents=("invoice",),
                                    amount="99.50", claimant_name="李四", township="白河乡", village="西街村")
    factories.walk(runtime, desk, case_no, until="cashier_entry")  # approved, waiting to be paid
    chief = bearer(runtime, desk["finance_chief"])
    notice = client.post("/api/publications", headers=chief, json=period(10)).json
    line = notice["lines"][0]
    assert (line["name"], line["paid"], line["amount"]) == ("李*", False, "29.85")

    clerk = bearer(runtime, desk["intake_clerk"])
    assert client.post("/api/objections", headers=clerk, json={"line": line["line"], "raised_by": "王五"}
                       ).status_code == 422  # what the objection is, is required
    raised = client.post("/api/objections", headers=clerk, json={
        "line": line["line"], "raised_by": "王五（西街村村民）", "text": "李四当月未住院，疑为冒名报销。"})
    assert raised.status_code == 201, raised.get_data(as_text=True)
    objection = raised.json
    assert (objection["case_no"], objection["status"]) == (case_no, "open")

    cashier = bearer(runtime, desk["cashier"])
    findings = {**factories.FINDINGS["cashier_entry"], "voucher_number": f"ZF-{case_no}",
                "amount_paid": factories.approved_amount(runtime, case_no)}

    def pay():
        version = factories.workflow_state(runtime, case_no)["payment"]["version"]
        return client.post(f"/api/cases/{case_no}/decision", headers=cashier, json={
            "decision": "approve", "expected_version": version, "findings": findings})

    held = pay()
    assert held.status_code == 409, held.get_data(as_text=True)
    assert held.json["error"] == "conflict" and "暂停支付" in held.json["message"]
    assert f"异议 {objection['id']}" in held.json["message"]
    assert factories.active_step(runtime, case_no)[1] == "cashier_entry"

    accountant = bearer(runtime, desk["accountant"])
    assert client.post(f"/api/objections/{objection['id']}/close", headers=accountant,
                       json={"outcome": "dismissed", "reason": "x"}).status_code == 403
    chief_auditor = bearer(runtime, desk["audit_chief"])
    assert client.post(f"/api/objections/{objection['id']}/close", headers=chief_auditor,
                       json={"outcome": "dismissed"}).status_code == 422  # the reason is required
    closed = client.post(f"/api/objections/{objection['id']}/close", headers=chief_auditor, json={
        "outcome": "dismissed", "reason": "经电话核实及住院病历，李四确于当月在县医院住院。"})
    assert closed.status_code == 200 and closed.json["status"] == "dismissed"
    assert client.post(f"/api/objections/{objection['id']}/close", headers=chief_auditor, json={
        "outcome": "upheld", "reason": "again"}).status_code == 409

    assert pay().status_code == 200
    assert factories.active_step(runtime, case_no)[1] == "accountant_check"
    assert {"objection.recorded", "objection.closed"} <= set(actions(runtime))
    register = client.get(f"/api/objections?case={case_no}", headers=chief_auditor).json["objections"]
    assert [(o["raised_by"], o["status"], o["outcome_reason"][:6]) for o in register] == [
        ("王五（西街村村民）", "dismissed", "经电话核实及")]

    factories.login(client, "intake_clerk")
    page = client.get("/objections").get_data(as_text=True)
    assert "王五（西街村村民）" in page and "李四当月未住院" in page


def test_the_quarterly_fund_report_from_income_and_payments(rt):
    runtime, desk, client = on_both_databases(rt)
    this_year = today_in_china().year
    last_year = this_year - 1
    accountant = bearer(runtime, desk["accountant"])
    for day, amount, source in ((f"{last_year - 1}-06-01", "10000.00", "上年结转"),
                                (f"{last_year}-01-15", "100000.00", "个人缴费"),
                                (f"{last_year}-04-02", "50000.00", "中央财政补助"),
                                (f"{last_year}-05-10", "-2000.00", "个人缴费")):
        booked = client.post("/api/fund-income", headers=accountant, json={
            "received_on": day, "amount": amount, "source": source,
            **({"note": "冲销1月重复入账"} if amount.startswith("-") else {})})
        assert booked.status_code == 201, booked.get_data(as_text=True)
    no_note = client.post("/api/fund-income", headers=accountant, json={
        "received_on": f"{last_year}-05-10", "amount": "-1.00", "source": "个人缴费"})
    assert no_note.status_code == 422
    future = (today_in_china() + timedelta(days=1)).isoformat()
    assert client.post("/api/fund-income", headers=accountant, json={
        "received_on": future, "amount": "1.00", "source": "个人缴费"}).status_code == 422

    # Paid this year as approved: outpatient 30 %, at most 90.00 a year (storage_config/policy.toml):
    # 1,200.50 → 90.00 and 99.50 → 29.85; a provider's settlement is paid as settled, 5,000.00.
    paid(runtime, desk, claim_type="outpatient", amount="1200.50", claimant_name="张伟")
    paid(runtime, desk, claim_type="outpatient", amount="99.50", claimant_name="王芳")
    paid(runtime, desk, claim_type="settlement", amount="5000.00", claimant_name="城关镇卫生院")

    report = client.get(f"/api/fund-report?year={last_year}", headers=accountant).json
    assert [(q["opening"], q["income"], q["expense"], q["closing"]) for q in report["quarters"]] == [
        ("10000.00", "100000.00", "0.00", "110000.00"),
        ("110000.00", "48000.00", "0.00", "158000.00"),
        ("158000.00", "0.00", "0.00", "158000.00"),
        ("158000.00", "0.00", "0.00", "158000.00")]
    now = client.get("/api/fund-report", headers=accountant).json
    quarter = (today_in_china().month - 1) // 3
    row = now["quarters"][quarter]
    assert (row["expense_claimants"], row["expense_providers"], row["expense"]) == ("119.85", "5000.00",
                                                                                  "5119.85")
    assert now["quarters"][0]["opening"] == "158000.00" and now["closing"] == "152880.15"

    factories.login(client, "finance_chief")
    sheet = client.get(f"/fund-report.csv?year={this_year}&lang=zh_CN")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    assert f"fund-report-{this_year}.csv" in sheet.headers["Content-Disposition"]
    text = sheet.get_data().decode("utf-8")
    assert text.startswith("\ufeff季度,期初结余（元）,本期收入（元）,参合人员补偿支出（元）,"
                           "定点机构结算支出（元）,本期支出合计（元）,期末结余（元）\r\n")
    assert f"{this_year}-Q{quarter + 1},158000.00,0.00,119.85,5000.00,5119.85,152880.15\r\n" in text
    assert f"{this_year} 全年,158000.00,0.00,119.85,5000.00,5119.85,152880.15\r\n" in text
    page = client.get(f"/fund-report?year={last_year}").get_data(as_text=True)
    assert "¥158,000.00" in page and "冲销1月重复入账" in page
    assert "fund.income_recorded" in actions(runtime)


def test_who_may_post_object_decide_and_see_the_fund(client, runtime, desk):
    paid(runtime, desk, claim_type="outpatient", amount="99.50")
    for role in ("cashier", "accountant", "reviewer", "intake_clerk"):
        refused = client.post("/api/publications", headers=bearer(runtime, desk[role]), json=period(7))
        assert refused.status_code == 403, role
    notice = client.post("/api/publications", headers=bearer(runtime, desk["director"]), json=period(7))
    assert notice.status_code == 201
    line = notice.json["lines"][0]["line"]
    for role in ("cashier", "accountant", "reviewer"):
        assert client.post("/api/objections", headers=bearer(runtime, desk[role]), json={
            "line": line, "raised_by": "某人", "text": "有异议"}).status_code == 403, role
    for role in ("reviewer", "intake_clerk", "hospital_clerk", "village_officer"):
        assert client.get("/api/fund-report", headers=bearer(runtime, desk[role])).status_code == 403, role
    for role in ("cashier", "reviewer", "director"):
        assert client.post("/api/fund-income", headers=bearer(runtime, desk[role]), json={
            "received_on": "2026-01-01", "amount": "1.00", "source": "x"}).status_code == 403, role
    assert client.get("/api/fund-report", headers=bearer(runtime, desk["auditor"])).status_code == 200
    factories.login(client, "reviewer")
    assert client.get("/fund-report").status_code == 403
    assert client.get("/fund-report.csv").status_code == 403
    assert client.get("/publications").status_code == 403
    factories.login(client, "village_officer")
    assert client.get(f"/publications/{notice.json['id']}").status_code == 403


def test_the_monthly_payout_list_keeps_a_provider_settlement_out_of_the_villages(client, runtime, desk):
    paid(runtime, desk, claim_type="outpatient", amount="99.50", township="城关镇", village="东关村")
    paid(runtime, desk, claim_type="settlement", amount="5000.00", claimant_name="城关镇卫生院",
         township="城关镇", village="东关村")
    listed = client.get("/api/publication", headers=bearer(runtime, desk["accountant"])).json
    assert listed["townships"] == [{"township": "城关镇", "payouts": 1, "amount": "29.85", "villages": [
        {"village": "东关村", "payouts": 1, "amount": "29.85"}]}]
    assert listed["providers"] == [{"provider": "城关镇卫生院", "payouts": 1, "amount": "5000.00"}]
    assert (listed["payouts"], listed["amount"]) == (2, "5029.85")
    factories.login(client, "finance_chief")
    text = client.get("/publication.csv?lang=zh_CN").get_data().decode("utf-8")
    month = today_in_china().strftime("%Y-%m")
    assert f"{month},城关镇,东关村,1,29.85\r\n" in text
    assert f"{month},定点医疗机构结算,城关镇卫生院,1,5000.00\r\n" in text
    page = client.get("/publication").get_data(as_text=True)
    assert 'data-kind="provider"' in page and "城关镇卫生院" in page


def test_an_upheld_objection_holds_the_payment_until_the_claim_is_reviewed_again(client, runtime, desk):
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", documents=("invoice",),
                                    amount="99.50", claimant_name="李四")
    factories.walk(runtime, desk, case_no, until="cashier_entry")
    clerk, chief = bearer(runtime, desk["intake_clerk"]), bearer(runtime, desk["audit_chief"])
    objection = client.post("/api/objections", headers=clerk, json={
        "case_no": case_no, "raised_by": "王五", "text": "只花了九十元，多报了。"}).json
    assert client.post(f"/api/objections/{objection['id']}/close", headers=chief, json={
        "outcome": "upheld", "reason": "票据核实为90.00元"}).status_code == 200

    cashier = bearer(runtime, desk["cashier"])

    def pay():
        version = factories.workflow_state(runtime, case_no)["payment"]["version"]
        return client.post(f"/api/cases/{case_no}/decision", headers=cashier, json={
            "decision": "approve", "expected_version": version, "findings": {
                **factories.FINDINGS["cashier_entry"], "voucher_number": f"ZF-{case_no}",
                "amount_paid": factories.approved_amount(runtime, case_no)}})

    held = pay()
    assert held.status_code == 409 and "已认定成立（票据核实为90.00元）" in held.json["message"]
    factories.sign(runtime, desk["cashier"], case_no, decision="return", opinion="异议成立，退回补正",
                   missing=["更正申报金额"])
    corrected = client.patch(f"/api/cases/{case_no}", headers=clerk, json={"amount": "90.00",
                                                                           "reason": "按异议核实结果更正"})
    assert corrected.status_code == 200, corrected.get_data(as_text=True)
    # The correction reopened the claim chain (archive.workflows.changes): it is signed again.
    assert factories.workflow_state(runtime, case_no)["window_intake"]["status"] == "active"
    signed = factories.walk(runtime, desk, case_no, until="cashier_entry")
    assert signed and not signed[0].startswith("payment:")  # the claim was reviewed again
    assert pay().status_code == 200
