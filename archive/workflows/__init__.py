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
from archive.workflows.spot_checks import (
    OUTCOMES,
    RecheckQueue,
    derive_draw,
    recheck_queue,
    record_outcome,
)
from archive.workflows.worklist import Queue, QueueItem, Timeline, queue_neighbours, timeline, work_queue

__all__ = [
    "adjust_approved",
    "OUTCOMES",
    "CaseFinding",
    "Checklist",
    "Publication",
    "Queue",
    "QueueItem",
    "RecheckQueue",
    "Timeline",
    "UnresolvedFindings",
    "content_changed",
    "current_version",
    "decide",
    "deduction_lines",
    "derive_draw",
    "findings_of",
    "intake_checklist",
    "monthly_payouts",
    "publication_csv",
    "queue_neighbours",
    "recheck_queue",
    "payment_findings",
    "record_outcome",
    "resolve_finding",
    "submit",
    "timeline",
    "work_queue",
]
