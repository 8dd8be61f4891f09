"""A provider's monthly settlement (内报) computed from its claims, not typed: the month's
provider-filed claims at that provider, with the figures their invoices and the policy give; the
self-pay cap checked on those figures and the excess deducted; the provider's own figure checked
against the computed one, a difference holding settling until explained; the due list. And the
register's record changed with a reason, old and new values in the trail."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from archive.amounts import yuan_to_fen
from archive.demo import documents as gen
from archive.models import AuditEvent, Provider, ProviderSettlement, ProviderSettlementFinding
from archive.ocr.normalize import amount_to_capital
from tests import factories
from tests.e2e import claim_api
from tests.e2e.test_providers_http import USCC, add, credit_code

HOSPITAL = "县人民医院"


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


@pytest.fixture
def admin(runtime, desk):
    return claim_api.headers(runtime, desk["admin"])


def bill(number: str, total: str, self_funded: str, *, issued: date, hospital: str = HOSPITAL,
         admitted: date | None = None, discharged: date | None = None) -> bytes:
    """An invoice whose total and 个人自费 are known: the ground truth of the settlement."""
    total_d, own = Decimal(total), Decimal(self_funded)
    fund = (total_d * Decimal("0.6")).quantize(Decimal("0.01"))
    split = {"统筹基金支付": fund, "个人账户支付": Decimal("0.00"), "个人自付": total_d - fund - own,
             "个人自费": own}
    stay = [f"{label}：{d.year}年{d.month}月{d.day}日"
            for label, d in (("入院日期", admitted), ("出院日期", discharged)) if d]
    lines = ["住院" if admitted else "门诊", f"票据代码：35010126    票据号码：{number}",
             f"交款人：张伟    收款单位：{hospital}", *stay,
             f"开票日期：{issued.year}年{issued.month}月{issued.day}日", f"西药费    {total_d:,.2f}",
             f"合计（小写）：￥{total_d:,.2f}", f"合计（大写）：{amount_to_capital(f'{total_d:.2f}')}",
             "    ".join(f"{label}：{value:.2f}" for label, value in split.items())]
    return gen._pdf([lines], "医疗收费票据")


def provider_claim(client, clerk, content: bytes, *, claim_type: str = "outpatient",
                   filed_by: str = "provider", hospital: str = HOSPITAL) -> str:
    made = client.post("/api/cases", headers=clerk, json={
        "claimant_name": "张伟", "claim_type": claim_type, "filed_by": filed_by, "hospital": hospital,
        "designated_provider": True})
    assert made.status_code == 201, made.json
    sent = client.post(f"/api/cases/{made.json['case_no']}/documents", headers=clerk, data={
        "kind": "invoice", "files": [(io.BytesIO(content), "invoice.pdf")]},
        content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    return made.json["case_no"]


def approved_fen(client, headers, case_no: str) -> int:
    """The fund's share the case itself shows (its computation under the policy)."""
    shown = client.get(f"/api/cases/{case_no}/computation", headers=headers).json
    assert shown["claimed_from"] == "documents", shown
    return yuan_to_fen(shown["approved"])


def counts(runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count(model.id)))
                     for model in (ProviderSettlement, ProviderSettlementFinding, AuditEvent))


