"""What users see of the chains: each user's work queue and each case's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from archive.access import sees_every_case, visible_cases
from archive.auth import can
from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import Definition, registry
from archive.signoff.errors import NotAllowed, WorkflowError
from archive.signoff.steps import Label, Step
from archive.signoff.workdays import calendar, today_in_china
from archive.workflows import state
from archive.workflows.content import case_facts, content_sha256
from archive.workflows.engine import check_separation


@dataclass(frozen=True)
class Flags:
    due_on: date | None
    overdue: bool = False
    due_soon: bool = False
    estimated: bool = False  # the deadline ran past the published holiday calendar

    def as_json(self) -> dict:
        return {"due_on": self.due_on.isoformat() if self.due_on else None, "overdue": self.overdue,
                "due_soon": self.due_soon, "calendar_estimated": self.estimated}


def deadline_flags(due_on: date | None, estimated: bool, today: date | None = None) -> Flags:
    if due_on is None:
        return Flags(None)
    today = today or today_in_china()
    # "Due soon": at most due_soon_days working days left, i.e. the deadline comes before the
    # (due_soon_days + 1)-th working day after today — one date per day for every row of a queue.
    return Flags(due_on, overdue=today > due_on, due_soon=today <= due_on < _due_soon_before(today),
                 estimated=estimated)


def _due_soon_before(today: date) -> date:
    return _due_soon_in(today, calendar())


@lru_cache(maxsize=64)
def _due_soon_in(today: date, cal) -> date:  # keyed on the calendar in force (by identity)
    return cal.add(today, registry().due_soon_days + 1).on


@dataclass(frozen=True)
class QueueItem:
    case_no: str
    claimant_name: str
    claim_type: str
    chain: Label
    step: Label | None  # None: returned for correction, waiting for resubmission
    action: str  # "decide" or "resubmit"
    version: int
    waiting_since: datetime
    flags: Flags
    missing: list[str] = field(default_factory=list)
    amount: Decimal | None = None  # claimed, yuan

    def as_json(self) -> dict:
        """The item as the API and `archive queue --json` give it."""
        return {"case_no": self.case_no, "claimant_name": self.claimant_name,
                "claim_type": self.claim_type, "chain": _label(self.chain), "step": _label(self.step),
                "action": self.action, "version": self.version,
                "waiting_since": self.waiting_since.isoformat(), "missing": self.missing,
                "amount": None if self.amount is None else f"{self.amount:.2f}", **self.flags.as_json()}


def _label(label: Label | None) -> dict | None:
    return None if label is None else {"zh": label.zh, "en": label.en}


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int


# Oldest deadline first; cases without one (returned for correction) last — read as two parts
# (`_in_queue_order`), each in an index's order: one sort on `due_on IS NULL` cannot use an index
# on SQLite and sorts the whole queue (550 ms for 20,000 waiting, against 38 ms).
DATED_ORDER = (WorkflowInstance.due_on, WorkflowInstance.step_started_at, WorkflowInstance.id)
UNDATED_ORDER = (WorkflowInstance.step_started_at, WorkflowInstance.id)


def queue_conditions(user) -> tuple:
    """What puts a chain run (joined with its case) in `user`'s work queue: the conditions the
    queue, its neighbours on the case page and the dashboard's counts share."""
    mine = and_(WorkflowInstance.status == WorkflowStatus.ACTIVE,
                WorkflowInstance.current_role == user.role,
                Case.created_by_id != user.id,
                ~exists().where(SignOff.case_id == Case.id, SignOff.signer_id == user.id,
                                or_(SignOff.instance_id != WorkflowInstance.id,
                                    SignOff.step != WorkflowInstance.current_step)))
    if can(user, "workflow.submit"):
        mine = or_(mine, WorkflowInstance.status == WorkflowStatus.RETURNED)
    if sees_every_case(user):
        return (mine,)  # no list of every case id to build and probe per row
    return mine, Case.id.in_(visible_cases(user).with_only_columns(Case.id))


