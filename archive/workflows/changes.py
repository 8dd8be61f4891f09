"""A change to a case after sign-off: back to the first step whose signature no longer matches.

Every path that changes what a signature covers (a document added, a field edited) calls
`content_changed` in its own transaction, before its audit event. The chain's definition says
where it goes back to (`on_change`): "first_mismatch" (the first step whose approval no longer
matches the case, or that now applies and was never signed) or "first_step". A follow-up chain
(payment), even one returned for correction, waits while the chain before it is signed
again. The reason is recorded.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archive import audit
from archive.models import Case, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.workflows import state
from archive.workflows.content import case_facts, content_sha256


def content_changed(session: Session, case: Case, *, actor, reason: str) -> WorkflowInstance | None:
    """Reopen the first chain of `case` whose signatures the change invalidated; returns it."""
    runs = [run for run in state.instances_of(session, case) if run.status != WorkflowStatus.REJECTED]
    if not runs:
        return None
    content = content_sha256(session, case)
    facts = case_facts(case)
    for position, run in enumerate(runs):
        if run.status not in (WorkflowStatus.ACTIVE, WorkflowStatus.APPROVED):
            continue  # returned: its resubmission looks again; waiting: its predecessor decides
        definition = registry().get(run.definition)
        target = state.first_unsigned(definition, run, state.signed_hashes(session, run), content)
        if run.status == WorkflowStatus.ACTIVE:
            current = definition.step(run.current_step)
            if target is None or (definition.index(target.id) >= definition.index(current.id)
                                  and current.applies(facts)):
                continue  # nothing signed so far is affected; the current step signs the new content
        elif target is None:
            continue  # an approved chain whose signatures all still match
        if definition.on_change == "first_step":
            target = definition.next_step(None, facts) or target
        was = run.current_step
        state.restart_at(definition, run, target, reason=reason)
        later_runs = [later for later in runs[position + 1:] if later.status != WorkflowStatus.WAITING]
        for later in later_runs:
            state.hold(later, reason)
        state.sync_case_status(session, case)
        session.flush()
        audit.record(session, "workflow.reopened", actor=actor, target=case, details={
            "chain": definition.name, "from_step": was, "to_step": target.id, "reason": reason,
            "content_sha256": content, "held": [later.definition for later in later_runs]})
        return run
    return None
