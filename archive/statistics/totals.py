"""Per-day totals of the statistics (统计), kept in the transaction that changes what they count.

Every countable event of a case is a fact (archive.models.StatisticsFact): the case received,
each payment run approved, each chain run ended, each decision signed. A fact is worked out by
the same SQL as the live figures (archive.statistics.claims, .processing), so the two cannot
mean different things. The day totals (StatisticsDayTotal) are the facts summed per day and
key; the statistics page reads them instead of aggregating a period's cases, payments and
sign-offs (at 400,000 cases that took seconds).

One listener on the runtime's session factory (`install`, as archive.follow_ups) notes every
case whose rows a flush or an UPDATE/DELETE statement wrote — the case itself, its documents,
workflow runs and sign-offs — and, as each flush writes them (the rest before the transaction
commits), replaces those cases' facts and moves the day totals by the difference. Every path
(web, API, CLI, jobs) writes through those sessions, so none can leave the totals behind; a
rollback takes the totals with it.
`rebuild` counts everything again (data written with plain SQL, outside the sessions), `check`
compares the facts and totals with a recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased, sessionmaker

from archive.claims.service import AMOUNT_PAID
from archive.models import (
    Case,
    Document,
    SignOff,
    StatisticsDayTotal,
    StatisticsFact,
    StatisticsPeriodTotal,
    WorkflowInstance,
)
from archive.models.statistics import KEYS
from archive.models.workflow import WorkflowStatus
from archive.statistics import periods
from archive.statistics.claims import NOT_CLAIMS, exists_entry, invoice_costs, paying_steps
from archive.statistics.sql import fen, local_date, seconds_between

ENDED = (WorkflowStatus.APPROVED, WorkflowStatus.REJECTED)
MEASURES = ("flagged", "paid_fen", "cost_fen", "self_funded_fen", "seconds", "person")
SUMS = ("count", "flagged", "paid_fen", "cost_fen", "costed", "self_funded_fen", "seconds_sum")  # added up
FACT_COLUMNS = ("case_id", "source_id", *KEYS, *MEASURES)
TRACKED = (Case, Document, WorkflowInstance, SignOff)
PENDING = "archive.statistics.pending"
CHUNK = 500  # cases refreshed per round of queries
NO_TIME = -1e15  # below any step's seconds (a decision may be stamped a moment before its run)


def _row(case_id, source_id, day, kind: str, *, claim_type="", township="", village="", hospital="",
         definition="", step="", flagged=0, paid_fen=0, cost_fen=None, self_funded_fen=0, seconds=0.0,
         person=""):
    """The columns of a fact, in FACT_COLUMNS order, as SQL expressions."""
    values = (case_id, source_id, day, kind, claim_type, township, village, hospital, definition, step,
              flagged, paid_fen, cost_fen, self_funded_fen, seconds, person)
    types = {"source_id": Integer, "cost_fen": Integer, "seconds": Float, "flagged": Integer,
             "paid_fen": Integer, "self_funded_fen": Integer}
    out = []
    for name, value in zip(FACT_COLUMNS, values, strict=True):
        if value is None:
            value = cast(null(), types.get(name, String))
        elif not hasattr(value, "label"):
            value = literal(value, types.get(name, String))
        out.append(value.label(name))
    return out


def fact_query(dialect: str, cases=None):
    """Every fact of the cases `cases` selects (a SELECT of case ids), or of all cases."""
    def of(column):
        return [] if cases is None else [column.in_(cases)]

    blank = literal("", String)
    received = select(*_row(
        Case.id, None, local_date(Case.created_at, dialect), "received", claim_type=Case.claim_type,
        township=func.coalesce(Case.township, blank), village=func.coalesce(Case.village, blank),
        hospital=func.coalesce(Case.hospital, blank))).where(Case.claim_type.not_in(NOT_CLAIMS), *of(Case.id))

    definitions, steps = paying_steps()
    entered = (select(SignOff.findings[AMOUNT_PAID].as_string())
               .where(SignOff.instance_id == WorkflowInstance.id, SignOff.step.in_(steps),
                      SignOff.decision == "approve")
               .order_by(SignOff.seq.desc()).limit(1).scalar_subquery())
    costs = invoice_costs(select(WorkflowInstance.case_id).where(
        WorkflowInstance.definition.in_(definitions), WorkflowInstance.status == WorkflowStatus.APPROVED,
        *of(WorkflowInstance.case_id)), dialect)
    person = func.coalesce(func.nullif(Case.claimant_id_number, ""), func.nullif(Case.insurance_number, ""),
                           Case.case_no)
    paid = (select(*_row(
        Case.id, WorkflowInstance.id, local_date(WorkflowInstance.finished_at, dialect), "paid",
        claim_type=Case.claim_type, township=func.coalesce(Case.township, blank),
        village=func.coalesce(Case.village, blank), hospital=func.coalesce(Case.hospital, blank),
        paid_fen=func.coalesce(fen(entered, dialect), 0),
        cost_fen=func.coalesce(costs.c.total_fen, Case.amount_fen),
        self_funded_fen=func.coalesce(costs.c.self_funded_fen, 0), person=person))
        .select_from(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
        .outerjoin(costs, costs.c.case_id == Case.id)
        .where(WorkflowInstance.definition.in_(definitions),
               WorkflowInstance.status == WorkflowStatus.APPROVED,
               WorkflowInstance.finished_at.is_not(None), Case.claim_type.not_in(NOT_CLAIMS),
               exists_entry(steps), *of(WorkflowInstance.case_id)))

    late = local_date(WorkflowInstance.finished_at, dialect) > WorkflowInstance.chain_due_on
    finished = select(*_row(
        WorkflowInstance.case_id, WorkflowInstance.id, local_date(WorkflowInstance.finished_at, dialect),
        "finished", definition=WorkflowInstance.definition, flagged=case((late, 1), else_=0))).where(
        WorkflowInstance.status.in_(ENDED), WorkflowInstance.finished_at.is_not(None),
        *of(WorkflowInstance.case_id))

    earlier = aliased(SignOff)
    previous = (select(func.max(earlier.signed_at))
                .where(earlier.instance_id == SignOff.instance_id, earlier.seq < SignOff.seq)
                .scalar_subquery())
    decided = (select(*_row(
        SignOff.case_id, SignOff.id, local_date(SignOff.signed_at, dialect), "decision",
        definition=WorkflowInstance.definition, step=SignOff.step,
        flagged=case((SignOff.decision == "return", 1), else_=0),
        seconds=seconds_between(SignOff.signed_at, func.coalesce(previous, WorkflowInstance.started_at),
                                dialect)))
        .join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id).where(*of(SignOff.case_id)))
    return union_all(received, paid, finished, decided)


def _normal(row) -> tuple:
    """A fact as a comparable tuple (SQLite gives the day as text, PostgreSQL as a date)."""
    values = list(row)
    day = FACT_COLUMNS.index("day")
    values[day] = date.fromisoformat(str(values[day]))
    for name in ("source_id", "flagged", "paid_fen", "cost_fen", "self_funded_fen"):
        at = FACT_COLUMNS.index(name)
        values[at] = None if values[at] is None else int(values[at])
    seconds = FACT_COLUMNS.index("seconds")
    values[seconds] = round(float(values[seconds] or 0.0), 3)
    return tuple(values)


def refresh(session: Session, case_ids: Iterable[int]) -> None:
    """Replace the facts of `case_ids` with what their rows say now, and move the day totals by
    the difference (nothing moves for a case whose facts did not change)."""
    ids = sorted(set(case_ids))
    dialect = session.get_bind().dialect.name
    # The totals move once, after every chunk, in key order: two transactions refreshing many
    # cases lock the total rows in the same order, chunk boundaries or not.
    removed_facts: list[tuple] = []
    added_facts: list[tuple] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        if dialect == "postgresql":  # two transactions refreshing one case: one after the other
            session.execute(select(Case.id).where(Case.id.in_(chunk)).with_for_update())
        columns = [getattr(StatisticsFact, name) for name in FACT_COLUMNS]
        old: dict[tuple, list[int]] = {}
        for fact_id, *values in session.execute(
                select(StatisticsFact.id, *columns).where(StatisticsFact.case_id.in_(chunk))):
            old.setdefault(_normal(values), []).append(fact_id)
        new = Counter(_normal(row) for row in session.execute(fact_query(dialect, chunk)))
        removed, added = [], []
        for fact, ids_of in old.items():
            surplus = len(ids_of) - new.get(fact, 0)
            removed += [(fact, fact_id) for fact_id in ids_of[:max(surplus, 0)]]
        for fact, count in new.items():
            added += [fact] * max(count - len(old.get(fact, ())), 0)
        if removed:
            session.execute(delete(StatisticsFact).where(StatisticsFact.id.in_([i for _, i in removed])))
        if added:
            session.execute(insert(StatisticsFact),
                            [dict(zip(FACT_COLUMNS, fact, strict=True)) for fact in added])
        removed_facts += [fact for fact, _ in removed]
        added_facts += added
    _move_totals(session, removed_facts, added_facts)
    periods.move(session, [_named(fact) for fact in removed_facts], [_named(fact) for fact in added_facts])


def _named(fact: tuple) -> dict:
    return dict(zip(FACT_COLUMNS, fact, strict=True))


def _key(fact: tuple) -> tuple:
    return tuple(fact[FACT_COLUMNS.index(name)] for name in KEYS)


def _in_order(item: tuple) -> tuple:
    """A total's key as it sorts (None last): every transaction upserts its rows in this order."""
    return tuple((True, 0) if part is None else (False, part) for part in item[0])