def work_queue(session: Session, user, *, today: date | None = None, limit: int = 100,
               offset: int = 0, total: int | None = None, dated_only: bool = False) -> Queue:
    """Cases waiting at a step the user's role may act on, oldest deadline first — without the
    cases separation of duties keeps from them — and, for intake, cases returned for correction.
    `total`: the queue's length when the caller has counted it already. `dated_only`: only the
    items with a deadline, nearest first — read in the queue index's order, so the first few come
    without sorting the whole queue (the dashboard's "most urgent")."""
    calendar(session)  # a holiday arrangement entered in another process is taken in ("due soon")
    where = queue_conditions(user)
    if dated_only:
        where = (*where, WorkflowInstance.due_on.is_not(None))
    if total is None:
        total = session.scalar(select(func.count()).select_from(WorkflowInstance)
                               .join(Case, Case.id == WorkflowInstance.case_id).where(*where)) or 0
    # Plain columns, not entities: a queue page reads 100 rows and changes none of them.
    query = (select(Case.case_no, Case.claimant_name, Case.claim_type, Case.amount_fen,
                    WorkflowInstance.definition,
                    WorkflowInstance.status, WorkflowInstance.current_step, WorkflowInstance.version,
                    WorkflowInstance.step_started_at, WorkflowInstance.due_on,
                    WorkflowInstance.calendar_estimated, WorkflowInstance.missing)
             .join(Case, Case.id == WorkflowInstance.case_id).where(*where))
    rows = _in_queue_order(session, query, limit=limit, offset=offset, dated_only=dated_only)
    today = today or today_in_china()
    items = []
    for row in rows:
        definition = registry().get(row.definition)
        returned = row.status == WorkflowStatus.RETURNED
        items.append(QueueItem(
            case_no=row.case_no, claimant_name=row.claimant_name, claim_type=row.claim_type,
            chain=definition.label, step=None if returned else definition.step(row.current_step).label,
            action="resubmit" if returned else "decide", version=row.version,
            waiting_since=row.step_started_at,
            flags=deadline_flags(row.due_on, row.calendar_estimated, today),
            missing=list(row.missing or []),
            amount=None if row.amount_fen is None else Decimal(row.amount_fen).scaleb(-2)))
    return Queue(items, total)


def queue_neighbours(session: Session, user, case_no: str, *, window: int = 500
                     ) -> tuple[str | None, str | None]:
    """The cases before and after `case_no` in the user's work queue, in the queue's order, for
    next / previous on the review desk. A case not (or no longer) in the queue — just decided —
    has the queue's first case as its next. Reads case numbers only, at most `window`."""
    query = (select(Case.case_no).select_from(WorkflowInstance)
             .join(Case, Case.id == WorkflowInstance.case_id).where(*queue_conditions(user)))
    ordered = list(dict.fromkeys(row.case_no for row in
                                 _in_queue_order(session, query, limit=window, offset=0)))
    if case_no not in ordered:
        return None, (ordered[0] if ordered else None)
    at = ordered.index(case_no)
    return (ordered[at - 1] if at > 0 else None,
            ordered[at + 1] if at + 1 < len(ordered) else None)


def _in_queue_order(session: Session, query, *, limit: int, offset: int, dated_only: bool = False) -> list:
    """`limit` rows of `query` from `offset` in the queue's order: those with a deadline, then
    (unless `dated_only`) those without."""
    dated = query.where(WorkflowInstance.due_on.is_not(None))
    rows = list(session.execute(dated.order_by(*DATED_ORDER).limit(limit).offset(offset)))
    if dated_only or len(rows) == limit:
        return rows
    if rows or offset == 0:
        skip = 0  # the dated part ended on this page
    else:  # the page starts past the dated part: how far past it?
        skip = offset - session.scalar(select(func.count()).select_from(dated.subquery()))
    undated = query.where(WorkflowInstance.due_on.is_(None)).order_by(*UNDATED_ORDER)
    return rows + list(session.execute(undated.limit(limit - len(rows)).offset(max(skip, 0))))


