"""The notice side of the fund (公示): posted publications with a posting period and masked
lines, the objection register that holds a payment, and the quarterly fund report.

Public API — other packages use only these names.
"""

from archive.notices.fund import FundReport, fund_report, fund_report_csv, income_entries, record_income
from archive.notices.objections import (
    close_objection,
    objection_json,
    objections,
    record_objection,
    refuse_held_payment,
)
from archive.notices.posting import (
    create_publication,
    get_publication,
    line_json,
    mask_id,
    mask_name,
    min_posting_days,
    publication_json,
    publication_notice_csv,
    publications,
)

__all__ = [
    "FundReport",
    "close_objection",
    "create_publication",
    "fund_report",
    "fund_report_csv",
    "get_publication",
    "income_entries",
    "line_json",
    "mask_id",
    "mask_name",
    "min_posting_days",
    "objection_json",
    "objections",
    "publication_json",
    "publication_notice_csv",
    "publications",
    "record_income",
    "record_objection",
    "refuse_held_payment",
]