def _move_totals(session: Session, removed: list[tuple], added: list[tuple]) -> None:
    sums: dict[tuple, Counter] = {}
    longest: dict[tuple, float] = {}
    index = {name: FACT_COLUMNS.index(name) for name in MEASURES}
    for sign, facts in ((-1, removed), (1, added)):
        for fact in facts:
            moved = sums.setdefault(_key(fact), Counter())
            cost = fact[index["cost_fen"]]
            moved.update(count=sign, flagged=sign * fact[index["flagged"]],
                         paid_fen=sign * fact[index["paid_fen"]], cost_fen=sign * (cost or 0),
                         costed=sign * (cost is not None),
                         self_funded_fen=sign * fact[index["self_funded_fen"]])
            moved["seconds_sum"] += sign * fact[index["seconds"]]
            if sign > 0:
                longest[_key(fact)] = max(longest.get(_key(fact), NO_TIME), fact[index["seconds"]])
    if not sums:
        return
    table = StatisticsDayTotal.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    rows = [{**dict(zip(KEYS, key, strict=True)), **{name: moved.get(name, 0) for name in SUMS},
             "seconds_max": longest.get(key, NO_TIME)} for key, moved in sorted(sums.items(), key=_in_order)]
    statement = upsert(table)
    adds = {name: table.c[name] + statement.excluded[name] for name in SUMS}
    greatest = func.greatest if dialect == "postgresql" else func.max
    adds["seconds_max"] = greatest(table.c.seconds_max, statement.excluded.seconds_max)
    session.execute(statement.on_conflict_do_update(index_elements=list(KEYS), set_=adds), rows)
    # A removed decision may have been its key's longest: that maximum is looked up again.
    shrunk = {_key(fact) for fact in removed if fact[FACT_COLUMNS.index("kind")] == "decision"}
    for key in shrunk:
        facts = select(func.coalesce(func.max(StatisticsFact.seconds), 0.0)).where(
            *[getattr(StatisticsFact, name) == value for name, value in zip(KEYS, key, strict=True)])
        session.execute(update(StatisticsDayTotal).where(_is_key(key)).values(seconds_max=facts.scalar_subquery()))
    days = sorted({key[0] for key in sums})  # a key left with nothing counted goes
    session.execute(delete(StatisticsDayTotal).where(StatisticsDayTotal.count == 0,
                                                     StatisticsDayTotal.day.in_(days)))