@dataclass(frozen=True)
class StepView:
    step: Step
    state: str  # done, current, returned, rejected, next, skipped
    sign_off: SignOff | None = None
    matches: bool | None = None  # the signature still matches the case as it is


@dataclass(frozen=True)
class ChainView:
    definition: Definition
    instance: WorkflowInstance
    steps: list[StepView]
    flags: Flags


@dataclass(frozen=True)
class Timeline:
    chains: list[ChainView]
    history: list[SignOff]  # every decision ever made on the case, oldest first
    labels: dict[tuple[str, str], Label]  # (chain, step) → step name, for the history
    decisions: list[str]  # what the user may decide now
    blocked: WorkflowError | None  # why the user may not act at the current step
    may_submit: bool
    current: ChainView | None


def timeline(session: Session, user, case: Case, *, today: date | None = None) -> Timeline:
    """The chains of a case as the case page shows them (the case was fetched through access)."""
    content = content_sha256(session, case)
    facts = case_facts(case)
    chains, current = [], None
    for instance in state.instances_of(session, case):
        definition = registry().get(instance.definition)
        view = ChainView(definition, instance, _steps(session, definition, instance, facts, content),
                         deadline_flags(instance.due_on, instance.calendar_estimated, today))
        chains.append(view)
        if instance.status == WorkflowStatus.ACTIVE:
            current = view
    history = list(session.scalars(select(SignOff).where(SignOff.case_id == case.id)
                                   .order_by(SignOff.id)))
    labels = {(c.definition.name, s.id): s.label for c in chains for s in c.definition.steps}
    labels.update({(c.instance.definition, s.step): Label(s.step, s.step) for c in chains
                   for s in history if (c.instance.definition, s.step) not in labels})
    decisions, refusal = _decisions(session, user, case, current)
    may_submit = can(user, "workflow.submit") and (
        case.status == "intake" and not chains
        or any(c.instance.status == WorkflowStatus.RETURNED for c in chains))
    return Timeline(chains, history, labels, decisions, refusal, may_submit, current)


def _steps(session: Session, definition: Definition, instance: WorkflowInstance, facts,
           content: str) -> list[StepView]:
    signed = {s.id: s for s in session.scalars(
        select(SignOff).where(SignOff.id.in_(list(instance.signed.values()))))}
    views, reached = [], False
    for step in definition.steps:
        sign_off = signed.get(instance.signed.get(step.id, -1))
        if sign_off is not None:
            views.append(StepView(step, "done", sign_off, sign_off.content_sha256 == content))
        elif step.id == instance.current_step and instance.status != WorkflowStatus.APPROVED:
            # A return or rejection shows who decided, when and why, like a signature.
            decided = _last_decision(session, instance, step.id) if instance.status in (
                WorkflowStatus.RETURNED, WorkflowStatus.REJECTED) else None
            views.append(StepView(step, {"active": "current", "returned": "returned",
                                         "rejected": "rejected"}.get(instance.status, "next"),
                                  decided))
            reached = True
        elif not step.applies(facts):
            views.append(StepView(step, "skipped"))
        else:
            views.append(StepView(step, "next" if reached or instance.current_step is None else "skipped"))
    return views


def _last_decision(session: Session, instance: WorkflowInstance, step_id: str) -> SignOff | None:
    return session.scalar(select(SignOff).where(
        SignOff.instance_id == instance.id, SignOff.step == step_id,
        SignOff.decision.in_(("return", "reject"))).order_by(SignOff.id.desc()).limit(1))


def _decisions(session: Session, user, case: Case, current: ChainView | None
               ) -> tuple[list[str], WorkflowError | None]:
    if current is None:
        return [], None
    step = current.definition.step(current.instance.current_step)
    if user.role != step.role:
        return [], None
    try:
        check_separation(session, case, current.instance, current.definition, step, user)
    except NotAllowed as refusal:
        return [], refusal
    return list(step.decisions), None