def test_a_month_is_computed_from_its_claims_and_a_differing_figure_blocks_settling(client, runtime, desk,
                                                                                     admin):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    provider = add(client, admin, name=HOSPITAL).json["id"]
    # March 2026 at a county hospital (cap 20 %): two visits and a stay discharged on 2 March.
    march = [provider_claim(client, clerk, bill("0091000001", "1000.00", "300.00", issued=date(2026, 3, 4))),
             provider_claim(client, clerk, bill("0091000002", "600.00", "100.00", issued=date(2026, 3, 20))),
             provider_claim(client, clerk, bill("0091000003", "2400.00", "400.00", issued=date(2026, 3, 2),
                                                admitted=date(2026, 2, 25), discharged=date(2026, 3, 2)),
                            claim_type="inpatient")]
    # Not March's: the insured's own claim (外报), another provider's, April's care.
    provider_claim(client, clerk, bill("0091000004", "999.00", "0", issued=date(2026, 3, 5)),
                   filed_by="insured")
    provider_claim(client, clerk, bill("0091000005", "888.00", "0", issued=date(2026, 3, 6),
                                       hospital="县中医院"), hospital="县中医院")
    provider_claim(client, clerk, bill("0091000006", "777.00", "0", issued=date(2026, 4, 1)))
    fund = sum(approved_fen(client, clerk, case_no) for case_no in march)
    assert fund > 0

    url = f"/api/providers/{provider}/settlements"
    # Nothing filed for January: nothing to compute, nothing written.
    before = counts(runtime)
    empty = client.post(url, headers=admin, json={"month": "2026-01", "claimed": "100",
                                                  "received_on": "2026-02-03"})
    assert empty.status_code == 422 and "2026-01" in empty.json["message"]
    assert counts(runtime) == before
    # The old typed figures are not taken any more: only the provider's own claim is.
    assert client.post(url, headers=admin, json={"month": "2026-03", "total_cost": "1", "self_pay": "0",
                                                  "claimed": "1"}).status_code == 400
    assert counts(runtime) == before

    submitted = fund + 12_345  # the provider's figure is 123.45 yuan too high
    received = client.post(url, headers=admin, json={
        "month": "2026-03", "claimed": f"{Decimal(submitted) / 100:.2f}", "received_on": "2026-04-03"})
    assert received.status_code == 201, received.json
    shown = received.json
    # The ground truth of the invoices: 4,000.00 spent, 800.00 self-funded = exactly 20 %: no excess.
    assert shown["total_cost_fen"] == 400_000 and shown["self_pay_fen"] == 80_000
    assert shown["computed_fen"] == fund and shown["claimed_fen"] == submitted
    assert sorted(c["case_no"] for c in shown["claims"]) == sorted(march)
    assert shown["cap_percent"] == 20 and shown["cap_deduction_fen"] == 0
    assert shown["payable_fen"] == fund  # paid on the computed figure, never the typed one
    assert shown["blocked"] is True
    [finding] = shown["findings"]
    assert finding["code"] == "claimed_mismatch" and finding["submitted_fen"] == submitted
    assert finding["computed_fen"] == fund

    # Settling waits for the explanation: the refusal says why and writes nothing.
    settle = f"/api/providers/settlements/{shown['id']}/settle"
    before = counts(runtime)
    refused = client.post(settle, headers=admin, json={"settled_on": "2026-04-20"})
    assert refused.status_code == 422 and refused.json["error"] == "unresolved_findings"
    assert counts(runtime) == before
    resolve = f"/api/providers/settlements/findings/{finding['id']}/resolve"
    assert client.post(resolve, headers=admin, json={"explanation": ""}).status_code == 422
    reviewer = claim_api.headers(runtime, desk["reviewer"])
    assert client.post(resolve, headers=reviewer, json={"explanation": "核对"}).status_code == 403
    assert counts(runtime)[:2] == before[:2]  # (the refused attempt is itself in the trail)
    explained = client.post(resolve, headers=admin,
                            json={"explanation": "医院重复计入一笔门诊费用，已同意按核算数结算"})
    assert explained.status_code == 201 and explained.json["resolved_by"] == "User admin"
    assert client.post(resolve, headers=admin, json={"explanation": "again"}).status_code == 409
    paid = client.post(settle, headers=admin, json={"settled_on": "2026-04-20"})
    assert paid.status_code == 200 and paid.json["payable_fen"] == fund and paid.json["blocked"] is False
    late = client.post(f"/api/providers/settlements/{shown['id']}/deductions", headers=admin,
                       json={"amount": "10.00", "reason": "事后审扣"})
    assert late.status_code == 409  # what was paid stays what was paid
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "provider.settlement_received")).one()
        assert event.details["computed_fen"] == fund and event.details["findings"] == ["claimed_mismatch"]
        resolved = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "provider.settlement_finding_resolved")).one()
        assert resolved.details["submitted_fen"] == submitted


