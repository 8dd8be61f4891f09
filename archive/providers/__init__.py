"""The provider register (定点医疗机构管理; seeds 000, 002, 003): designated providers with their
agreements as archived, validity and renewal reminders, violations, warnings and suspensions,
assessments with the deposit, and monthly settlements (内报) with the self-pay cap and deductions.

Public API — other packages use only these names (archive.workflows.claim_flags also imports
archive.providers.flags, the register's part in a claim's flags).
"""

from archive.providers.assessments import lodge_deposit, record_assessment
from archive.providers.register import (
    add_alias,
    edit_provider,
    get_provider,
    providers,
    record_sanction,
    register_provider,
    renewal_reminders,
    validity,
)
from archive.providers.rules import assessment_sheet, register_settings
from archive.providers.settlements import (
    add_deduction,
    reckon_year,
    record_settlement,
    resolve_finding,
    settle,
    settlements_due,
)
from archive.providers.shown import (
    assessment_json,
    finding_json,
    provider_json,
    reminder_json,
    sanction_json,
    settlement_json,
    year_end_json,
)

__all__ = [
    "add_alias",
    "add_deduction",
    "assessment_json",
    "assessment_sheet",
    "edit_provider",
    "finding_json",
    "get_provider",
    "lodge_deposit",
    "provider_json",
    "providers",
    "reckon_year",
    "record_assessment",
    "record_sanction",
    "record_settlement",
    "register_provider",
    "register_settings",
    "reminder_json",
    "renewal_reminders",
    "resolve_finding",
    "sanction_json",
    "settle",
    "settlement_json",
    "settlements_due",
    "validity",
    "year_end_json",
]
