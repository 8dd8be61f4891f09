"""外报 and 内报 differ by who files the claim (seed 000), not by whether the hospital is
designated (issue 18): a claim the insured files after paying takes the patient-filed chain —
seed 002's window (completeness, investigation or phone check by threshold, time limits) and
seed 000's four gates — wherever they were treated; a designated provider's instant settlement
takes the 内报 chain; who files an in-county claim at a designated hospital is never guessed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import Case, WorkflowInstance
from archive.signoff.workdays import calendar, today_in_china
from tests import factories
from tests.e2e.claim_api import claim, headers, inpatient_invoice, statement, submit

FOUR_GATES = ["window_intake:initial_review", "window_intake:audit_chief",
              "window_intake:finance_chief", "window_intake:director"]
DESIGNATED_IN_COUNTY = {"designated_provider": True, "out_of_county": False,
                        "hospital": factories.HOSPITAL}
# The hospital a case counts is the one its documents name (archive.signoff.hospitals).
HOME_BILL = {"hospital": factories.HOSPITAL}


def large_inpatient_invoice() -> bytes:
    """An inpatient bill of 25,000.00 yuan (over the 20,000 threshold of seed 002)."""
    lines = ["住院", "票据代码：35010126    票据号码：0089990001", "交款人：张伟    收款单位：省立医院",
             "开票日期：2026年3月10日", "床位费    25000.00", "合计（小写）：￥25000.00",
             "合计（大写）：贰万伍仟元整"]
    return gen._pdf([lines], "医疗收费票据")


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def chain_of(client, auth, case_no: str) -> dict:
    shown = client.get(f"/api/cases/{case_no}/workflow", headers=auth)
    assert shown.status_code == 200, shown.json
    return shown.json["chains"][0]


def test_a_patient_filed_inpatient_claim_at_a_designated_county_hospital_is_外报(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    files = [(inpatient_invoice(**HOME_BILL), "invoice"), (statement(), "daily_statement")]
    case_no = claim(client, clerk, files, filed_by="insured", **DESIGNATED_IN_COUNTY)
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json
    assert (sent.json["chain"], sent.json["step"]) == ("window_intake", "completeness")
    steps = [step["id"] for step in chain_of(client, clerk, case_no)["steps"]]
    assert steps[0] == "completeness" and "phone_verification" in steps and "trauma_investigation" in steps
    signed = factories.walk(runtime, desk, case_no, until="cashier_entry")
    assert signed == ["window_intake:completeness", "window_intake:initial_review",
                      "window_intake:re_review", *FOUR_GATES[1:]]
    assert [s for s in signed if s in FOUR_GATES] == FOUR_GATES  # the four gates, in order


def test_the_window_checks_hold_for_a_patient_filed_claim_without_its_statements(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice")], filed_by="insured",
                    **DESIGNATED_IN_COUNTY)
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422 and "一日清单" in refused.json["message"]


def test_a_large_out_of_county_claim_is_phone_checked_before_the_gates_within_7_days(client, runtime, desk):
    """Designated or not, out of county: the insured files it, so seed 002's threshold check
    and time limit apply; before, a non-designated claim went through the four gates only."""
    clerk = headers(runtime, desk["intake_clerk"])
    files = [(large_inpatient_invoice(), "invoice"), (statement(), "daily_statement")]
    case_no = claim(client, clerk, files, designated_provider=False, out_of_county=True,
                    amount="25000")
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json
    assert sent.json["chain"] == "window_intake"
    signed = factories.walk(runtime, desk, case_no, until="initial_review")
    assert signed == ["window_intake:completeness", "window_intake:phone_verification"]
    chain = chain_of(client, clerk, case_no)
    assert [s["id"] for s in chain["steps"]][-3:] == ["audit_chief", "finance_chief", "director"]
    with runtime.sessions() as session:
        run = session.scalar(select(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
                             .where(Case.case_no == case_no))
        assert run.chain_due_on == calendar().add(today_in_china(run.started_at), 7).on


def test_a_providers_instant_settlement_is_内报(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    files = [(inpatient_invoice(**HOME_BILL), "invoice"), (statement(), "daily_statement")]
    case_no = claim(client, clerk, files, filed_by="provider", **DESIGNATED_IN_COUNTY)
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json
    assert (sent.json["chain"], sent.json["step"]) == ("in_network", "hospital_clerk")
    # The hospital's own settlement clerk (scoped to it) signs the first level.
    hospital = headers(runtime, desk["hospital_clerk"])
    signed = client.post(f"/api/cases/{case_no}/decision", headers=hospital, json={
        "decision": "approve", "opinion": "核对无误。", "expected_version": sent.json["version"]})
    assert signed.status_code == 200, signed.json
    assert signed.json["step"] == "unit_officer"


def test_who_files_is_asked_for_not_guessed(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    files = [(inpatient_invoice(), "invoice"), (statement(), "daily_statement")]
    case_no = claim(client, clerk, files, **DESIGNATED_IN_COUNTY)  # nobody said who files it
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422, refused.json
    assert "申报方" in refused.json["message"]
    assert factories.workflow_state(runtime, case_no) == {"case": "intake"}
    filled = client.patch(f"/api/cases/{case_no}", headers=clerk,
                          json={"filed_by": "insured", "reason": "参保人窗口申报"})
    assert filled.status_code == 200, filled.json
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201 and sent.json["chain"] == "window_intake"


def test_a_settlement_is_filed_by_the_provider_without_saying_so(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(factories.invoice_pdf(seed=41), "invoice")],
                    claim_type="settlement", **DESIGNATED_IN_COUNTY)
    sent = submit(client, clerk, case_no)
    assert sent.status_code == 201, sent.json
    assert sent.json["chain"] == "in_network"
    bad = client.post("/api/cases", headers=clerk, json={"claimant_name": "张伟", "claim_type": "inpatient",
                                                         "filed_by": "hospital"})
    assert bad.status_code == 400 and bad.json["error"] == "invalid_case"


def test_a_providers_claim_names_its_hospital_or_nobody_could_sign_it(client, runtime, desk):
    """The 内报 chain's first level is the hospital's own clerk, who sees that hospital's cases
    only: a case that does not say which hospital is not sent there to wait forever."""
    clerk = headers(runtime, desk["intake_clerk"])
    # A settlement whose bill names no hospital, and none typed.
    case_no = claim(client, clerk, [(inpatient_invoice(hospital=None), "invoice")],
                    claim_type="settlement", designated_provider=True)
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422 and "就诊医院" in refused.json["message"], refused.json
    assert factories.workflow_state(runtime, case_no) == {"case": "intake"}
    # The documents naming it are enough: nobody need type it (the hospital read counts).
    named = claim(client, clerk, [(inpatient_invoice(**HOME_BILL), "invoice")],
                  claim_type="settlement", designated_provider=True)
    sent = submit(client, clerk, named)
    assert sent.status_code == 201 and sent.json["step"] == "hospital_clerk", sent.json
