"""The payment flags through the API, one scenario each: the same invoice by its QR, stays of one
person that overlap, a re-admission to the same hospital (分解住院), claims more frequent than
the configured rate, daily statements that bill bed-only days (挂床), items off the catalogue or
under another class (串换) and wrong sums, a provider out of agreement. An ERROR finding names the
other case, blocks the next sign-off until the signer the case waits for resolves it with a
reason, and then the sign-off goes through."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest

from archive.demo import documents as gen
from archive.workflows import claim_flags
from archive.workflows.flag_settings import flag_settings
from tests import factories
from tests.e2e import claim_api
from tests.fixtures.einvoices import vat_invoice_pdf

PERSON = "110101195710282613"  # 张伟's ID number on every claim: one person
HOSPITAL = "县人民医院"


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def invoice(number: str, *, admitted: date | None = None, discharged: date | None = None,
            hospital: str = HOSPITAL, issued: date = date(2026, 3, 10)) -> bytes:
    """An invoice of 张伟 with its own number: inpatient with a stay when `admitted` is given."""
    stay = [f"{label}：{d.year}年{d.month}月{d.day}日"
            for label, d in (("入院日期", admitted), ("出院日期", discharged)) if d]
    lines = ["住院" if admitted else "门诊", f"票据代码：35010126    票据号码：{number}",
             f"交款人：张伟    收款单位：{hospital}", *stay,
             f"开票日期：{issued.year}年{issued.month}月{issued.day}日", "床位费    500.00",
             "合计（小写）：￥500.00", "合计（大写）：伍佰元整"]
    return gen._pdf([lines], "医疗收费票据")


def statement_pdf(days: list[tuple[date, list[tuple[str, str, str, str, str, str]]]]) -> bytes:
    """A signed daily statement of 张伟, one page a day: (day, [(name, spec, price, quantity,
    amount, class)])."""
    pages = []
    for on, items in days:
        total = sum(float(amount) for _n, _s, _p, _q, amount, _c in items)
        pages.append(["姓名：张伟    住院号：123456", f"医院：{HOSPITAL}    科室：内科",
                      f"日期：{on.isoformat()}", "项目    规格    单价    数量    金额    类别",
                      *("    ".join(item) for item in items), f"当日合计：{total:.2f}",
                      "患者或家属签字：张伟"])
    return gen._pdf(pages, "住院费用一日清单")


def inpatient_claim(client, clerk, number: str, admitted: date, discharged: date, **fields) -> str:
    nights = (discharged - admitted).days
    files = [(invoice(number, admitted=admitted, discharged=discharged, hospital=fields.pop(
        "hospital", HOSPITAL)), "invoice"),
             (claim_api.statement(days=nights, start=admitted), "daily_statement")]
    case_no = claim_api.claim(client, clerk, files, claimant_id_number=PERSON, **fields)
    submitted = claim_api.submit(client, clerk, case_no)
    assert submitted.status_code == 201, submitted.json
    return case_no


def decide(client, runtime, desk, case_no: str):
    """The decision of the person the case waits for, through the API."""
    _chain, step, role = factories.active_step(runtime, case_no)
    user = claim_api.headers(runtime, desk[factories.SECOND_SIGNER.get(step, role)])
    chains = client.get(f"/api/cases/{case_no}/workflow", headers=user).json["chains"]
    version = next(c["version"] for c in chains if c["status"] == "active")
    return client.post(f"/api/cases/{case_no}/decision", headers=user, json={
        "decision": "approve", "opinion": "同意。", "expected_version": version,
        "findings": factories.FINDINGS.get(step, {})}), user


def findings(client, headers, case_no: str) -> dict[str, dict]:
    shown = client.get(f"/api/cases/{case_no}/findings", headers=headers).json["findings"]
    return {f["code"]: f for f in shown}


def blocks_until_resolved(client, runtime, desk, case_no: str, codes: set[str]) -> dict[str, dict]:
    """The next sign-off is refused naming each ERROR of `codes`; resolved with a reason, it goes."""
    refused, user = decide(client, runtime, desk, case_no)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"] == "unresolved_findings"
    found = findings(client, user, case_no)
    for code in codes:
        assert code in refused.json["message"], (code, refused.json["message"])
        assert found[code]["severity"] == "error" and found[code]["blocking"]
    step = factories.active_step(runtime, case_no)
    for finding in client.get(f"/api/cases/{case_no}/findings", headers=user).json["findings"]:
        if finding["blocking"]:
            resolved = client.post(f"/api/cases/{case_no}/findings/resolve", headers=user, json={
                "finding": finding["id"], "reason": "已与医院核实，情况属实"})
            assert resolved.status_code == 201, resolved.json
    assert factories.active_step(runtime, case_no) == step  # nothing was signed meanwhile
    passed, _user = decide(client, runtime, desk, case_no)
    assert passed.status_code == 200, passed.json
    return found


def test_the_same_qr_in_another_case_is_the_same_invoice(client, runtime, desk):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    bill = "https://pjcy.example.gov.cn/verify?code=35010126&number=0081230001&check=8a7c21"
    printed = ["发票号码：12235358", "开票日期：2026年03月10日", "购买方名称：张伟",
               "销售方名称：县人民医院大药房", "价税合计（大写）：伍佰圆整  （小写）：¥500.00"]
    # The same e-bill printed twice, one print's number altered: only the QR still says so.
    altered = [line.replace("12235358", "12235359") for line in printed]
    cases = []
    for lines in (printed, altered):
        case_no = claim_api.claim(client, clerk, [(vat_invoice_pdf(lines, bill), "vat_invoice")],
                                  claim_type="outpatient", claimant_id_number=PERSON)
        sent = claim_api.submit(client, clerk, case_no)
        assert sent.status_code == 201, sent.json
        cases.append(case_no)
    found = blocks_until_resolved(client, runtime, desk, cases[1], {"duplicate_invoice"})
    assert found["duplicate_invoice"]["other_case"] == cases[0]
    assert "二维码" in found["duplicate_invoice"]["message"]


def test_overlapping_stays_of_one_person(client, runtime, desk):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    first = inpatient_claim(client, clerk, "0081230011", date(2026, 3, 5), date(2026, 3, 8))
    # In another hospital from the 7th: the night of the 7th is billed twice.
    second = inpatient_claim(client, clerk, "0081230012", date(2026, 3, 7), date(2026, 3, 9),
                             hospital="县中医院")
    found = blocks_until_resolved(client, runtime, desk, second, {"stay_overlap"})
    assert found["stay_overlap"]["other_case"] == first and "重叠" in found["stay_overlap"]["message"]
    assert "readmission" not in found


def test_readmission_to_the_same_hospital_within_the_configured_days(client, runtime, desk):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    first = inpatient_claim(client, clerk, "0081230021", date(2026, 3, 5), date(2026, 3, 8))
    second = inpatient_claim(client, clerk, "0081230022", date(2026, 3, 12), date(2026, 3, 14))
    found = blocks_until_resolved(client, runtime, desk, second, {"readmission"})
    assert found["readmission"]["other_case"] == first
    assert "4 天内再次入院" in found["readmission"]["message"] and "stay_overlap" not in found
    # A month later is no split stay.
    third = inpatient_claim(client, clerk, "0081230023", date(2026, 4, 20), date(2026, 4, 22))
    assert "readmission" not in findings(client, clerk, third)


def test_claims_more_frequent_than_the_configured_rate(client, runtime, desk, monkeypatch):
    settings = flag_settings()
    # The rate is configuration (storage_config/flags.toml); this agency allows two a month.
    monkeypatch.setattr(claim_flags, "flag_settings",
                        lambda: type(settings)(**{**settings.__dict__, "max_claims": 2}))
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    cases = []
    for n, day in enumerate((date(2026, 3, 2), date(2026, 3, 12), date(2026, 3, 25))):
        case_no = claim_api.claim(client, clerk, [(invoice(f"008123003{n}", issued=day), "invoice")],
                                  claim_type="outpatient", claimant_id_number=PERSON)
        sent = claim_api.submit(client, clerk, case_no)
        assert sent.status_code == 201, sent.json
        cases.append(case_no)
    found = findings(client, clerk, cases[2])
    assert found["claim_frequency"]["severity"] == "warning" and not found["claim_frequency"]["blocking"]
    message = found["claim_frequency"]["message"]
    assert "共 3 次报销" in message and cases[0] in message
    assert "claim_frequency" in findings(client, clerk, cases[0])  # either could be the one too many
    passed, _user = decide(client, runtime, desk, cases[2])  # a warning blocks nothing
    assert passed.status_code == 200, passed.json


def test_statement_items_bed_only_days_substitution_and_wrong_sums(client, runtime, desk):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    days = [
        (date(2026, 3, 5), [("床位费", "日", "50.00", "1", "50.00", "甲"),
                            ("血常规", "次", "25.00", "1", "25.00", "甲")]),
        (date(2026, 3, 6), [("床位费", "日", "50.00", "1", "50.00", "甲")]),  # 挂床
        (date(2026, 3, 7), [("床位费", "日", "50.00", "1", "50.00", "甲"),
                            ("营养针", "支", "80.00", "1", "80.00", "丙"),      # not on the catalogue
                            ("CT平扫", "次", "120.00", "1", "120.00", "甲"),    # 乙 billed as 甲: 串换
                            ("头孢呋辛钠", "0.75g", "12.50", "3", "40.00", "甲")]),  # 37.50 billed 40.00
    ]
    files = [(invoice("0081230041", admitted=date(2026, 3, 5), discharged=date(2026, 3, 8)), "invoice"),
             (statement_pdf(days), "daily_statement")]
    case_no = claim_api.claim(client, clerk, files, claimant_id_number=PERSON)
    assert claim_api.submit(client, clerk, case_no).status_code == 201
    found = blocks_until_resolved(client, runtime, desk, case_no,
                                  {"bed_only_day", "item_substituted", "item_amount"})
    assert "2026-03-06" in found["bed_only_day"]["message"]
    assert "CT平扫 按甲类收费（目录为乙类）" in found["item_substituted"]["message"]
    assert "清单金额 40.00" in found["item_amount"]["message"]
    off_list = found["not_on_catalogue"]
    assert off_list["severity"] == "warning" and "营养针" in off_list["message"]


def test_a_provider_whose_agreement_had_expired(client, runtime, desk):
    clerk = claim_api.headers(runtime, desk["intake_clerk"])
    lines = ["协议编号：XY-2025-0042", "甲方：县医疗保障事务中心", f"乙方：{HOSPITAL}",
             f"统一社会信用代码：{gen.credit_code(random.Random(3))}",
             "有效期：2025年1月1日至2025年12月31日", "签订日期：2024年12月20日"]
    made = client.post("/api/cases", headers=clerk, json={"claimant_name": HOSPITAL,
                                                          "claim_type": "other"})
    assert made.status_code == 201, made.json
    agreement_case = made.json["case_no"]
    sent = client.post(f"/api/cases/{agreement_case}/documents", headers=clerk, data={
        "kind": "agreement", "files": [(io.BytesIO(gen._pdf([lines], "定点医疗机构服务协议")), "协议.pdf")]},
        content_type="multipart/form-data")
    assert sent.status_code == 201, sent.json
    # Treated in March 2026 at a designated provider whose agreement ended with 2025.
    case_no = inpatient_claim(client, clerk, "0081230051", date(2026, 3, 5), date(2026, 3, 8),
                              designated_provider=True, filed_by="insured")
    found = blocks_until_resolved(client, runtime, desk, case_no, {"agreement_expired"})
    assert found["agreement_expired"]["other_case"] == agreement_case
    assert "2025-12-31" in found["agreement_expired"]["message"]
    # At a provider with no agreement archived: a warning only.
    other = inpatient_claim(client, clerk, "0081230052", date(2026, 5, 5), date(2026, 5, 7),
                            designated_provider=True, filed_by="insured", hospital="县中医院")
    assert findings(client, clerk, other)["agreement_missing"]["severity"] == "warning"
