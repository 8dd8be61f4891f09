"""The retention schedule as shipped (the 2009 social-insurance archive rules) and as configured."""

from __future__ import annotations

from datetime import date

import pytest

from archive.retention import RetentionConfigError, load_schedule, retention_ends_on, schedule


def test_the_shipped_schedule_follows_the_2009_rules():
    plan = schedule()
    years = {c.code: c.retention_years for c in plan.classes}
    assert years == {"benefit_approval": 10, "payment_lists": 30, "annual_fund_summary": None,
                     "audit_materials": 30, "provider_agreement": 30}
    assert all(c.access_grade in plan.access_grades for c in plan.classes)
    assert [plan.retention_code(y) for y in (None, 30, 10, 15)] == ["Y", "D30", "D10", "D15"]


@pytest.mark.parametrize(("claim_type", "kinds", "expected"), [
    ("inpatient", ["invoice", "daily_statement"], "benefit_approval"),
    ("outpatient", [], "benefit_approval"),
    ("referral", ["referral"], "benefit_approval"),
    ("settlement", ["invoice"], "payment_lists"),
    ("settlement", ["agreement"], "provider_agreement"),
    ("other", ["agreement", "agreement"], "provider_agreement"),
    ("other", ["agreement", "invoice"], "benefit_approval"),
])
def test_a_case_is_classified_by_claim_type_and_documents(claim_type, kinds, expected):
    assert schedule().classify(claim_type, kinds).code == expected


def test_retention_counts_from_1_january_after_closing():
    assert retention_ends_on(date(2026, 1, 1), 10) == date(2037, 1, 1)
    assert retention_ends_on(date(2026, 12, 31), 10) == date(2037, 1, 1)
    assert retention_ends_on(date(2026, 6, 1), 30) == date(2057, 1, 1)
    assert retention_ends_on(date(2026, 6, 1), None) is None


def test_a_broken_schedule_is_refused_with_the_file_named(tmp_path):
    bad = tmp_path / "retention.toml"
    bad.write_text('[archive_number]\nfonds_code = "F1"\ndepartment_code = "X"\n'
                   '[[class]]\ncode = "a"\nretention_years = -1\nclaim_types = ["other"]\n',
                   encoding="utf-8")
    with pytest.raises(RetentionConfigError, match="retention.toml"):
        load_schedule(bad)
    bad.write_text('[archive_number]\nfonds_code = "F1"\n'
                   '[[class]]\ncode = "a"\nretention_years = 5\nclaim_types = ["other"]\n',
                   encoding="utf-8")
    with pytest.raises(RetentionConfigError, match="department_code"):
        load_schedule(bad)
    bad.write_text('[archive_number]\nfonds_code = "F9"\ndepartment_code = "X"\n'
                   '[disposition]\napprovals_required = 3\n'
                   '[[class]]\ncode = "a"\nretention_years = 5\nclaim_types = ["other"]\n',
                   encoding="utf-8")
    plan = load_schedule(bad)
    assert (plan.fonds_code, plan.approvals_required, plan.retention_code(5)) == ("F9", 3, "D5")
