"""Month and quarter totals of the statistics facts, and the sets the statistics count distinct.

The page asks for a month (一月一通报) or a quarter (一季一分析). Summing the day totals of a
quarter read ~90 rows per key, and the figures that do not add up — distinct people paid per
township and in the county (受益率), distinct cases returned — were counted over the period's
facts, tens of thousands of rows at 400,000 cases. Here each fact also counts towards its
month's and its quarter's totals (StatisticsPeriodTotal: one row per period and key), and each
paid person and returned case is a member of its month's and quarter's sets (StatisticsMember,
with how many facts name it) whose sizes are kept beside them (StatisticsDistinctCount): a
member's first fact adds one, its last fact gone takes one away. The page reads a few hundred
rows whatever the period.

archive.statistics.totals moves these with the day totals, from the same facts removed and
added, in the same flush; `rebuild` and `check` here are called from its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy import String, cast, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from archive.models import StatisticsDistinctCount, StatisticsFact, StatisticsMember, StatisticsPeriodTotal
from archive.models.statistics import PERIOD_KEYS
from archive.statistics.period import parse_period
from archive.statistics.sql import month_label, quarter_label

SUMS = ("count", "flagged", "paid_fen", "cost_fen", "costed", "self_funded_fen", "seconds_sum")
NO_TIME = -1e15  # below any step's seconds (as archive.statistics.totals)
SET_KEYS = ("period", "kind", "township")
ROWS_PER_STATEMENT = 500  # rows of one multi-row upsert (bound parameters stay far below limits)


def labels(day: date) -> tuple[str, str]:
    """The month and the quarter a day counts in, as Period.label gives them."""
    return f"{day.year}-{day.month:02d}", f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def memberships(fact: dict) -> list[tuple[str, str, str]]:
    """(kind, township, member) of each set a fact puts a member in: the person paid, in their
    case's township and in the county; the case returned for correction."""
    if fact["kind"] == "paid":
        return [("person", fact["township"], fact["person"]), ("person_all", "", fact["person"])]
    if fact["kind"] == "decision" and fact["flagged"]:
        return [("returned", "", str(fact["case_id"]))]
    return []


def move(session: Session, removed: list[dict], added: list[dict]) -> None:
    """Move the period totals, sets and set sizes by facts removed and added (dicts by column)."""
    _move_sums(session, removed, added)
    _move_members(session, removed, added)


