"""The re-check queue and the publication list over HTTP: pages (zh_CN / en), CSV, JSON API, roles."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest

from archive.signoff.months import month_bounds
from archive.signoff.workdays import today_in_china
from archive.workflows.spot_draws import draw_cases
from tests import factories
from tests.integration.test_workflow_oversight import move_approval


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def paid_case(runtime, desk, **fields) -> str:
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", documents=("invoice",), **fields)
    factories.walk(runtime, desk, case_no)
    return case_no


def test_the_publication_page_and_csv(client, runtime, desk):
    # Paid as approved: outpatient 30 %, at most 90.00 a year (storage_config/policy.toml):
    # 1,200.50 → 90.00, 99.50 → 29.85.
    paid_case(runtime, desk, amount="1200.50", township="城关镇", village="东关村")
    paid_case(runtime, desk, amount="99.50", township="=HYPERLINK(1)", village="西街村")
    month = today_in_china().strftime("%Y-%m")

    factories.login(client, "reviewer")
    assert client.get("/publication").status_code == 403
    assert client.get("/publication.csv").status_code == 403

    factories.login(client, "finance_chief")
    page = client.get(f"/publication?month={month}").get_data(as_text=True)
    assert f"医保支付公示（{month}）" in page and "东关村" in page and "¥90.00" in page
    assert "合计" in page and "¥119.85" in page and "&lt;" not in page
    english = client.get("/publication?lang=en").get_data(as_text=True)
    assert f"Publication list of payouts, {month}" in english and "Subtotal" in english
    response = client.get(f"/publication.csv?month={month}&lang=zh_CN")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"publication-{month}.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff月份,乡镇,村,支付件数,支付金额（元）\r\n")
    assert f"{month},城关镇,东关村,1,90.00" in text
    assert f"{month},'=HYPERLINK(1),西街村,1,29.85" in text  # no formula in a spreadsheet
    assert f"{month},合计,,2,119.85" in text
    bad = client.get("/publication?month=2026-13")
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_data(as_text=True)
    assert "暂无" in client.get("/publication?month=2020-01").get_data(as_text=True)

    token = factories.api_token(runtime, desk["accountant"])
    listed = client.get(f"/api/publication?month={month}", headers={"Authorization": f"Bearer {token}"}).json
    assert (listed["payouts"], listed["amount"]) == (2, "119.85")
    assert listed["townships"][1]["villages"] == [{"village": "东关村", "payouts": 1, "amount": "90.00"}]


MONTH = "2026-10"  # a closed month: its cases are drawn


def approved_in_closed_month(runtime, case_nos) -> None:
    move_approval(runtime, case_nos, ("window_intake",), month_bounds(MONTH)[0] + timedelta(days=3))


def test_the_recheck_queue_page_and_api(client, runtime, desk):
    made = [paid_case(runtime, desk, amount="50") for _ in range(5)]
    approved_in_closed_month(runtime, made)
    token = factories.api_token(runtime, desk["auditor"])
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get(f"/api/spot-checks?month={MONTH}", headers=headers).json
    assert listed["month"] == MONTH and listed["closed"]
    seed = listed["commitment"]["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == listed["commitment"]["seed_sha256"]
    drawn = draw_cases(seed, MONTH, "sporadic_claim", 0.25, made)  # recomputed by the test
    assert [item["case_no"] for item in listed["items"]] == drawn and len(drawn) == 2  # ceil(25 % × 5)
    assert {g["group"]: (g["approved"], g["quota"], g["drawn"]) for g in listed["groups"]}[
        "sporadic_claim"] == (5, 2, 2)
    one = client.get(f"/api/spot-checks/{made[0]}", headers=headers).json
    assert one["seed"] == seed and one["drawn"] == (made[0] in drawn) and len(one["rank"]) == 64
    verified = client.get(f"/api/spot-checks/verify?month={MONTH}", headers=headers).json
    assert verified["ok"] and verified["late_commitment"]  # nobody committed October in time here
    current = client.get("/api/spot-checks", headers=headers).json
    assert not current["closed"] and current["commitment"]["seed"] is None  # open: hash only
    assert client.get("/api/spot-checks?month=May", headers=headers).status_code == 400
    reviewer = factories.api_token(runtime, desk["reviewer"])
    assert client.get("/api/spot-checks", headers={"Authorization": f"Bearer {reviewer}"}).status_code == 403

    factories.login(client, "auditor")
    page = client.get(f"/spot-checks?month={MONTH}").get_data(as_text=True)
    assert "抽查复核" in page and "零星报销" in page and "25 %" in page and seed in page
    for case_no in made:
        assert (f'href="/cases/{case_no}"' in page) == (case_no in drawn)
    assert current["commitment"]["seed_sha256"] in client.get("/spot-checks").get_data(as_text=True)
    assert "抽查复核" in client.get("/queue").get_data(as_text=True)  # linked from the work queue
    factories.login(client, "cashier")
    assert client.get("/spot-checks").status_code == 403
    assert "抽查复核" not in client.get("/queue").get_data(as_text=True)


def test_the_village_comes_from_the_form_and_the_api_and_is_signed_once_set(client, runtime, desk):
    from sqlalchemy import select

    from archive.models import Case
    from archive.workflows.content import case_content

    token = factories.api_token(runtime, desk["intake_clerk"])
    created = client.post("/api/cases", headers={"Authorization": f"Bearer {token}"}, json={
        "claimant_name": "王芳", "claim_type": "outpatient", "township": "城关镇", "village": "东关村"})
    assert created.status_code == 201
    factories.login(client, "intake_clerk")
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'name="village"' in page
    response = client.post("/cases/new", data={
        "csrf_token": factories.csrf_from(page), "claimant_name": "李雷", "claim_type": "outpatient",
        "township": "白河乡"})
    without = response.headers["Location"].rsplit("/", 1)[1]
    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == created.json["case_no"]))
        assert (case.township, case.village) == ("城关镇", "东关村")
        assert case_content(session, case)["fields"]["village"] == "东关村"
        # A case without a village hashes as before the field existed: older signatures still match.
        other = session.scalar(select(Case).where(Case.case_no == without))
        assert other.village is None and "village" not in case_content(session, other)["fields"]


def test_a_recheck_finding_from_the_page_the_api_and_the_cli(client, runtime, desk, environ):
    month = MONTH
    made = [paid_case(runtime, desk, amount="50") for _ in range(3)]
    approved_in_closed_month(runtime, made)
    token = factories.api_token(runtime, desk["auditor"])
    listed = client.get(f"/api/spot-checks?month={MONTH}", headers={"Authorization": f"Bearer {token}"})
    [case_no] = [item["case_no"] for item in listed.json["items"]]  # ceil(25 % × 3) = 1

    factories.login(client, "auditor")
    page = client.get(f"/spot-checks?month={MONTH}").get_data(as_text=True)
    assert "尚未复核" in page and f'action="/spot-checks/{case_no}/outcome"' in page
    assert client.post(f"/spot-checks/{case_no}/outcome", data={"outcome": "confirmed"}).status_code == 400
    token = factories.csrf_from(page)
    done = client.post(f"/spot-checks/{case_no}/outcome", data={"csrf_token": token, "outcome": "confirmed"})
    assert done.status_code == 302 and f"month={month}" in done.headers["Location"]
    page = client.get(f"/spot-checks?month={MONTH}").get_data(as_text=True)
    assert 'data-outcome="confirmed"' in page and "复核无误" in page
    refused = client.post(f"/spot-checks/{case_no}/outcome",
                          data={"csrf_token": token, "outcome": "discrepancy", "note": ""})
    assert refused.status_code == 422 and "请说明" in refused.get_data(as_text=True)

    # An auditor who did not sign it (the audit chief signs every 外报 now).
    headers = {"Authorization": f"Bearer {factories.api_token(runtime, desk['second_auditor'])}"}
    posted = client.post(f"/api/spot-checks/{case_no}/outcome", headers=headers,
                         json={"outcome": "discrepancy", "note": "<script>x</script>", "difference": "30"})
    assert posted.status_code == 201
    assert (posted.json["outcome"], posted.json["difference"], posted.json["month"]) == (
        "discrepancy", "30.00", month)
    assert posted.json["follow_ups"] == [  # overpaid 30.00: its recovery is opened
        {"kind": "recovery", "recheck": posted.json["follow_ups"][0]["recheck"], "amount": "30.00",
         "audit_case_no": None}]
    listed = client.get(f"/api/spot-checks?month={MONTH}", headers=headers).json["items"]
    assert next(i for i in listed if i["case_no"] == case_no)["recheck"]["note"] == "<script>x</script>"
    page = client.get(f"/spot-checks?month={MONTH}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert 'data-kind="recovery"' in page and "30.00" in page
    reviewer = {"Authorization": f"Bearer {factories.api_token(runtime, desk['reviewer'])}"}
    assert client.post(f"/api/spot-checks/{case_no}/outcome", headers=reviewer,
                       json={"outcome": "confirmed"}).status_code == 403

    env = {**os.environ, **environ}
    cli = factories.archive(env, "recheck", case_no, "--user", desk["auditor"].username,
                            "--outcome", "confirmed", "--note", "复核无误")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == f"{case_no}: re-check for {month} recorded (confirmed)"
    refused = factories.archive(env, "recheck", next(c for c in made if c != case_no),
                                "--user", desk["auditor"].username, "--outcome", "confirmed")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr


def test_phone_follow_ups_from_the_page_the_api_and_the_cli(client, runtime, desk, environ):
    paid = []
    for _ in range(2):
        case_no = factories.start_claim(runtime, desk, claim_type="inpatient", amount="900")
        factories.walk(runtime, desk, case_no)
        paid.append(case_no)
    move_approval(runtime, paid, ("payment",), month_bounds(MONTH)[0] + timedelta(days=3))
    headers = {"Authorization": f"Bearer {factories.api_token(runtime, desk['auditor'])}"}
    listed = client.get(f"/api/phone-follow-ups?month={MONTH}", headers=headers).json
    assert (listed["eligible"], listed["quota"], listed["share"]) == (2, 1, "0.02")
    [case_no] = [item["case_no"] for item in listed["items"]]

    factories.login(client, "auditor")
    page = client.get(f"/follow-ups?month={MONTH}").get_data(as_text=True)
    assert f'action="/follow-ups/{case_no}"' in page and 'data-outcome="pending"' in page
    done = client.post(f"/follow-ups/{case_no}", data={
        "csrf_token": factories.csrf_from(page), "month": MONTH, "outcome": "not_reached"})
    assert done.status_code == 302
    assert 'data-outcome="not_reached"' in client.get(f"/follow-ups?month={MONTH}").get_data(as_text=True)
    posted = client.post(f"/api/phone-follow-ups/{case_no}", headers=headers,
                         json={"month": MONTH, "outcome": "discrepancy"})
    assert posted.status_code == 422 and posted.json["error"]
    posted = client.post(f"/api/phone-follow-ups/{case_no}", headers=headers,
                         json={"month": MONTH, "outcome": "confirmed", "note": "本人确认"})
    assert posted.status_code == 201 and posted.json["outcome"] == "confirmed"
    reviewer = {"Authorization": f"Bearer {factories.api_token(runtime, desk['reviewer'])}"}
    assert client.post(f"/api/phone-follow-ups/{case_no}", headers=reviewer,
                       json={"month": MONTH, "outcome": "confirmed"}).status_code == 403

    env = {**os.environ, **environ}
    cli = factories.archive(env, "follow-up", case_no, "--month", MONTH, "--user", desk["auditor"].username,
                            "--outcome", "confirmed", "--note", "再次确认")
    assert cli.returncode == 0, cli.stderr
    shown = factories.archive(env, "follow-ups", "--month", MONTH, "--user", desk["auditor"].username)
    assert f"{case_no}" in shown.stdout and "confirmed" in shown.stdout
    with runtime.sessions() as session:
        from sqlalchemy import select

        from archive.models import AuditEvent
        events = session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "phone_follow_up.recorded")).all()
    assert [e["outcome"] for e in events] == ["not_reached", "confirmed", "confirmed"]
    assert [e["channel"] for e in events] == ["web", "api", "cli"]