def test_the_self_pay_cap_is_checked_on_the_claims_and_the_due_list(client, runtime, desk, admin):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    provider = add(client, admin, name="镇卫生院", level="township", type="health_centre",
                   uscc=credit_code(21), insurance_code=None).json["id"]
    # A township health centre (cap 16 %): 1,000.00 spent, 250.00 self-funded, 90.00 over the cap.
    cases = [provider_claim(client, clerk, bill("0092000001", "600.00", "200.00", issued=date(2026, 5, 6),
                                                hospital="镇卫生院"), hospital="镇卫生院"),
             provider_claim(client, clerk, bill("0092000002", "400.00", "50.00", issued=date(2026, 5, 18),
                                                hospital="镇卫生院"), hospital="镇卫生院")]
    fund = sum(approved_fen(client, clerk, case_no) for case_no in cases)
    made = client.post(f"/api/providers/{provider}/settlements", headers=admin, json={
        "month": "2026-05", "claimed": f"{Decimal(fund) / 100:.2f}", "received_on": "2026-06-01"})
    assert made.status_code == 201, made.json
    assert made.json["findings"] == [] and made.json["blocked"] is False  # the figures agree
    assert made.json["cap_percent"] == 16 and made.json["cap_deduction_fen"] == 9_000
    assert made.json["payable_fen"] == fund - 9_000
    # 20 working days after 1 June 2026: 端午 (19 June) is a holiday.
    assert made.json["due_on"] == "2026-06-30"
    due = client.get("/api/providers/settlements/due", headers=admin).json["settlements"]
    assert [(d["provider"], d["month"], d["overdue"]) for d in due] == [("镇卫生院", "2026-05", True)]
    factories.login(client, "auditor")
    page = client.get("/providers/settlements/due?lang=en").get_data(as_text=True)
    assert 'data-month="2026-05"' in page and "镇卫生院" in page and "overdue" in page
    page = client.get(f"/providers/{provider}?lang=zh_CN").get_data(as_text=True)
    assert "核算的基金支付" in page and cases[0] in page


def test_a_provider_record_is_changed_with_a_reason_and_the_old_values_kept(client, runtime, desk, admin):
    provider = add(client, admin).json["id"]
    url = f"/api/providers/{provider}"
    new_code = credit_code(31)
    wrong = new_code[:-1] + ("0" if new_code[-1] != "0" else "1")
    assert client.patch(url, headers=admin, json={"uscc": wrong, "reason": "换证"}).status_code == 400
    assert client.patch(url, headers=admin, json={"level": "capital", "reason": "升级"}).status_code == 400
    assert client.patch(url, headers=admin, json={"township": "新镇"}).status_code == 422  # no reason
    unchanged = client.patch(url, headers=admin, json={"uscc": USCC, "reason": "同"})
    assert unchanged.status_code == 400
    other = add(client, admin, name="县中医院", uscc=credit_code(32), insurance_code="H9").json["id"]
    assert client.patch(f"/api/providers/{other}", headers=admin,
                        json={"insurance_code": "H34012300001", "reason": "录错"}).status_code == 409
    reviewer = claim_api.headers(runtime, desk["reviewer"])
    assert client.patch(url, headers=reviewer, json={"township": "新镇", "reason": "x"}).status_code == 403
    with runtime.sessions() as session:  # nothing changed by the refusals
        edits = select(func.count(AuditEvent.id)).where(AuditEvent.action == "provider.edited")
        assert session.scalar(edits) == 0
        assert session.get(Provider, provider).uscc == USCC
    changed = client.patch(url, headers=admin, json={"uscc": new_code, "level": "city", "insurance_code": "",
                                                     "reason": "换发新证，升为市级"})
    assert changed.status_code == 200, changed.json
    assert changed.json["uscc"] == new_code and changed.json["level"] == "city"
    assert changed.json["insurance_code"] is None and changed.json["name"] == HOSPITAL
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "provider.edited")).one()
        assert event.details["reason"] == "换发新证，升为市级"
        assert event.details["changes"] == {"uscc": {"old": USCC, "new": new_code},
                                            "level": {"old": "county", "new": "city"},
                                            "insurance_code": {"old": "H34012300001", "new": None}}

    # The desk: the form with its errors beside the fields, nothing changed on an error.
    factories.login(client, "admin")
    page = client.get(f"/providers/{provider}/edit?lang=en").get_data(as_text=True)
    assert 'id="provider-edit"' in page and new_code in page
    answer = client.post(f"/providers/{provider}/edit?lang=en", data={
        "csrf_token": factories.csrf_from(page), "name": HOSPITAL, "level": "city", "type": "hospital",
        "uscc": wrong, "insurance_code": "", "township": "城关镇", "reason": ""})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="uscc-error"' in shown and "checksum" in shown.lower() and 'id="reason-error"' in shown
    with runtime.sessions() as session:
        assert session.get(Provider, provider).uscc == new_code
    answer = client.post(f"/providers/{provider}/edit", data={
        "csrf_token": factories.csrf_from(page), "name": HOSPITAL, "level": "city", "type": "hospital",
        "uscc": new_code, "insurance_code": "", "township": "新城镇", "reason": "乡镇合并"})
    assert answer.status_code == 302
    with runtime.sessions() as session:
        assert session.get(Provider, provider).township == "新城镇"
    factories.login(client, "reviewer")
    assert client.get(f"/providers/{provider}/edit").status_code == 403


