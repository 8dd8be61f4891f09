"""The database schema. Import models from here."""

from archive.db import Base
from archive.models.audit import AuditEvent
from archive.models.cases import Case, Document, Page, StoredObject
from archive.models.sequences import NumberSequence
from archive.models.users import ApiToken, User
from archive.models.workflow import SignOff, WorkflowInstance, WorkflowStatus

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Case",
    "Document",
    "NumberSequence",
    "Page",
    "SignOff",
    "StoredObject",
    "User",
    "WorkflowInstance",
    "WorkflowStatus",
]
