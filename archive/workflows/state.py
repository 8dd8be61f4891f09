"""Moving a workflow instance between steps: start, enter a step, resume, finish.

Internal to archive.workflows; the services in engine.py and changes.py call these and record
the audit events.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.models.types import utcnow
from archive.signoff.definitions import Definition, registry
from archive.signoff.errors import NoChain, _
from archive.signoff.steps import Step
from archive.signoff.workdays import calendar, today_in_china
from archive.workflows.content import case_facts

CASE_IN_REVIEW = "in_review"


def instances_of(session: Session, case: Case) -> list[WorkflowInstance]:
    """Every chain run on the case, in the order they started."""
    return list(session.scalars(
        select(WorkflowInstance).where(WorkflowInstance.case_id == case.id).order_by(WorkflowInstance.id)))


def start(session: Session, case: Case, definition: Definition) -> WorkflowInstance:
    facts = case_facts(case)
    first = definition.next_step(None, facts)
    if first is None:
        raise NoChain(_("No step of chain %(chain)s applies to this case."), chain=definition.label)
    instance = WorkflowInstance(case=case, definition=definition.name,
                                definition_sha256=definition.sha256, signed={}, missing=[],
                                started_at=utcnow())
    enter_step(instance, definition, first, restart_chain_clock=True)
    session.add(instance)
    return instance


def enter_step(instance: WorkflowInstance, definition: Definition, step: Step, *,
               restart_chain_clock: bool = False, now: datetime | None = None) -> None:
    """Make `step` the current one; its deadline is the earlier of the step's and the chain's."""
    now = now or utcnow()
    if restart_chain_clock:
        instance.started_at = now
    # Deadlines first: counting reads the case, and a read mid-change would flush the instance
    # (one version more than the decision made).
    deadlines = _deadlines(instance, definition, step, now)
    instance.status = WorkflowStatus.ACTIVE
    instance.current_step, instance.current_role = step.id, step.role
    instance.step_started_at = now
    instance.chain_due_on, instance.due_on, instance.calendar_estimated = deadlines


def count_deadlines(instance: WorkflowInstance, definition: Definition, step: Step) -> None:
    """Count the chain's and the current step's deadlines again with the calendar in force (when
    a year's holiday arrangement is entered, an estimate becomes a date)."""
    deadlines = _deadlines(instance, definition, step, instance.step_started_at)
    instance.chain_due_on, instance.due_on, instance.calendar_estimated = deadlines


def _deadlines(instance: WorkflowInstance, definition: Definition, step: Step, step_started: datetime):
    """(chain due, due — the earlier of the step's and the chain's —, whether an estimate)."""
    facts = case_facts(instance.case)
    cal = calendar(object_session(instance.case))
    chain_due = cal.add(today_in_china(instance.started_at), definition.chain_days(facts))
    due, estimated = chain_due.on, chain_due.estimated
    if step.deadline_days:
        step_due = cal.add(today_in_china(step_started), step.deadline_days)
        if step_due.on < due:
            due, estimated = step_due.on, step_due.estimated
    return chain_due.on, due, estimated


def signed_hashes(session: Session, instance: WorkflowInstance) -> dict[str, str]:
    """Step → content sha256 of the approval in force there."""
    ids = list(instance.signed.values())
    if not ids:
        return {}
    rows = session.execute(select(SignOff.step, SignOff.content_sha256).where(SignOff.id.in_(ids)))
    return dict(rows.all())


def first_unsigned(definition: Definition, instance: WorkflowInstance, hashes: dict[str, str],
                   content: str) -> Step | None:
    """The first step the case needs (its condition holds) without an approval that matches
    the case as it is now; None if every such step is validly signed."""
    facts = case_facts(instance.case)
    return next((s for s in definition.steps
                 if s.applies(facts) and hashes.get(s.id) != content), None)


def restart_at(definition: Definition, instance: WorkflowInstance, step: Step, *, reason: str | None,
               restart_chain_clock: bool = False) -> None:
    """Send the instance back to `step`: approvals from there on (and at steps that no longer
    apply) stop being in force; the sign-off rows stay as history."""
    facts = case_facts(instance.case)
    cut = definition.index(step.id)
    instance.signed = {step_id: sign_off for step_id, sign_off in instance.signed.items()
                       if definition.has_step(step_id) and definition.index(step_id) < cut
                       and definition.step(step_id).applies(facts)}
    instance.round += 1
    instance.note = reason
    instance.missing = []
    instance.finished_at = None
    enter_step(instance, definition, step, restart_chain_clock=restart_chain_clock)


def finish(session: Session, instance: WorkflowInstance, definition: Definition,
           content: str) -> WorkflowInstance | None:
    """Every step is signed: the chain is approved; its follow-up chain starts or resumes."""
    instance.status = WorkflowStatus.APPROVED
    instance.current_step = instance.current_role = instance.due_on = None
    instance.finished_at = utcnow()
    if definition.then is None:
        return None
    follow = registry().get(definition.then)
    waiting = session.scalar(select(WorkflowInstance).where(
        WorkflowInstance.case_id == instance.case_id, WorkflowInstance.definition == follow.name))
    if waiting is None:
        return start(session, instance.case, follow)
    step = first_unsigned(follow, waiting, signed_hashes(session, waiting), content)
    if step is None:
        return finish(session, waiting, follow, content)
    restart_at(follow, waiting, step, reason=None)
    return waiting


def hold(instance: WorkflowInstance, reason: str) -> None:
    """A follow-up chain waits while the chain before it is signed again."""
    instance.status = WorkflowStatus.WAITING
    instance.current_step = instance.current_role = instance.due_on = None
    instance.note = reason


def sync_case_status(session: Session, case: Case) -> None:
    """The case's status follows its chains: in review, returned, rejected, or the last done status."""
    runs = instances_of(session, case)
    statuses = {run.status for run in runs}
    if not runs:
        return
    if WorkflowStatus.ACTIVE in statuses:
        status = CASE_IN_REVIEW
    elif WorkflowStatus.RETURNED in statuses:
        status = "returned"
    elif WorkflowStatus.REJECTED in statuses:
        status = "rejected"
    else:
        status = registry().get(runs[-1].definition).done_status
    if case.status != status:
        case.status = status