def _upsert(session: Session, table, keys: tuple[str, ...], rows: list[dict], adds, returning):
    """INSERT … ON CONFLICT (keys) DO UPDATE of `rows` in key order (so two transactions lock
    shared rows in one order), `adds(table, excluded)` the columns set on conflict; the rows
    `returning` names, as written."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    rows = sorted(rows, key=lambda row: tuple(str(row[name]) for name in keys))
    out = []
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        statement = upsert(table).values(rows[start:start + ROWS_PER_STATEMENT])
        statement = statement.on_conflict_do_update(index_elements=list(keys),
                                                    set_=adds(table.c, statement.excluded))
        out += session.execute(statement.returning(*[table.c[name] for name in returning])).all()
    return out


def _move_sums(session: Session, removed: list[dict], added: list[dict]) -> None:
    sums: dict[tuple, Counter] = {}
    longest: dict[tuple, float] = {}
    for sign, facts in ((-1, removed), (1, added)):
        for fact in facts:
            cost = fact["cost_fen"]
            for period in labels(fact["day"]):
                key = (period, *(fact[name] for name in PERIOD_KEYS[1:]))
                moved = sums.setdefault(key, Counter())
                moved.update(count=sign, flagged=sign * fact["flagged"], paid_fen=sign * fact["paid_fen"],
                             cost_fen=sign * (cost or 0), costed=sign * (cost is not None),
                             self_funded_fen=sign * fact["self_funded_fen"])
                moved["seconds_sum"] += sign * fact["seconds"]
                if sign > 0:
                    longest[key] = max(longest.get(key, NO_TIME), fact["seconds"])
    if not sums:
        return
    table = StatisticsPeriodTotal.__table__
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max

    def adds(c, excluded):
        return {**{name: c[name] + excluded[name] for name in SUMS},
                "seconds_max": greatest(c.seconds_max, excluded.seconds_max)}

    rows = [{**dict(zip(PERIOD_KEYS, key, strict=True)), **{name: moved.get(name, 0) for name in SUMS},
             "seconds_max": longest.get(key, NO_TIME)} for key, moved in sums.items()]
    written = _upsert(session, table, PERIOD_KEYS, rows, adds, ("id", *PERIOD_KEYS, "count", "seconds_max"))
    # A removed decision as long as its key's longest (to the millisecond its fact keeps) may
    # have been it: that maximum is looked up again (over a quarter's decisions, so only then).
    removed_longest: dict[tuple, float] = {}
    for fact in removed:
        if fact["kind"] == "decision":
            for period in labels(fact["day"]):
                key = (period, *(fact[name] for name in PERIOD_KEYS[1:]))
                removed_longest[key] = max(removed_longest.get(key, NO_TIME), fact["seconds"])
    emptied = []
    for row_id, *key, count, seconds_max in written:
        if not count:
            emptied.append(row_id)  # a key left with nothing counted goes
        elif removed_longest.get(tuple(key), NO_TIME) + 0.001 >= seconds_max:
            session.execute(update(StatisticsPeriodTotal).where(StatisticsPeriodTotal.id == row_id)
                            .values(seconds_max=_longest(tuple(key)).scalar_subquery()))
    if emptied:
        session.execute(delete(StatisticsPeriodTotal).where(StatisticsPeriodTotal.id.in_(emptied)))


def _period(label: str):
    return parse_period(quarter=label) if "Q" in label else parse_period(month=label)


def _longest(key: tuple):
    period = _period(key[0])
    f = StatisticsFact
    return select(func.coalesce(func.max(f.seconds), 0.0)).where(
        f.day >= period.first_day, f.day < period.end_day,
        *[getattr(f, name) == value for name, value in zip(PERIOD_KEYS[1:], key[1:], strict=True)])


def _move_members(session: Session, removed: list[dict], added: list[dict]) -> None:
    moved: Counter = Counter()
    for sign, facts in ((-1, removed), (1, added)):
        for fact in facts:
            for period in labels(fact["day"]):
                for kind, township, member in memberships(fact):
                    moved[(period, kind, township, member)] += sign
    moved = Counter({key: n for key, n in moved.items() if n})
    if not moved:
        return
    keys = (*SET_KEYS, "member")
    rows = [{**dict(zip(keys, key, strict=True)), "facts": n} for key, n in moved.items()]
    written = _upsert(session, StatisticsMember.__table__, keys, rows,
                      lambda c, excluded: {"facts": c.facts + excluded.facts}, ("id", *keys, "facts"))
    sizes: Counter = Counter()
    gone = []
    for row_id, *key, facts in written:
        before = facts - moved[tuple(key)]  # as the row stood when this statement locked it
        if facts <= 0:
            gone.append(row_id)
        if before <= 0 < facts:
            sizes[tuple(key[:3])] += 1
        elif facts <= 0 < before:
            sizes[tuple(key[:3])] -= 1
    if gone:
        session.execute(delete(StatisticsMember).where(StatisticsMember.id.in_(gone)))
    rows = [{**dict(zip(SET_KEYS, key, strict=True)), "members": n} for key, n in sizes.items() if n]
    if rows:
        written = _upsert(session, StatisticsDistinctCount.__table__, SET_KEYS, rows,
                          lambda c, excluded: {"members": c.members + excluded.members}, ("id", "members"))
        empty = [row_id for row_id, members in written if members <= 0]
        if empty:
            session.execute(delete(StatisticsDistinctCount).where(StatisticsDistinctCount.id.in_(empty)))


def rebuild(session: Session) -> int:
    """Count the period totals, sets and set sizes again from the kept facts (after
    archive.statistics.totals.rebuild has counted those); returns the period totals written."""
    dialect = session.get_bind().dialect.name
    for model in (StatisticsDistinctCount, StatisticsMember, StatisticsPeriodTotal):
        session.execute(delete(model))
    f = StatisticsFact
    for label in (month_label(f.day, dialect), quarter_label(f.day, dialect)):
        keys = [label.label("period"), *[getattr(f, name) for name in PERIOD_KEYS[1:]]]
        session.execute(insert(StatisticsPeriodTotal).from_select(
            [*PERIOD_KEYS, *SUMS, "seconds_max"],
            select(*keys, func.count(), func.sum(f.flagged), func.sum(f.paid_fen),
                   func.coalesce(func.sum(f.cost_fen), 0), func.count(f.cost_fen),
                   func.sum(f.self_funded_fen), func.sum(f.seconds), func.max(f.seconds)).group_by(*keys)))
        blank = literal("", String)
        paid, returned = [f.kind == "paid"], [f.kind == "decision", f.flagged != 0]
        sets = [("person", f.township, f.person, paid), ("person_all", blank, f.person, paid),
                ("returned", blank, cast(f.case_id, String), returned)]
        for kind, township, member, where in sets:
            grouped = [label, *[c for c in (township, member) if c is not blank]]
            session.execute(insert(StatisticsMember).from_select(
                [*SET_KEYS, "member", "facts"],
                select(label, literal(kind, String), township, member, func.count()).where(*where)
                .group_by(*grouped)))
    m = StatisticsMember
    session.execute(insert(StatisticsDistinctCount).from_select(
        [*SET_KEYS, "members"], select(m.period, m.kind, m.township, func.count())
        .group_by(m.period, m.kind, m.township)))
    return session.scalar(select(func.count()).select_from(StatisticsPeriodTotal))


def check(session: Session, counted: Iterable[tuple[dict, int]]) -> list[str]:
    """The differences between the kept period totals, sets and set sizes and those summed by
    hand from `counted` (each fact of a recount, with how many times it occurs)."""
    totals: dict[tuple, list] = {}
    members: Counter = Counter()
    for fact, times in counted:
        cost = fact["cost_fen"]
        for period in labels(fact["day"]):
            total = totals.setdefault((period, *(fact[name] for name in PERIOD_KEYS[1:])),
                                      [0, 0, 0, 0, 0, 0, 0.0, NO_TIME])
            for place, value in enumerate((1, fact["flagged"], fact["paid_fen"], cost or 0,
                                           int(cost is not None), fact["self_funded_fen"])):
                total[place] += times * value
            total[6] += times * fact["seconds"]
            total[7] = max(total[7], fact["seconds"])
            for kind, township, member in memberships(fact):
                members[(period, kind, township, member)] += times
    sizes = Counter(key[:3] for key in members)
    problems = []
    columns = [getattr(StatisticsPeriodTotal, name) for name in (*PERIOD_KEYS, *SUMS, "seconds_max")]
    kept = {tuple(row[:len(PERIOD_KEYS)]): [int(v) for v in row[len(PERIOD_KEYS):-2]]
            + [float(v) for v in row[-2:]] for row in session.execute(select(*columns))}
    for key in sorted(set(kept) | set(totals), key=str):
        have, want = kept.get(key), totals.get(key)
        # Each fact's seconds are compared to the millisecond: its sum, to that per fact.
        slack = 0.01 + 0.001 * (want[0] if want else 0)
        if have is None or want is None or have[:6] != want[:6] or abs(have[6] - want[6]) > slack or abs(
                have[7] - want[7]) > 0.01:
            problems.append(f"period total {key}: kept {have}, counted {want}")
    m = StatisticsMember
    kept_members = {tuple(row[:4]): int(row[4]) for row in session.execute(
        select(m.period, m.kind, m.township, m.member, m.facts))}
    for key in sorted(set(kept_members) | set(members), key=str):
        if kept_members.get(key) != members.get(key):
            problems.append(f"member {key}: kept {kept_members.get(key)} facts, counted {members.get(key)}")
    d = StatisticsDistinctCount
    kept_sizes = {tuple(row[:3]): int(row[3]) for row in session.execute(
        select(d.period, d.kind, d.township, d.members))}
    for key in sorted(set(kept_sizes) | set(sizes), key=str):
        if kept_sizes.get(key) != sizes.get(key):
            problems.append(f"distinct count {key}: kept {kept_sizes.get(key)}, counted {sizes.get(key)}")
    return problems
