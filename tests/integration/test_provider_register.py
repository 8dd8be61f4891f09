"""The provider register on SQLite and PostgreSQL: a provider's agreement is the archived
document as read and as corrected (a corrected end date moves the renewal reminder), a
suspension overlapping a stay is a blocking finding of the claim, and what was found against a
provider cannot be rewritten."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from stdnum.cn import uscc

from archive.demo import documents as gen
from archive.intake.field_corrections import correct_field
from archive.models import Case, ProviderSanction
from archive.providers import get_provider, record_sanction, register_provider, renewal_reminders, validity
from archive.signoff.workdays import today_in_china
from archive.workflows import findings_of
from tests import factories
from tests.e2e.claim_api import inpatient_invoice

HOSPITAL = "福州市第一医院"  # the hospital claim_api's inpatient invoice names


def agreement_pdf(valid_from: date, valid_to: date) -> bytes:
    lines = ["协议编号：XY-2026-0077", "甲方：县医疗保障事务中心", f"乙方：{HOSPITAL}",
             f"有效期：{valid_from.year}年{valid_from.month}月{valid_from.day}日至"
             f"{valid_to.year}年{valid_to.month}月{valid_to.day}日", "签订日期：2025年12月20日"]
    return gen._pdf([lines], "定点医疗机构服务协议")


def test_validity_follows_the_agreement_as_corrected_and_a_suspension_blocks(rt, desk):
    today = today_in_china()
    clerk, admin, auditor = desk["intake_clerk"], desk["admin"], desk["auditor"]
    agreement_case = factories.make_case(rt, clerk, claimant_name=HOSPITAL, claim_type="other")
    scan = agreement_pdf(date(2026, 1, 1), today + timedelta(days=25))
    document = factories.upload(rt, clerk, agreement_case, scan, kind="agreement").document_id
    body = "12350100MB0000031"
    with rt.sessions.begin() as session:
        provider = register_provider(session, session.merge(admin), name=HOSPITAL, level="city",
                                     kind="hospital", uscc=body + uscc.calc_check_digit(body)).id
    with rt.sessions() as session:
        shown = validity(session, get_provider(session, session.merge(admin), provider))
        assert (shown.valid_to, shown.reminder, shown.in_force) == (today + timedelta(days=25), 30, True)
        assert [r.stage for r in renewal_reminders(session, session.merge(auditor))] == [30]
    # Read wrong: the paper says a later end. The register follows the correction.
    with rt.sessions.begin() as session:
        correct_field(session, document, actor=session.merge(desk["reviewer"]), field="valid_to",
                      value=(today + timedelta(days=45)).isoformat(), reason="按原件更正")
    with rt.sessions() as session:
        reminders = renewal_reminders(session, session.merge(auditor))
        assert [(r.days_left, r.stage) for r in reminders] == [(45, 60)]

    person = "110101195710282613"
    claim = factories.make_case(rt, clerk, claimant_id_number=person, hospital=HOSPITAL)
    invoice = inpatient_invoice(admitted=date(2026, 3, 5), discharged=date(2026, 3, 8))
    factories.upload(rt, clerk, claim, invoice, kind="invoice")
    with rt.sessions.begin() as session:
        record_sanction(session, session.merge(auditor), provider, kind="suspension", starts_on="2026-03-06",
                        ends_on="2026-03-06", description="虚假住院", case_no=claim)
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == claim))
        found = {f.code: f for f in findings_of(session, case)}
        assert found["agreement_suspended"].severity == "error"
        assert "2026-03-06" in found["agreement_suspended"].message

    with rt.sessions() as session, pytest.raises(PermissionError):
        session.scalars(select(ProviderSanction)).one().description = "改写"
        session.flush()