def test_a_claim_with_nothing_computed_is_not_counted_and_holds_the_month(client, runtime, desk, admin):
    """The policy has no 2025 table: a claim of May 2025 has its invoice read but no fund share.
    It is listed, counted for nothing, and a finding holds the month until explained."""
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    provider = add(client, admin, name=HOSPITAL).json["id"]
    case_no = provider_claim(client, clerk, bill("0096000001", "500.00", "50.00", issued=date(2025, 5, 9)))
    made = client.post(f"/api/providers/{provider}/settlements", headers=admin, json={
        "month": "2025-05", "claimed": "300.00", "received_on": "2025-06-03"})
    assert made.status_code == 201, made.json
    assert made.json["computed_fen"] == made.json["total_cost_fen"] == made.json["payable_fen"] == 0
    assert [c["case_no"] for c in made.json["claims"]] == [case_no]
    assert made.json["claims"][0]["fund_fen"] is None
    found = {f["code"]: f for f in made.json["findings"]}
    assert set(found) == {"claim_not_computed", "claimed_mismatch"}
    assert found["claim_not_computed"]["case_no"] == case_no
    settle = f"/api/providers/settlements/{made.json['id']}/settle"
    for code in ("claim_not_computed", "claimed_mismatch"):
        refused = client.post(settle, headers=admin, json={"settled_on": "2025-06-20"})
        assert refused.status_code == 422 and refused.json["error"] == "unresolved_findings"
        explained = client.post(f"/api/providers/settlements/findings/{found[code]['id']}/resolve",
                                headers=admin, json={"explanation": "2025 年度方案未录入，暂不支付"})
        assert explained.status_code == 201
    assert client.post(settle, headers=admin, json={"settled_on": "2025-06-20"}).status_code == 200


def test_a_settlements_claims_are_named_only_to_who_may_see_the_case(client, runtime, desk, admin):
    """The month's figures are the same for every reader; the case numbers behind them are shown
    only where the reader may open the case (its scope and grade: archive.access)."""
    from archive.providers import settlement_json

    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    provider = add(client, admin, name=HOSPITAL).json["id"]
    case_no = provider_claim(client, clerk, bill("0093000001", "1000.00", "300.00", issued=date(2026, 3, 4)))
    fund = approved_fen(client, clerk, case_no)
    made = client.post(f"/api/providers/{provider}/settlements", headers=admin, json={
        "month": "2026-03", "claimed": f"{Decimal(fund) / 100:.2f}", "received_on": "2026-04-03"})
    assert made.status_code == 201 and [c["case_no"] for c in made.json["claims"]] == [case_no]
    outsider = factories.make_user(runtime, "township_officer", "u_township_reader")  # no township set
    with runtime.sessions() as session:
        settlement = session.get(ProviderSettlement, made.json["id"])
        shown = settlement_json(session, settlement, session.merge(outsider))
    assert [c["case_no"] for c in shown["claims"]] == [None]
    assert shown["computed_fen"] == fund == made.json["computed_fen"]