def _is_key(key: tuple):
    return and_(*[getattr(StatisticsDayTotal, name) == value for name, value in zip(KEYS, key, strict=True)])


def rebuild(session: Session) -> tuple[int, int, int]:
    """Count every fact, day total and period total (with the sets counted distinct) again
    from the rows (after data written around the ORM, or to repair); returns (facts, day
    totals, period totals)."""
    dialect = session.get_bind().dialect.name
    session.execute(delete(StatisticsDayTotal))
    session.execute(delete(StatisticsFact))
    facts = fact_query(dialect).subquery("facts")
    session.execute(insert(StatisticsFact).from_select(list(FACT_COLUMNS), select(*facts.c)))
    session.execute(insert(StatisticsDayTotal).from_select(
        [*KEYS, *SUMS, "seconds_max"], _summed(StatisticsFact.__table__)))
    period_totals = periods.rebuild(session)
    return (session.scalar(select(func.count()).select_from(StatisticsFact)),
            session.scalar(select(func.count()).select_from(StatisticsDayTotal)), period_totals)


def count_if_never_counted(session: Session) -> bool:
    """Count everything once where cases exist but no fact does (an installation upgraded from
    before the totals, or restored from such a backup), or facts do but no period total (one
    upgraded from before the period totals): every case has its `received` fact from the
    moment it is written, and every fact its period totals. Returns whether it counted."""
    if session.scalar(select(StatisticsFact.id).limit(1)) is not None:
        if session.scalar(select(StatisticsPeriodTotal.id).limit(1)) is not None:
            return False
        rebuild(session)
        return True
    if session.scalar(select(Case.id).limit(1)) is None:
        return False
    rebuild(session)
    return True


