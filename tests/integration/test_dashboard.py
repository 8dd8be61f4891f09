"""The dashboard's numbers against data with known dates: queue deadlines, and work per ISO week in
the agency's time zone (a case opened at 00:30 on Monday in China is in the new week)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from archive.dashboard import Deadlines, dashboard, deadline_counts, throughput
from archive.models import Case, WorkflowInstance
from archive.signoff.workdays import today_in_china
from archive.workflows import work_queue
from tests import factories

WEDNESDAY = date(2026, 11, 25)  # ISO week 2026-W48 runs Monday 23 to Sunday 29 November


def set_due(rt, case_no, due_on):
    """Test setup: the step's deadline falls on `due_on`."""
    with rt.sessions.begin() as session:
        case_id = session.scalar(select(Case.id).where(Case.case_no == case_no))
        session.execute(update(WorkflowInstance).where(WorkflowInstance.case_id == case_id)
                        .values(due_on=due_on))


def opened_at(rt, case_no, moment):
    """Test setup: the case was opened at `moment` (UTC)."""
    with rt.sessions.begin() as session:
        session.execute(update(Case).where(Case.case_no == case_no).values(created_at=moment))


def test_deadline_counts_match_the_queue(rt, desk):
    dues = [WEDNESDAY - timedelta(days=1), WEDNESDAY, date(2026, 11, 29), date(2026, 11, 30)]
    for n, due in enumerate(dues):
        set_due(rt, factories.start_claim(rt, desk, claim_type="outpatient", amount="100",
                                          documents=("invoice",), seed=n), due)
    with rt.sessions() as session:
        counts = deadline_counts(session, desk["checker"], today=WEDNESDAY)
        assert counts.waiting == work_queue(session, desk["checker"], today=WEDNESDAY).total == 4
        assert (counts.overdue, counts.due_this_week) == (1, 2)
        # The clerk who opened them may not check them: nothing waits for that clerk.
        assert deadline_counts(session, desk["intake_clerk"], today=WEDNESDAY) == Deadlines(0, 0, 0)
        board = dashboard(session, desk["checker"], today=WEDNESDAY, urgent=2)
        assert [item.flags.overdue for item in board.urgent.items] == [True, False]


def test_cases_opened_per_iso_week_in_china_time(rt, desk):
    clerk = desk["intake_clerk"]
    moments = [datetime(2026, 11, 22, 15, 59, tzinfo=UTC),   # Sunday 23:59 in China: W47
               datetime(2026, 11, 22, 16, 30, tzinfo=UTC),   # Monday 00:30 in China: W48
               datetime(2026, 11, 25, 3, 0, tzinfo=UTC),     # W48
               datetime(2026, 11, 8, 10, 0, tzinfo=UTC)]     # W45: before the three weeks shown
    for n, moment in enumerate(moments):
        opened_at(rt, factories.make_case(rt, clerk, claimant_name=f"病人{n}"), moment)
    other = factories.make_user(rt, "intake_clerk", "u_other_clerk")
    opened_at(rt, factories.make_case(rt, other), datetime(2026, 11, 18, 2, 0, tzinfo=UTC))  # W47
    with rt.sessions() as session:
        shown = {s.name: s for s in throughput(session, clerk, weeks=3, today=WEDNESDAY)}
    assert [w.label for w in shown["opened_by_me"].weeks] == ["2026-W46", "2026-W47", "2026-W48"]
    assert [w.count for w in shown["opened_by_me"].weeks] == [0, 1, 2]
    assert [w.count for w in shown["opened"].weeks] == [0, 2, 2]
    assert shown["opened"].total == 4 and shown["opened"].peak == 2


def test_sign_offs_by_me_and_by_my_role_and_the_series_each_desk_gets(rt, desk):
    second = factories.make_user(rt, "reviewer", "u_second_reviewer")
    for n, reviewer in enumerate((desk["reviewer"], second, second)):
        case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="100",
                                        documents=("invoice",), seed=n)
        factories.walk(rt, desk, case_no, until="initial_review")
        factories.sign(rt, reviewer, case_no)
    signed_on = today_in_china()  # the sign-offs were made just now
    later = signed_on + timedelta(days=14)  # two weeks on, they sit in the third-last week
    with rt.sessions() as session:
        mine = {s.name: [w.count for w in s.weeks]
                for s in throughput(session, second, weeks=4, today=later)}
        names = {role: [s.name for s in throughput(session, desk[role], weeks=2)]
                 for role in ("reviewer", "intake_clerk", "archivist", "admin")}
    assert mine == {"signed_by_me": [0, 2, 0, 0], "signed_by_role": [0, 3, 0, 0]}
    assert names["reviewer"] == ["signed_by_me", "signed_by_role"]
    assert names["intake_clerk"] == ["signed_by_me", "signed_by_role", "opened_by_me", "opened"]
    assert names["archivist"] == ["signed_by_me", "signed_by_role", "filed"]  # files audits too
    assert names["admin"] == ["opened_by_me", "opened", "filed"]
