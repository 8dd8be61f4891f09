"""Payments committed at the same moment, on PostgreSQL: the sets the statistics count distinct
(people paid per township and in the county, archive.statistics.periods) are moved by each
payment's transaction while the others are open, and must still hold each person once — no
deadlock between the transactions, no update lost to another."""

from __future__ import annotations

import re
import threading
import time
from datetime import date

import pytest
from sqlalchemy import select, text

from archive.models import Case, StatisticsDistinctCount, StatisticsMember
from archive.statistics import periods, statistics_report, totals
from archive.statistics.totals import check
from tests import factories
from tests.integration.test_statistics_totals import this_month, this_quarter

pytestmark = pytest.mark.postgres

PERSON = "110101199001011237"
PAYMENTS = 4


@pytest.fixture
def rt(make_rt, postgres, request):
    import psycopg

    name = "concurrency_" + re.sub(r"[^a-z0-9]", "", request.node.name.lower())[-40:]
    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_rt(ARCHIVE_DATABASE_URL=postgres.url(name))


def pay_at_once(rt, desk, case_nos: list[str], monkeypatch) -> list[BaseException]:
    """The last sign-off of each case's payment, each in a thread with its own session; every
    transaction has written its decision and waits for the others before any counts it, so the
    statistics of all of them are moved while all are open. The errors raised, if any."""
    together = threading.Barrier(len(case_nos))
    first = threading.local()
    refresh = totals.refresh

    def refresh_together(session, case_ids):
        if not getattr(first, "passed", False):
            first.passed = True
            together.wait(timeout=60)
        return refresh(session, case_ids)

    monkeypatch.setattr(totals, "refresh", refresh_together)
    errors: list[BaseException] = []

    def pay(case_no):
        try:
            _chain, step, role = factories.active_step(rt, case_no)
            assert step == "accountant_check"
            factories.sign(rt, desk[role], case_no)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=pay, args=(case_no,)) for case_no in case_nos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    monkeypatch.setattr(totals, "refresh", refresh)
    return errors


def test_payments_of_one_person_committed_at_once_count_them_once(rt, monkeypatch):
    desk = factories.sign_off_desk(rt)
    # Outpatient claims without a daily statement: stays of one person would overlap.
    case_nos = [factories.start_claim(rt, desk, claim_type="outpatient", amount=f"{300 + n}",
                                      township="河西乡", claimant_id_number=PERSON,
                                      hospital=f"第{n}医院", documents=("invoice",))
                for n in range(PAYMENTS)]
    case_nos.append(factories.start_claim(rt, desk, claim_type="outpatient", amount="500",
                                          township="北山镇", claimant_id_number=PERSON,
                                          documents=("invoice",)))
    for case_no in case_nos:
        factories.walk(rt, desk, case_no, until="accountant_check")

    assert pay_at_once(rt, desk, case_nos, monkeypatch) == []

    with rt.sessions() as session:
        cases = list(session.scalars(select(Case).where(Case.case_no.in_(case_nos))))
        assert {case.status for case in cases} == {"paid"}
        assert check(session) == []  # facts, totals, sets and their sizes as a recount has them
        for period in (this_month(), this_quarter()):
            # By hand: the person in each township they were paid in, and once in the county.
            paid_in = {case.township for case in cases}
            assert set(session.execute(select(StatisticsMember.kind, StatisticsMember.township,
                                              StatisticsMember.member, StatisticsMember.facts)
                                       .where(StatisticsMember.period == period.label))) == {
                ("person", "河西乡", PERSON, PAYMENTS), ("person", "北山镇", PERSON, 1),
                ("person_all", "", PERSON, PAYMENTS + 1)}
            sizes = dict(session.execute(select(StatisticsDistinctCount.township,
                                                StatisticsDistinctCount.members)
                                         .where(StatisticsDistinctCount.period == period.label,
                                                StatisticsDistinctCount.kind == "person")).all())
            assert sizes == {township: 1 for township in paid_in}
            report = statistics_report(session, session.merge(desk["director"]), period)
            assert report.claims.total.paid == PAYMENTS + 1
            assert report.claims.total.beneficiaries == 1
            assert {line.key: line.beneficiaries for line in report.claims.dimensions["township"]} == {
                "河西乡": 1, "北山镇": 1}


def paid(case_id: int, township: str = "河西乡") -> dict:
    return {"case_id": case_id, "day": date(2026, 3, 10), "kind": "paid", "claim_type": "outpatient",
            "township": township, "village": "", "hospital": "", "definition": "", "step": "",
            "flagged": 0, "paid_fen": 100, "cost_fen": 100, "self_funded_fen": 0, "seconds": 0.0,
            "person": PERSON}


def wait_for_a_lock_wait(rt, thread) -> None:
    """Until a session of the test's database waits for a row lock (or the thread has ended)."""
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND wait_event_type = 'Lock'")
    with rt.engine.connect() as connection:
        for _attempt in range(600):
            found = connection.execute(waiting).scalar()
            # pg_stat_activity is a snapshot taken once per transaction: a new one each poll,
            # or a poll made before the other session blocked would be read again for ever.
            connection.rollback()
            if found or not thread.is_alive():
                return
            time.sleep(0.1)
    raise AssertionError("the second transaction never waited for the first")


def sets_of(session) -> tuple[set, set]:
    members = set(session.execute(select(StatisticsMember.period, StatisticsMember.kind,
                                         StatisticsMember.township, StatisticsMember.facts)))
    sizes = set(session.execute(select(StatisticsDistinctCount.period, StatisticsDistinctCount.kind,
                                       StatisticsDistinctCount.township, StatisticsDistinctCount.members)))
    return members, sizes


@pytest.mark.parametrize("first_removes", [False, True], ids=["both_add", "one_removes_one_adds"])
def test_a_set_moved_by_a_transaction_waiting_on_another_counts_its_member_once(rt, first_removes):
    """The sets' own race, interleaved by hand: one transaction moves the person's set and stays
    open; another moves the same set meanwhile (it waits on the first's row), then the first
    commits. The second must see the first's member (none added twice), or its removal (the
    member counted again), when it writes — not the set as it stood when it began."""
    if first_removes:  # the person paid once already, committed: the first takes that away
        with rt.sessions.begin() as session:
            periods.move(session, [], [paid(1)])
    first = rt.sessions()
    first.begin()
    if first_removes:
        periods.move(first, [paid(1)], [])
    else:
        periods.move(first, [], [paid(1)])
    moved = threading.Event()
    errors: list[BaseException] = []

    def second():
        try:
            with rt.sessions.begin() as session:
                periods.move(session, [], [paid(2)])
            moved.set()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    wait_for_a_lock_wait(rt, thread)  # the second holds on the first's rows
    assert not moved.is_set()
    first.commit()
    first.close()
    thread.join(timeout=60)
    assert errors == [] and moved.is_set()
    with rt.sessions() as session:
        members, sizes = sets_of(session)
    facts = 1 if first_removes else 2
    assert members == {(period, kind, township, facts) for period in ("2026-03", "2026-Q1")
                       for kind, township in (("person", "河西乡"), ("person_all", ""))}
    assert sizes == {(period, kind, township, 1) for period in ("2026-03", "2026-Q1")
                     for kind, township in (("person", "河西乡"), ("person_all", ""))}