def test_a_claim_printing_the_stamp_counts_and_one_fitting_two_providers_holds_the_month(client, runtime,
                                                                                          desk, admin):
    """The invoice prints 「县人民医院（章）」 (the reading leaves such a payee out; the case has it as
    printed): the claim is the register's 县人民医院's. A claim whose hospital fits two providers is
    not counted but shown, holding the month until explained."""
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    provider = add(client, admin, name=HOSPITAL).json["id"]
    stamped = f"{HOSPITAL}（章）"
    july = provider_claim(client, clerk, bill("0097000001", "1000.00", "100.00", issued=date(2026, 7, 6),
                                              hospital=stamped), hospital=stamped)
    fund = approved_fen(client, clerk, july)
    made = client.post(f"/api/providers/{provider}/settlements", headers=admin, json={
        "month": "2026-07", "claimed": f"{Decimal(fund) / 100:.2f}", "received_on": "2026-08-03"})
    assert made.status_code == 201, made.json
    assert [c["case_no"] for c in made.json["claims"]] == [july] and made.json["findings"] == []
    assert made.json["total_cost_fen"] == 100_000

    with runtime.sessions.begin() as session:  # registered before names were compared normalised
        session.add(Provider(name="县人民医院 ", level="county", kind="hospital", uscc=credit_code(41),
                             deposit_fen=0, deposit_status="none", created_by_name="旧登记"))
    august = provider_claim(client, clerk, bill("0097000002", "500.00", "0", issued=date(2026, 8, 6)))
    made = client.post(f"/api/providers/{provider}/settlements", headers=admin, json={
        "month": "2026-08", "claimed": "0.00", "received_on": "2026-09-01"})
    assert made.status_code == 201, made.json
    assert made.json["claims"] == [] and made.json["blocked"] is True
    found = [(f["code"], f["case_no"]) for f in made.json["findings"]]
    assert found == [("claim_provider_ambiguous", august)]
    factories.login(client, "auditor")
    page = client.get(f"/providers/{provider}?lang=en").get_data(as_text=True)
    assert 'data-finding="claim_provider_ambiguous"' in page and "fits this provider and another" in page


def test_a_manager_adds_a_name_the_invoices_print_and_a_clash_is_refused(client, runtime, desk, admin):
    provider = add(client, admin, name=HOSPITAL).json["id"]
    other = add(client, admin, name="县中医院", uscc=credit_code(42), insurance_code="H42").json["id"]
    url = f"/api/providers/{provider}/aliases"
    reviewer = claim_api.headers(runtime, desk["reviewer"])
    assert client.post(url, headers=reviewer, json={"alias": "县医院"}).status_code == 403
    made = client.post(url, headers=admin, json={"alias": "县医院"})
    assert made.status_code == 201 and made.json["aliases"] == ["县医院"]
    assert client.post(url, headers=admin, json={"alias": f"{HOSPITAL}（章）"}).status_code == 400  # its name
    taken = client.post(f"/api/providers/{other}/aliases", headers=admin, json={"alias": "县 医院"})
    assert taken.status_code == 409 and HOSPITAL in taken.json["message"]
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "provider.alias_added")).one()
        assert event.details["alias"] == "县医院"
    factories.login(client, "auditor")
    page = client.get(f"/providers/{provider}?lang=en").get_data(as_text=True)
    assert 'id="aliases"' in page and "县医院" in page
