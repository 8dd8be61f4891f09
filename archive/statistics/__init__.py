"""Statistics (统计): the monthly report (一月一通报) and the quarterly analysis (一季一分析) of
claims, payouts, processing and oversight (seeds 000 and 003).

Public API — other packages use only these names.
"""

from archive.statistics.claims import DIMENSIONS, ClaimFigures, Line
from archive.statistics.insured import insured_counts, set_insured_count
from archive.statistics.levels import level_of, levels
from archive.statistics.period import Period, parse_period
from archive.statistics.report import Report, statistics_report
from archive.statistics.tables import Table, report_csv, report_tables, report_xlsx

__all__ = [
    "DIMENSIONS",
    "ClaimFigures",
    "Line",
    "Period",
    "Report",
    "Table",
    "insured_counts",
    "level_of",
    "levels",
    "parse_period",
    "report_csv",
    "report_tables",
    "report_xlsx",
    "set_insured_count",
    "statistics_report",
]
