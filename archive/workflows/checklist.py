"""The intake checklist (材料清单): the documents a claim type needs, and which are in the case.

One source of truth for the case page's checklist, for the refusal to send an incomplete case
on (submit) and for the completeness step's automatic check: each reads the required kinds from
the chain definition's `[step.required_documents]` (the step that names the check
`required_documents`).

A required kind is
- "present" when a document of that kind (given at upload or recognised) has been read — a
  daily statement only if it reads as one (its printed title), not an invoice filed as one;
- "reading" when one of that kind was received and is still being read — the paper is there;
- "missing" when there is none, or the only ones could not be read (scan it again).
Only "missing" blocks: a case is not accepted while a required document is missing
(未提供清单的, 不予受理).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from archive.models import Case, Document, WorkflowStatus
from archive.models.cases import DocumentStatus
from archive.signoff.definitions import Definition, registry
from archive.signoff.errors import Incomplete, _
from archive.signoff.steps import Label, Step
from archive.workflows import state
from archive.workflows.content import case_facts
from archive.workflows.statements import read_as_statement

KIND_NAMES = {
    "invoice": Label("医疗收费票据", "medical invoice"),
    "daily_statement": Label("住院费用一日清单", "daily itemised statement"),
    "referral": Label("转诊转院审批表", "referral form"),
    "agreement": Label("定点医疗机构服务协议", "provider agreement"),
    "vat_invoice": Label("增值税发票", "VAT invoice"),
    "other": Label("其他材料", "other document"),
}

PRESENT, READING, MISSING = "present", "reading", "missing"
# Kinds that meet a requirement for another: pharmacies and many outpatient providers issue VAT
# invoices (增值税发票 / 数电票), which are the claim's invoice (archive.claims counts them so).
MEETS = {"invoice": ("invoice", "vat_invoice")}


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: Label
    state: str  # present, reading, missing
    document_ids: tuple[int, ...] = ()

    def as_json(self) -> dict:
        return {"kind": self.kind, "name": {"zh": self.label.zh, "en": self.label.en},
                "state": self.state, "documents": list(self.document_ids)}


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...] = ()
    chain: str | None = None  # the chain whose step asks for the documents

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.state == MISSING]

    @property
    def complete(self) -> bool:
        return not self.missing

    def missing_names(self) -> Label:
        names = [item.label for item in self.missing]
        return Label("、".join(n.zh for n in names), ", ".join(n.en for n in names))

    def as_json(self) -> dict:
        return {"chain": self.chain, "complete": self.complete,
                "items": [item.as_json() for item in self.items],
                "missing": [item.kind for item in self.missing]}


def checklist_for_step(case: Case, step: Step, documents: list[Document] | None = None,
                       chain: str | None = None) -> Checklist:
    """The required documents of `step` for the case's claim type, each with its state."""
    documents = case.documents if documents is None else documents
    items = []
    for kind in step.required_documents.get(case.claim_type, ()):
        mine = [d for d in documents if d.kind in MEETS.get(kind, (kind,))]
        if kind == "daily_statement":  # counted as read, not as filed (archive.workflows.statements)
            mine = [d for d in mine if d.status != DocumentStatus.PROCESSED or read_as_statement(d)]
        if any(d.status == DocumentStatus.PROCESSED for d in mine):
            item_state = PRESENT
        elif any(d.status in DocumentStatus.UNFINISHED for d in mine):
            item_state = READING
        else:
            item_state = MISSING
        items.append(ChecklistItem(kind, KIND_NAMES[kind], item_state,
                                   tuple(d.id for d in mine if d.status != DocumentStatus.FAILED)))
    return Checklist(tuple(items), chain)


def checklist_step(definition: Definition) -> Step | None:
    """The step of a chain that checks the documents are complete, if any."""
    return next((s for s in definition.steps if "required_documents" in s.checks), None)


def checklist_for_chain(case: Case, definition: Definition | None) -> Checklist:
    step = checklist_step(definition) if definition is not None else None
    if step is None:
        return Checklist()
    return checklist_for_step(case, step, chain=definition.name)


def intake_checklist(session: Session, case: Case) -> Checklist:
    """The checklist of the chain the case is in (after a return: the returned one), or of the
    chain it would start if it were sent on now."""
    runs = state.instances_of(session, case)
    returned = next((run for run in runs if run.status == WorkflowStatus.RETURNED), None)
    if returned is not None:
        definition = registry().get(returned.definition)
    elif runs:
        definition = registry().get(runs[0].definition)
    else:  # while a fact that decides the chain is empty, the first chain it may be (外报)
        definition = registry().route(case_facts(case))[0]
    return checklist_for_chain(case, definition)


def refuse_incomplete(case: Case, definition: Definition) -> None:
    """Sending a case on is refused while a document its chain requires is missing."""
    checklist = checklist_for_chain(case, definition)
    if not checklist.complete:
        raise Incomplete(_("Not accepted (不予受理): case %(case_no)s lacks %(documents)s. Add them "
                           "before sending it for sign-off."),
                         case_no=case.case_no, documents=checklist.missing_names())
