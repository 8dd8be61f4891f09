"""The sign-off services: send a case on from intake, and decide at a step.

Plain functions taking the session first; they never commit (the caller owns the
transaction) and record an audit event after each action's other writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from archive import audit
from archive.access import get_case, visible_cases
from archive.auth import require
from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.models.types import utcnow
from archive.records.case_guard import ensure_changeable
from archive.signoff.definitions import Definition, registry
from archive.signoff.errors import Conflict, Incomplete, NoChain, NotAllowed, OpinionRequired, _
from archive.signoff.steps import Label, Step, decision_name
from archive.workflows import state
from archive.workflows.changes import content_changed
from archive.workflows.checklist import refuse_incomplete
from archive.workflows.checks import run_checks
from archive.workflows.content import case_facts, content_sha256
from archive.workflows.deductions import recorded_deductions, yuan
from archive.workflows.findings import refuse_open_findings
from archive.workflows.payment import payment_findings
from archive.workflows.returns import check_missing, refuse_unchanged
from archive.workflows.routing import choose_chain, refuse_unknown_routing, refuse_unplaced
from archive.workflows.statements import refuse_without_statements

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: a NOWAIT lock was held by another transaction


def submit(session: Session, case_no: str, *, actor) -> WorkflowInstance:
    """The case leaves intake: its chain (chosen by its fields) starts, or — after a return
    for correction — the returned chain resumes where the case must be signed again."""
    require(actor, "workflow.submit")
    case = get_case(session, actor, case_no)
    ensure_changeable(session, case, action="workflow.submit")  # held, filed or closed: refused
    runs = state.instances_of(session, case)
    returned = next((run for run in runs if run.status == WorkflowStatus.RETURNED), None)
    if returned is not None:
        definition = registry().get(returned.definition)
        refuse_unchanged(session, case, returned)  # nothing uploaded or corrected since the return
        refuse_without_statements(case)  # 一日清单, whatever the chain: says what is wrong
        refuse_incomplete(case, definition)
        refuse_unknown_routing(case_facts(case), definition)
        refuse_unplaced(case, definition)  # a hospital's or village's step needs the place
        hashes = state.signed_hashes(session, returned)
        # Back to the step that returned it, or earlier if an earlier signature no longer
        # matches the corrected case (or a step now applies that did not before).
        step = state.first_unsigned(definition, returned, hashes, content_sha256(session, case))
        if step is None:
            raise NoChain(_("No step of chain %(chain)s applies to this case."), chain=definition.label)
        state.restart_at(definition, returned, step, reason=None, restart_chain_clock=True)
        instance, action = returned, "workflow.resubmitted"
    else:
        if runs or case.status != "intake":
            raise Conflict(_("Case %(case_no)s has already left intake."), case_no=case.case_no)
        definition = choose_chain(registry(), case_facts(case))
        refuse_without_statements(case)  # 一日清单, whatever the chain: says what is wrong
        refuse_incomplete(case, definition)
        refuse_unknown_routing(case_facts(case), definition)
        refuse_unplaced(case, definition)  # a hospital's or village's step needs the place
        instance, action = state.start(session, case, definition), "workflow.started"
    state.sync_case_status(session, case)
    session.flush()
    if returned is not None:
        # A correction to a case returned from a follow-up chain (payment) can also undo the
        # signatures of the chain before it: that one is signed again first.
        content_changed(session, case, actor=actor, reason="changed while returned for correction")
    audit.record(session, action, actor=actor, target=case, details={
        "chain": definition.name, "step": instance.current_step, "status": instance.status,
        "due_on": str(instance.due_on)})
    return instance


def decide(session: Session, case_no: str, *, actor, decision: str, expected_version,
           opinion: str | None = None, step: str | None = None,
           findings: Mapping[str, object] | None = None,
           missing: list[str] | None = None,
           deductions: Sequence[Mapping[str, object]] | None = None) -> WorkflowInstance:
    """Approve, return for correction (退回补正, with what is missing) or reject (with the
    reason) at the case's current step, as `actor`, on the version the actor saw. A step that
    records deductions (扣款) takes them with the approval: [{amount, reason}]."""
    case, instance, definition, current = _waiting(session, actor, case_no, expected_version, step)
    # A case under legal hold is not signed. Checked after the chain's row is locked (NOWAIT),
    # so two decisions at once still part at once with 409; the case lock comes second, as the
    # sign-off's reference to the case takes a lock on that row anyway.
    ensure_changeable(session, case, action="workflow.decide")
    opinion = (opinion or "").strip() or None
    missing = [item.strip() for item in missing or [] if item and item.strip()]
    signatures = _signatures(session, case)
    recorded = _admissible(session, case, instance, definition, current, actor, decision, opinion,
                           missing, findings or {}, deductions, signatures)
    content = content_sha256(session, case)
    _refuse_if_changed(instance, definition, content, signatures)

    sign_off = SignOff(instance_id=instance.id, case_id=case.id, seq=instance.version,
                       round=instance.round, step=current.id, role=actor.role, signer_id=actor.id,
                       signer_name=actor.display_name or actor.username, decision=decision,
                       opinion=opinion, findings=recorded, missing=missing, content_sha256=content,
                       signed_at=utcnow())
    session.add(sign_off)
    _flush_or_conflict(session)  # a second decision on the same version stops here (unique seq)
    follow = _apply(session, instance, definition, current, sign_off, content)
    follow_is_new = follow is not None and follow in session.new  # not yet flushed: just started
    if instance.status == WorkflowStatus.ACTIVE and follow is None:
        # Still waiting at a step of the same chain: the case is in review (what
        # sync_case_status would find, without reading every chain of the case again).
        if case.status != state.CASE_IN_REVIEW:
            case.status = state.CASE_IN_REVIEW
    else:
        state.sync_case_status(session, case)
    _flush_or_conflict(session)  # … or here (the instance's version)
    events = [(f"workflow.{decision}", case, {
        "chain": definition.name, "step": current.id, "sign_off": sign_off.id, "seq": sign_off.seq,
        "content_sha256": content, "opinion": opinion, "missing": missing or None,
        "next_step": instance.current_step, "status": instance.status,
        **{key: recorded[key] for key in ("deductions", "deductions_total") if key in recorded}})]
    if follow is not None:
        events.append(("workflow.started" if follow_is_new else "workflow.resumed", case, {
            "chain": follow.definition, "step": follow.current_step, "after": definition.name}))
    # Last, and in one append: the audit chain's lock is held from here to the commit.
    audit.record_many(session, events, actor=actor)
    return instance


def current_version(session: Session, actor, case_no: str) -> int:
    """The version of the chain the case waits at now: what a decision names as expected_version
    when the decider has just looked (the CLI's default)."""
    case = get_case(session, actor, case_no)
    version = session.scalar(select(WorkflowInstance.version).where(
        WorkflowInstance.case_id == case.id, WorkflowInstance.status == WorkflowStatus.ACTIVE))
    if version is None:
        raise Conflict(_("Case %(case_no)s is not waiting for a decision."), case_no=case.case_no)
    return version


def _waiting(session: Session, actor, case_no: str, expected_version, step: str | None
             ) -> tuple[Case, WorkflowInstance, Definition, Step]:
    """The case (one the actor may see), and the chain and step it waits at, if it is the
    version and step the actor saw; case and chain are read in one query.

    The instance's row is locked for the rest of the transaction (FOR UPDATE NOWAIT on
    PostgreSQL; SQLite has one writer anyway): a second decision on the same case while one is
    being recorded is refused at once with 409 instead of queueing behind it."""
    try:
        row = session.execute(
            visible_cases(actor).add_columns(WorkflowInstance)
            .join(WorkflowInstance, (WorkflowInstance.case_id == Case.id)
                  & (WorkflowInstance.status == WorkflowStatus.ACTIVE))
            .where(Case.case_no == case_no)
            .with_for_update(of=WorkflowInstance, nowait=True)).first()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise Conflict(_("Someone else decided on this case at the same moment; reload it to see "
                         "their decision.")) from exc
    if row is None:

        case = get_case(session, actor, case_no)  # not found, or one the actor may not see
        # Say why it waits for nothing when the reason is a closed or filed (or held) case.
        ensure_changeable(session, case, action="workflow.decide", lock=False)
        raise Conflict(_("Case %(case_no)s is not waiting for a decision."), case_no=case.case_no)
    case, instance = row
    definition = registry().get(instance.definition)
    current = definition.step(instance.current_step)
    if expected_version is None or str(expected_version).strip() == "":
        raise Incomplete(_("Send the version of the case you decided on (expected_version)."))
    if str(expected_version).strip() != str(instance.version):
        raise Conflict(_("The case has moved on since you opened it (it is now at %(step)s, "
                         "version %(version)s). Reload it and decide again."),
                       step=current.label, version=instance.version)
    if step is not None and step != current.id:
        raise Conflict(_("The case is at step %(step)s, not the step you acted on."), step=current.label)
    return case, instance, definition, current


def _admissible(session: Session, case: Case, instance: WorkflowInstance, definition: Definition,
                current: Step, actor, decision: str, opinion: str | None, missing: list[str],
                findings: Mapping[str, object], deductions: Sequence[Mapping[str, object]] | None,
                signatures: list[Signature]) -> dict[str, object]:
    """Refuse a decision the actor may not make or that lacks something; the findings to record."""
    if actor.role != current.role:
        raise NotAllowed(_("Step %(step)s is signed by another role."), step=current.label)
    if decision not in current.decisions:
        raise Incomplete(_("The decision %(decision)s is not possible at step %(step)s."),
                         decision=decision_name(decision), step=current.label)
    check_separation(session, case, instance, definition, current, actor,
                     [sig for sig in signatures if sig.signer_id == actor.id])
    if current.needs_opinion(decision) and not opinion:
        raise OpinionRequired(_("An opinion is required to %(decision)s at step %(step)s."),
                              decision=decision_name(decision), step=current.label,
                              concerns="opinion")
    if decision == "return" and not missing:
        raise Incomplete(_("Say what is missing when you return a case for correction."),
                         concerns="missing")
    check_missing(missing)
    if deductions and not (current.deductions and decision == "approve"):
        raise Incomplete(_("Deductions are recorded only when approving step %(step)s of an audit."),
                         step=current.label, concerns="deductions")
    if decision != "approve":
        return {}
    recorded: dict[str, object] = dict(_findings(current, findings))
    recorded.update(payment_findings(session, case, instance, current, recorded, opinion))
    if current.deductions:
        recorded.update(recorded_deductions(deductions, case.amount))
    run_checks(session, case, current, instance)
    refuse_open_findings(session, case)  # an ERROR finding stops every approval until resolved
    return recorded


class Signature(NamedTuple):
    """What the engine needs of one sign-off on the case (one query serves every check)."""
    id: int
    instance_id: int
    step: str
    signer_id: int
    content_sha256: str
    definition: str


def _signatures(session: Session, case: Case) -> list[Signature]:
    return [Signature(*row) for row in session.execute(
        select(SignOff.id, SignOff.instance_id, SignOff.step, SignOff.signer_id, SignOff.content_sha256,
               WorkflowInstance.definition)
        .join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id)
        .where(SignOff.case_id == case.id))]


