"""One reading of a case's intake state: its documents, the checklist, the findings and the
verdict (不予受理 or ready to send), taken together so the case page never shows them disagreeing.

The case page draws it, and its live refresh (archive.web.cases `live`) draws the same templates
from a fresh snapshot; `version` changes exactly when something drawn from it would, so an
unchanged case costs the browser nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from archive.models import Case
from archive.models.cases import DocumentStatus
from archive.workflows import findings_of, intake_checklist, timeline
from archive.workflows.checklist import MISSING, Checklist, ChecklistItem
from archive.workflows.findings import CaseFinding
from archive.workflows.returns import ReturnNote, return_note
from archive.workflows.worklist import Timeline

# How a required document is shown: "todo" before anything was uploaded (not an error yet),
# "waiting" while an unrecognised upload is still being read (it may turn out to be the one).
TODO, WAITING = "todo", "waiting"
# The verdict on sending the case on: still reading, refused (不予受理) or ready.
PENDING, REFUSED, READY = "pending", "refused", "ready"


@dataclass(frozen=True)
class CaseSnapshot:
    case: Case
    checklist: Checklist
    findings: list[CaseFinding]
    workflow: Timeline
    return_note: ReturnNote | None
    version: str

    @property
    def pending(self) -> bool:
        """A document is still being read: the page keeps refreshing."""
        return any(d.status in DocumentStatus.UNFINISHED for d in self.case.documents)

    def shown(self, item: ChecklistItem) -> str:
        if item.state != MISSING:
            return item.state
        if not self.case.documents:
            return TODO
        if any(d.kind is None and d.status in DocumentStatus.UNFINISHED for d in self.case.documents):
            return WAITING
        return MISSING

    @property
    def visible_findings(self) -> list[CaseFinding]:
        """The findings as the page shows them: that the daily statement is missing (不予受理) is
        said when the checklist says so — not before anything was uploaded, nor while a document
        that may be the statement is still being read."""
        item = next((i for i in self.checklist.items if i.kind == "daily_statement"), None)
        if item is not None:
            said = self.shown(item) == MISSING
        else:  # a claim type without the checklist line (an inpatient invoice in an outpatient case)
            said = bool(self.case.documents) and not self.pending
        return [f for f in self.findings if said or f.code != "missing_daily_statements"]

    @property
    def verdict(self) -> str:
        """不予受理 only once nothing that could complete the checklist is still being read."""
        if self.checklist.complete:
            return READY
        return PENDING if any(self.shown(i) == WAITING for i in self.checklist.missing) else REFUSED


def case_snapshot(session: Session, user, case: Case) -> CaseSnapshot:
    """The intake state of `case` (fetched through archive.access) as `user` sees it."""
    checklist = intake_checklist(session, case)
    findings = findings_of(session, case)
    workflow = timeline(session, user, case)
    note = return_note(session, case)
    return CaseSnapshot(case, checklist, findings, workflow, note,
                        _version(case, checklist, findings, workflow, note))


def _version(case: Case, checklist: Checklist, findings: list[CaseFinding], workflow: Timeline,
             note: ReturnNote | None) -> str:
    state = {
        "case": [case.status, case.version],
        "documents": [[d.id, d.status, d.kind, d.page_count, d.failure_reason, d.duplicate_of_id,
                       d.kind_guessed, d.needs_check, d.fields, d.checks] for d in case.documents],
        "checklist": checklist.as_json(),
        "findings": [f.as_json() for f in findings],
        "may_submit": workflow.may_submit,
        "decisions": workflow.decisions,
        "return": None if note is None else [[i.item, i.state] for i in note.items],
    }
    text = json.dumps(state, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
