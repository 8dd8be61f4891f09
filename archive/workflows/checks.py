"""Automatic checks a step may name in its definition (`checks = [...]`).

Each takes the session, the case, the step and the workflow instance, and returns the refusal
(an Incomplete error) or None. Approval at the step is refused while a check fails.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.signoff.errors import Incomplete, _
from archive.signoff.steps import CHECKS, Step
from archive.workflows.checklist import checklist_for_step
from archive.workflows.content import content_sha256


def required_documents(session: Session, case: Case, step: Step,
                       instance: WorkflowInstance) -> Incomplete | None:
    """材料是否齐全: every kind of document the claim type needs is in the case (the same
    checklist the case page shows and the submission checks, archive.workflows.checklist)."""
    checklist = checklist_for_step(case, step)
    if checklist.complete:
        return None
    return Incomplete(_("Not accepted (不予受理): this claim lacks %(documents)s. Return it for "
                        "correction or reject it."), documents=checklist.missing_names())


def prior_chain_signed(session: Session, case: Case, step: Step,
                       instance: WorkflowInstance) -> Incomplete | None:
    """Every chain before this one on the case is approved, and each of its signatures still
    matches the case as it is now (the payment desk's "signatures complete")."""
    current = content_sha256(session, case)
    earlier = list(session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.case_id == case.id, WorkflowInstance.id < instance.id)))
    if not earlier:
        return Incomplete(_("No approved sign-off chain precedes this payment."))
    for other in earlier:
        hashes = set(session.scalars(select(SignOff.content_sha256).where(
            SignOff.id.in_(list(other.signed.values())))))
        if other.status != WorkflowStatus.APPROVED or hashes - {current}:
            return Incomplete(_("The signatures of chain %(chain)s are not complete or no longer "
                                "match the case."), chain=registry().get(other.definition).label)
    return None


_FUNCTIONS: dict[str, Callable[..., Incomplete | None]] = {
    "required_documents": required_documents,
    "prior_chain_signed": prior_chain_signed,
}
assert set(_FUNCTIONS) == set(CHECKS)


def run_checks(session: Session, case: Case, step: Step, instance: WorkflowInstance) -> None:
    for name in step.checks:
        refusal = _FUNCTIONS[name](session, case, step, instance)
        if refusal is not None:
            raise refusal
