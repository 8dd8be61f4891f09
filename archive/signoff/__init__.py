"""The sign-off core (审批核心): chain definitions as data, their steps and conditions, the
refusals of the sign-off, working days and months in China time, and the hospital read from a
case. Claims, providers, notices, records and the workflows' engine build on it; it builds only
on the ground floor.

Public API — other packages use only these names (or the modules named here).
"""

from archive.signoff.definitions import Definition, DefinitionError, Registry, load_registry, registry
from archive.signoff.errors import (
    BadRequest,
    Conflict,
    Incomplete,
    NoChain,
    NotAllowed,
    OpinionRequired,
    WorkflowError,
)
from archive.signoff.steps import DECISIONS, Label
from archive.signoff.workdays import WorkCalendar, calendar, load_calendar

__all__ = [
    "DECISIONS",
    "BadRequest",
    "Conflict",
    "Definition",
    "DefinitionError",
    "Incomplete",
    "Label",
    "NoChain",
    "NotAllowed",
    "OpinionRequired",
    "Registry",
    "WorkCalendar",
    "WorkflowError",
    "calendar",
    "load_calendar",
    "load_registry",
    "registry",
]
