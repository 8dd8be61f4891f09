"""A claim is matched to its registered provider on the strongest evidence its invoice carries,
not on the name exactly as printed: the stamp's （章） after the name, an alias, the seller's tax
id. A hospital that fits several providers, or none, is a finding, never a silent pass of the
suspension check."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import uscc

from archive.models import Case, Provider
from archive.providers import add_alias, record_sanction, register_provider
from archive.signoff import Conflict
from archive.workflows import findings_of
from tests import factories
from tests.e2e.claim_api import inpatient_invoice
from tests.integration.test_provider_register import agreement_pdf

HOSPITAL = "福州市第一医院"  # as registered; claim_api's invoice prints it


def code(n: int) -> str:
    body = f"12350100MB{n:07d}"
    return body + uscc.calc_check_digit(body)


def stay_claim(rt, desk, printed: str) -> str:
    """A stay from 5 to 8 March 2026 whose invoice's payee is printed `printed`, typed on the
    case as printed (the reading leaves out a payee it cannot take, such as one with a stamp)."""
    clerk = desk["intake_clerk"]
    claim = factories.make_case(rt, clerk, claimant_id_number="110101195710282613", hospital=printed)
    scan = inpatient_invoice(admitted=date(2026, 3, 5), discharged=date(2026, 3, 8), hospital=printed)
    factories.upload(rt, clerk, claim, scan, kind="invoice")
    return claim


def codes_found(rt, claim: str) -> dict:
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == claim))
        return {f.code: f for f in findings_of(session, case)}


def test_the_stamp_after_the_name_is_the_registered_provider_and_its_suspension_is_caught(rt, desk):
    admin, auditor = desk["admin"], desk["auditor"]
    with rt.sessions.begin() as session:
        provider = register_provider(session, session.merge(admin), name=HOSPITAL, level="city",
                                     kind="hospital", uscc=code(31)).id
        record_sanction(session, session.merge(auditor), provider, kind="suspension",
                        starts_on="2026-03-06", ends_on="2026-03-06", description="虚假住院")
    claim = stay_claim(rt, desk, f"{HOSPITAL}（章）")
    found = codes_found(rt, claim)
    assert found["agreement_suspended"].severity == "error"
    assert "provider_unregistered" not in found


def test_an_alias_or_the_sellers_tax_id_matches_and_an_unknown_name_is_shown(rt, desk):
    admin, auditor = desk["admin"], desk["auditor"]
    with rt.sessions.begin() as session:
        provider = register_provider(session, session.merge(admin), name=HOSPITAL, level="city",
                                     kind="hospital", uscc=code(32)).id
        record_sanction(session, session.merge(auditor), provider, kind="suspension",
                        starts_on="2026-03-06", ends_on="2026-03-06", description="虚假住院")
    claim = stay_claim(rt, desk, "福州一院")
    unknown = codes_found(rt, claim)
    assert "agreement_suspended" not in unknown
    assert unknown["provider_unregistered"].severity == "warning"  # shown, not passed in silence
    with rt.sessions.begin() as session:
        add_alias(session, session.merge(admin), provider, alias="福州 一院")
        # Another provider cannot take the name: claims under it could not be told apart.
        with pytest.raises(Conflict):
            register_provider(session, session.merge(admin), name="福州一院（章）", level="city",
                              kind="hospital", uscc=code(33))
    assert "agreement_suspended" in codes_found(rt, claim)


def test_a_hospital_fitting_two_providers_is_a_blocking_finding(rt, desk):
    with rt.sessions.begin() as session:
        # Registered before names were compared normalised: the same name, brackets apart.
        session.add_all(Provider(name=name, level="city", kind="hospital", uscc=code(n), deposit_fen=0,
                                 deposit_status="none", created_by_name="旧登记")
                        for n, name in ((34, "福州市第一医院(东院)"), (35, "福州市第一医院（东院）")))
    claim = stay_claim(rt, desk, "福州市第一医院（东院）")
    found = codes_found(rt, claim)
    assert found["provider_ambiguous"].severity == "error"
    assert "福州市第一医院(东院)" in found["provider_ambiguous"].message
    assert "agreement_suspended" not in found


def test_an_agreement_expired_before_a_stay_whose_payee_carries_the_stamp_blocks(rt, desk):
    """The reading leaves out a payee printed with its stamp: the case's hospital stands in, so
    the expired agreement is still found."""
    clerk = desk["intake_clerk"]
    agreement_case = factories.make_case(rt, clerk, claimant_name=HOSPITAL, claim_type="other")
    factories.upload(rt, clerk, agreement_case, agreement_pdf(date(2025, 1, 1), date(2025, 12, 31)),
                     kind="agreement")
    found = codes_found(rt, stay_claim(rt, desk, f"{HOSPITAL}（章）"))
    assert found["agreement_expired"].severity == "error"
    assert "2025-12-31" in found["agreement_expired"].message