def _summed(facts):
    keys = [facts.c[name] for name in KEYS]
    return (select(*keys, func.count(), func.sum(facts.c.flagged), func.sum(facts.c.paid_fen),
                   func.coalesce(func.sum(facts.c.cost_fen), 0), func.count(facts.c.cost_fen),
                   func.sum(facts.c.self_funded_fen), func.sum(facts.c.seconds), func.max(facts.c.seconds))
            .group_by(*keys))


def check(session: Session) -> list[str]:
    """The differences between the kept facts and day totals and a recount from the rows
    (empty when they agree)."""
    dialect = session.get_bind().dialect.name
    kept = Counter(_normal(row) for row in session.execute(
        select(*[getattr(StatisticsFact, name) for name in FACT_COLUMNS])))
    counted = Counter(_normal(row) for row in session.execute(fact_query(dialect)))
    problems = [f"fact kept but not counted: {fact}" for fact in (kept - counted)]
    problems += [f"fact counted but not kept: {fact}" for fact in (counted - kept)]
    recounted: dict[tuple, list] = {}
    at = {name: FACT_COLUMNS.index(name) for name in MEASURES}
    for fact, times in counted.items():  # summed here, by hand: the recount owes the SQL nothing
        cost = fact[at["cost_fen"]]
        total = recounted.setdefault(_key(fact), [0, 0, 0, 0, 0, 0, 0.0, NO_TIME])
        for place, value in enumerate((1, fact[at["flagged"]], fact[at["paid_fen"]], cost or 0,
                                       int(cost is not None), fact[at["self_funded_fen"]])):
            total[place] += times * value
        total[6] += times * fact[at["seconds"]]
        total[7] = max(total[7], fact[at["seconds"]])
    columns = [getattr(StatisticsDayTotal, name) for name in (*KEYS, *SUMS, "seconds_max")]
    kept_totals = {}
    for row in session.execute(select(*columns)):
        key = (date.fromisoformat(str(row[0])), *row[1:len(KEYS)])
        kept_totals[key] = [int(v) for v in row[len(KEYS):-2]] + [float(v) for v in row[-2:]]
    for key in sorted(set(kept_totals) | set(recounted), key=str):
        kept, want = kept_totals.get(key), recounted.get(key)
        if kept is None or want is None or kept[:6] != want[:6] or any(
                abs(a - b) > 0.01 for a, b in zip(kept[6:], want[6:], strict=True)):
            problems.append(f"day total {key}: kept {kept}, counted {want}")
    return problems + periods.check(session, [(_named(fact), times) for fact, times in counted.items()])


def install(sessions: sessionmaker[Session]) -> None:
    """Keep the facts and day totals of every case a session of `sessions` writes."""

    @event.listens_for(sessions, "before_flush")
    def _note(session: Session, _context, _instances) -> None:
        pending = session.info.setdefault(PENDING, [])
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, TRACKED):
                pending.append(obj)

    @event.listens_for(sessions, "do_orm_execute")
    def _note_bulk(state) -> None:
        """An UPDATE or DELETE statement over tracked rows (no objects to note): the cases of the
        rows it will change, looked up with its own condition before it runs."""
        if not (state.is_update or state.is_delete):
            return
        entity = state.statement.entity_description.get("entity")
        if entity not in TRACKED:
            return
        column = entity.id if entity is Case else entity.case_id
        where = state.statement.whereclause
        ids = state.session.scalars(select(column) if where is None else select(column).where(where)).all()
        state.session.info.setdefault(PENDING, []).extend(ids)

    # Counted as each flush writes, not at commit: the refresh locks the cases' rows, and a
    # change locks its case before the audit chain (audit.record flushes the change, then takes
    # the chain lock, the last lock of a transaction). At commit the chain lock may already be
    # held, and a case locked after it would invert that order: a deadlock with a decision that
    # holds the case and waits for the chain.
    @event.listens_for(sessions, "after_flush_postexec")
    def _count_flushed(session: Session, _context) -> None:
        _count(session)

    @event.listens_for(sessions, "before_commit")
    def _count_before_commit(session: Session) -> None:
        session.flush()
        _count(session)  # cases an UPDATE/DELETE statement wrote since the last flush

    def _count(session: Session) -> None:
        with session.no_autoflush:
            while pending := session.info.pop(PENDING, None):
                ids = {_case_id(obj) for obj in pending} - {None}
                if ids:
                    refresh(session, ids)

    @event.listens_for(sessions, "after_soft_rollback")
    def _forget(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:
            session.info.pop(PENDING, None)


def _case_id(obj) -> int | None:
    if isinstance(obj, int):
        return obj
    if isinstance(obj, Case):
        return obj.id
    case_id = obj.case_id
    if case_id is None and getattr(obj, "case", None) is not None:
        return obj.case.id
    return case_id
