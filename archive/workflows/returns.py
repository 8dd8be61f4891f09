"""Returns for correction (退回补正), tracked: what was asked for, whether it came, and no
resubmission of a case nobody touched since.

A reviewer names the missing items as checklist lines — a document kind, stored as
"doc:<kind>" — and/or in their own words (free text). The clerk's case page lists each item; a
document kind counts as supplied once a document of that kind was received after the return.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.models.cases import DOCUMENT_KINDS, DocumentStatus
from archive.signoff.definitions import registry
from archive.signoff.errors import Incomplete, _
from archive.signoff.steps import Label
from archive.workflows import state
from archive.workflows.checklist import KIND_NAMES, MEETS
from archive.workflows.content import content_sha256

DOC_PREFIX = "doc:"
SUPPLIED, TO_CORRECT, ASKED = "supplied", "to_correct", "asked"


def missing_kind(item: str) -> str | None:
    """The document kind a missing item names ("doc:referral"), or None for free text."""
    return item.removeprefix(DOC_PREFIX) if item.startswith(DOC_PREFIX) else None


def check_missing(items: list[str]) -> None:
    """Refuse a checklist line that names no known document kind."""
    unknown = [item for item in items if missing_kind(item) is not None
               and missing_kind(item) not in DOCUMENT_KINDS]
    if unknown:
        raise Incomplete(_("Unknown document kind asked for: %(items)s."), items=", ".join(unknown),
                         concerns="missing")


def missing_label(item: str) -> Label:
    kind = missing_kind(item)
    if kind in KIND_NAMES:
        return KIND_NAMES[kind]
    return Label(item, item)


@dataclass(frozen=True)
class ReturnItem:
    item: str  # as stored: "doc:<kind>" or the reviewer's words
    label: Label
    state: str  # supplied, to_correct (a kind not yet received since), asked (free text)


@dataclass(frozen=True)
class ReturnNote:
    sign_off: SignOff
    items: tuple[ReturnItem, ...]


def last_return(session: Session, instance: WorkflowInstance) -> SignOff | None:
    return session.scalar(select(SignOff).where(
        SignOff.instance_id == instance.id, SignOff.decision == "return")
        .order_by(SignOff.id.desc()).limit(1))


def return_note(session: Session, case: Case) -> ReturnNote | None:
    """The open return of the case, if it waits for correction: each item asked for and its state."""
    returned = next((run for run in state.instances_of(session, case)
                     if run.status == WorkflowStatus.RETURNED), None)
    sign_off = None if returned is None else last_return(session, returned)
    if sign_off is None:
        return None
    since = [d for d in case.documents if d.created_at > sign_off.signed_at
             and d.status != DocumentStatus.FAILED]
    items = []
    for item in sign_off.missing or []:
        kind = missing_kind(item)
        if kind is None:
            items.append(ReturnItem(item, missing_label(item), ASKED))
        else:
            came = any(d.kind in MEETS.get(kind, (kind,)) for d in since)
            items.append(ReturnItem(item, missing_label(item), SUPPLIED if came else TO_CORRECT))
    return ReturnNote(sign_off, tuple(items))


def refuse_unchanged(session: Session, case: Case, instance: WorkflowInstance) -> None:
    """A returned claim goes back only once something was uploaded or corrected since the return:
    otherwise the reviewer would get the very case they sent back. A follow-up chain's return
    (payment: a voucher number, a bank slip) is about what its own steps entered, which the case
    does not hold, so it may go back as it is."""
    if instance.definition in {d.then for d in registry().definitions.values() if d.then}:
        return
    sign_off = last_return(session, instance)
    if sign_off is not None and content_sha256(session, case) == sign_off.content_sha256:
        asked = [missing_label(item) for item in sign_off.missing or []]
        raise Incomplete(_("Nothing was uploaded or corrected since the case was returned for "
                           "correction; supply what was asked for first: %(missing)s."),
                         missing=Label("、".join(a.zh for a in asked), "; ".join(a.en for a in asked)))