def check_separation(session: Session, case: Case, instance: WorkflowInstance,
                     definition: Definition, step: Step, actor,
                     signed_by_actor: list[Signature] | None = None) -> None:
    """Separation of duties as the definition declares it; raises NotAllowed with the reason.
    `signed_by_actor`: the actor's sign-offs on the case, if the caller has read them already."""
    rules = definition.separation
    if rules.exclude_opener and case.created_by_id == actor.id:
        raise NotAllowed(_("You opened case %(case_no)s, so you may not sign it."), case_no=case.case_no)
    if signed_by_actor is None:
        signed_by_actor = [sig for sig in _signatures(session, case) if sig.signer_id == actor.id]
    mine = [(sig.instance_id, sig.step, sig.definition) for sig in signed_by_actor]
    if rules.distinct_signers:
        for instance_id, step_id, chain in mine:
            if (instance_id, step_id) != (instance.id, step.id):
                other = registry().get(chain)
                label = other.step(step_id).label if other.has_step(step_id) else step_id
                raise NotAllowed(_("You already signed step %(other)s of this case; another person "
                                   "must sign %(step)s."), other=label, step=step.label)
    for pair in rules.distinct_steps:
        if step.id in pair:
            partner = pair[1] if pair[0] == step.id else pair[0]
            if any(i == instance.id and s == partner for i, s, _c in mine):
                raise NotAllowed(_("The signer of %(other)s may not also sign %(step)s."),
                                 other=definition.step(partner).label, step=step.label)


