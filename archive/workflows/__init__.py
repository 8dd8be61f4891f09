"""Sign-off chains (审批流程): definitions as data, the engine, queues and timelines.

Public API — other packages use only these names.
"""

from archive.workflows.adjustments import adjust_approved
from archive.workflows.changes import content_changed
from archive.workflows.checklist import Checklist, intake_checklist
from archive.workflows.deductions import deduction_lines
from archive.workflows.engine import current_version, decide, submit
from archive.workflows.findings import CaseFinding, UnresolvedFindings, findings_of, resolve_finding
from archive.workflows.payment import payment_findings
from archive.workflows.publication import Publication, monthly_payouts, publication_csv
from archive.workflows.worklist import Queue, QueueItem, Timeline, queue_neighbours, timeline, work_queue

__all__ = [
    "adjust_approved",
    "CaseFinding",
    "Checklist",
    "Publication",
    "Queue",
    "QueueItem",
    "Timeline",
    "UnresolvedFindings",
    "content_changed",
    "current_version",
    "decide",
    "deduction_lines",
    "findings_of",
    "intake_checklist",
    "monthly_payouts",
    "publication_csv",
    "queue_neighbours",
    "payment_findings",
    "resolve_finding",
    "submit",
    "timeline",
    "work_queue",
]
