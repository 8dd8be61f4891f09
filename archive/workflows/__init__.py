"""Sign-off chains (审批流程): definitions as data, the engine, queues and timelines.

Public API — other packages use only these names.
"""

from archive.workflows.changes import content_changed
from archive.workflows.checklist import Checklist, intake_checklist
from archive.workflows.deductions import deduction_lines
from archive.workflows.definitions import Definition, DefinitionError, Registry, load_registry, registry
from archive.workflows.engine import current_version, decide, submit
from archive.workflows.errors import (
    BadRequest,
    Conflict,
    Incomplete,
    NoChain,
    NotAllowed,
    OpinionRequired,
    WorkflowError,
)
from archive.workflows.findings import CaseFinding, UnresolvedFindings, findings_of, resolve_finding
from archive.workflows.publication import Publication, monthly_payouts, publication_csv
from archive.workflows.spot_checks import (
    OUTCOMES,
    RecheckQueue,
    derive_draw,
    recheck_queue,
    record_outcome,
)
from archive.workflows.steps import DECISIONS, Label
from archive.workflows.workdays import WorkCalendar, calendar, load_calendar
from archive.workflows.worklist import Queue, QueueItem, Timeline, queue_neighbours, timeline, work_queue

__all__ = [
    "DECISIONS",
    "OUTCOMES",
    "BadRequest",
    "CaseFinding",
    "Checklist",
    "Conflict",
    "Definition",
    "DefinitionError",
    "Incomplete",
    "Label",
    "NoChain",
    "NotAllowed",
    "OpinionRequired",
    "Publication",
    "Queue",
    "QueueItem",
    "RecheckQueue",
    "Registry",
    "Timeline",
    "UnresolvedFindings",
    "WorkCalendar",
    "WorkflowError",
    "calendar",
    "content_changed",
    "current_version",
    "decide",
    "deduction_lines",
    "derive_draw",
    "findings_of",
    "intake_checklist",
    "load_calendar",
    "load_registry",
    "monthly_payouts",
    "publication_csv",
    "queue_neighbours",
    "recheck_queue",
    "record_outcome",
    "registry",
    "resolve_finding",
    "submit",
    "timeline",
    "work_queue",
]