def _findings(step: Step, given: Mapping[str, object]) -> dict[str, str]:
    recorded = {f.name: str(given.get(f.name) or "").strip() for f in step.findings}
    lacking = [f.label for f in step.findings if f.required and not recorded[f.name]]
    if lacking:
        raise Incomplete(_("Record %(findings)s before approving step %(step)s."), step=step.label,
                         findings=Label("、".join(f.zh for f in lacking),
                                        ", ".join(f.en for f in lacking)))
    for finding in step.findings:
        if finding.kind == "amount" and recorded[finding.name]:
            amount = yuan(recorded[finding.name])
            if amount is None:
                raise Incomplete(_("%(finding)s must be an amount in yuan with at most two decimals, "
                                   "e.g. 1234.50."), finding=finding.label)
            recorded[finding.name] = f"{amount:.2f}"
    return {name: value for name, value in recorded.items() if value}


def _refuse_if_changed(instance: WorkflowInstance, definition: Definition, content: str,
                       signatures: list[Signature]) -> None:
    """A guard: every change path reopens the chain, so an approval in force never differs
    from the case; if one does, no signature is added on top of it."""
    in_force = {sig.id: sig.content_sha256 for sig in signatures}
    for step_id, sign_off_id in instance.signed.items():
        if in_force.get(sign_off_id) != content:
            label = definition.step(step_id).label if definition.has_step(step_id) else step_id
            raise Conflict(_("The case changed after step %(step)s was signed; it must be signed "
                             "again first."), step=label)


def _apply(session: Session, instance: WorkflowInstance, definition: Definition, current: Step,
           sign_off: SignOff, content: str) -> WorkflowInstance | None:
    """The decision's effect on the instance; returns a follow-up chain that started."""
    if sign_off.decision == "approve":
        instance.signed = {**instance.signed, current.id: sign_off.id}
        following = definition.next_step(current.id, case_facts(instance.case))
        if following is not None:
            state.enter_step(instance, definition, following)
            return None
        return state.finish(session, instance, definition, content)
    instance.status = (WorkflowStatus.RETURNED if sign_off.decision == "return"
                       else WorkflowStatus.REJECTED)
    instance.current_role = instance.due_on = None  # current_step stays: where it was sent back from
    instance.missing = list(sign_off.missing)
    instance.note = sign_off.opinion
    if sign_off.decision == "reject":
        instance.finished_at = utcnow()
    return None


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise Conflict(_("Someone else decided on this case at the same moment; reload it to see "
                         "their decision.")) from exc
