"""一日清单 for every inpatient claim on every chain, through the API: sent on only with daily
statements read as such (not as filed), signed, and covering the stay; refused with 422 and
what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.e2e.claim_api import claim, headers, inpatient_invoice, statement, submit


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


# --- 一日清单 on every chain -------------------------------------------------------------------

def test_inpatient_claim_without_statements_is_refused_on_the_out_of_network_chain(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice")])
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"] == "incomplete" and "未提供住院费用一日清单" in refused.json["message"]
    assert factories.workflow_state(runtime, case_no) == {"case": "intake"}  # nothing started


def test_an_unsigned_statement_is_refused(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"),
                                    (statement(signed=False), "daily_statement")])
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422 and "缺少患者或家属签字：2026-03-05" in refused.json["message"]


def test_an_invoice_uploaded_as_a_daily_statement_does_not_count(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"),
                                    (factories.invoice_pdf(seed=5), "daily_statement")])
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422
    assert "识别结果不是一日清单" in refused.json["message"] and "未提供" in refused.json["message"]


def test_one_days_statement_for_a_five_day_stay_is_refused(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    stay = inpatient_invoice(admitted=date(2026, 3, 5), discharged=date(2026, 3, 10))
    case_no = claim(client, clerk, [(stay, "invoice"), (statement(days=1), "daily_statement")])
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422
    missing = "未覆盖住院日：缺少 2026-03-06、2026-03-07、2026-03-08、2026-03-09（共 4 天）"
    assert missing in refused.json["message"]

    # The whole stay (five nights, 5–9 March) is accepted, on the 外报 chain's first step.
    whole = claim(client, clerk, [(stay, "invoice"), (statement(days=5), "daily_statement")])
    sent = submit(client, clerk, whole)
    assert sent.status_code == 201, sent.json
    assert (sent.json["chain"], sent.json["step"]) == ("window_intake", "completeness")


def test_a_gap_between_statements_is_refused_when_the_stay_is_unknown(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"),
                                    (statement(start=date(2026, 3, 5)), "daily_statement"),
                                    (statement(start=date(2026, 3, 7)), "daily_statement")])
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422 and "缺少 2026-03-06" in refused.json["message"]


def test_the_window_intake_chain_refuses_them_too(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    case_no = claim(client, clerk, [(inpatient_invoice(), "invoice"),
                                    (statement(signed=False), "daily_statement")],
                    designated_provider=True, filed_by="insured")
    refused = submit(client, clerk, case_no)
    assert refused.status_code == 422 and "签字" in refused.json["message"]


