"""The statistics' day, month and quarter totals and the sets counted distinct
(archive.statistics.totals, .periods) follow every change through the services — decisions,
returns for correction and resubmission, payments, a field corrected, a case edited, an UPDATE
statement — in the same transaction, and always equal a recount from the rows; the page's
figures from the totals, the month's and the quarter's, equal those counted from the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, true, update

from archive.intake.field_corrections import correct_field
from archive.models import (
    Case,
    Document,
    StatisticsDayTotal,
    StatisticsDistinctCount,
    StatisticsFact,
    StatisticsMember,
    StatisticsPeriodTotal,
    WorkflowInstance,
)
from archive.signoff.workdays import today_in_china
from archive.statistics import parse_period, statistics_report
from archive.statistics.claims import claim_figures
from archive.statistics.processing import processing
from archive.statistics.totals import check, rebuild
from tests import factories
from tests.factories import send_for_sign_off, sign, start_claim, walk


def this_month():
    return parse_period(month=today_in_china().strftime("%Y-%m"))


def this_quarter():
    today = today_in_china()
    return parse_period(quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}")


def other_month_of_the_quarter():
    """A moment in another month of this quarter (China noon on its 15th)."""
    today = today_in_china()
    month = today.month + 1 if today.month % 3 == 1 else today.month - 1
    return this_month().start.replace(month=month, day=15, hour=12)


def assert_totals_agree(rt, director) -> None:
    """The kept totals equal a recount, and the reports from them, the month's and the
    quarter's, the reports from the rows."""
    with rt.sessions() as session:
        assert check(session) == []
    for period in (this_month(), this_quarter()):
        assert_report_agrees(rt, director, period)


def assert_report_agrees(rt, director, period) -> None:
    with rt.sessions() as session:
        report = statistics_report(session, session.merge(director), period)
        assert report.claims == claim_figures(session, period, true(), {})
        live = processing(session, period, true())
        assert (report.processing.returns, report.processing.returned_cases, report.processing.chains) == (
            live.returns, live.returned_cases, live.chains)
        assert [(s.definition, s.step, s.decisions, s.returns) for s in report.processing.steps] == [
            (s.definition, s.step, s.decisions, s.returns) for s in live.steps]
        for kept, counted in zip(report.processing.steps, live.steps, strict=True):
            assert kept.mean_hours == pytest.approx(counted.mean_hours, abs=0.011)
            assert kept.max_hours == pytest.approx(counted.max_hours, abs=0.011)


def test_totals_follow_decisions_returns_corrections_and_edits(rt):
    desk = factories.sign_off_desk(rt)
    director = desk["director"]
    paid = start_claim(rt, desk, claim_type="outpatient", amount="300", township="河西乡")
    returned = start_claim(rt, desk, claim_type="inpatient", amount="4200", township="北山镇")
    assert_totals_agree(rt, director)

    # Returned for correction, corrected (a field of its invoice), sent again and paid.
    sign(rt, desk["checker"], returned, decision="return", opinion="材料不全", missing=["发票原件"])
    with rt.sessions.begin() as session:
        document = session.scalar(select(Document).join(Case).where(Case.case_no == returned,
                                                                    Document.kind == "invoice"))
        correct_field(session, document.id, actor=session.merge(desk["intake_clerk"]), field="total_amount",
                      value="4,321.00", reason="按发票原件")
    send_for_sign_off(rt, desk["intake_clerk"], returned)
    assert_totals_agree(rt, director)
    for case_no in (paid, returned):
        walk(rt, desk, case_no)
        assert factories.workflow_state(rt, case_no)["case"] == "paid"
        assert_totals_agree(rt, director)
    with rt.sessions() as session:
        report = statistics_report(session, session.merge(director), this_month())
        assert report.claims.total.paid == 2 and report.processing.returned_cases == 1
        assert report.claims.total.received == 2

    # A case edited after payment moves its figures to its new township.
    with rt.sessions.begin() as session:
        session.scalar(select(Case).where(Case.case_no == paid)).township = "南岭镇"
    assert_totals_agree(rt, director)
    with rt.sessions() as session:
        report = statistics_report(session, session.merge(director), this_month())
        townships = {line.key: line.paid for line in report.claims.dimensions["township"]}
        assert townships == {"南岭镇": 1, "北山镇": 1}


def test_rebuild_repairs_totals_the_rows_moved_past(rt):
    desk = factories.sign_off_desk(rt)
    case_no = start_claim(rt, desk, claim_type="outpatient", amount="300")
    walk(rt, desk, case_no)
    with rt.sessions.begin() as session:  # as if the rows were written around the ORM
        session.execute(delete(StatisticsFact).where(StatisticsFact.kind == "paid"))
        session.execute(delete(StatisticsDayTotal).where(StatisticsDayTotal.kind == "paid"))
    with rt.sessions() as session:
        assert any("counted but not kept" in problem for problem in check(session))
    with rt.sessions.begin() as session:
        facts, totals, period_totals = rebuild(session)
        assert facts > 0 and totals > 0 and period_totals > 0
    assert_totals_agree(rt, desk["director"])


def test_an_update_statement_moves_the_totals_too(rt):
    desk = factories.sign_off_desk(rt)
    case_no = start_claim(rt, desk, claim_type="outpatient", amount="300", township="河西乡")
    walk(rt, desk, case_no)
    with rt.sessions.begin() as session:  # no objects: the statement's own rows are looked up
        session.execute(update(Case).where(Case.case_no == case_no).values(township="北山镇"))
    assert_totals_agree(rt, desk["director"])
    with rt.sessions() as session:
        report = statistics_report(session, session.merge(desk["director"]), this_month())
        assert [line.key for line in report.claims.dimensions["township"]] == ["北山镇"]


def test_init_after_the_migration_counts_the_cases_already_there(rt):
    from alembic import command

    from archive.schema import alembic_config, upgrade
    from archive.setup import initialise

    desk = factories.sign_off_desk(rt)
    walk(rt, desk, start_claim(rt, desk, claim_type="outpatient", amount="300"))
    with rt.engine.begin() as connection:
        config = alembic_config(rt.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0026")  # the totals gone, as before this release
    upgrade(rt.engine)
    with rt.sessions() as session:  # the migration is plain DDL: nothing counted yet
        assert session.scalar(select(StatisticsFact.id).limit(1)) is None
    assert "statistics totals counted for the cases already there" in initialise(rt)
    assert "statistics totals counted for the cases already there" not in initialise(rt)
    assert_totals_agree(rt, desk["director"])
    with rt.sessions() as session:
        report = statistics_report(session, session.merge(desk["director"]), this_month())
        assert report.claims.total.paid == 1 and report.claims.total.received == 1


def test_a_change_is_counted_when_it_is_flushed_before_the_audit_chain_is_locked(rt, monkeypatch):
    """The refresh locks the case's row: it must come when the change is flushed (audit.record
    flushes, then takes the chain lock, the last lock of a transaction), not at commit, when the
    chain lock may be held already and a case locked after it could deadlock a decision."""
    from archive import audit

    desk = factories.sign_off_desk(rt)
    case_no = start_claim(rt, desk, claim_type="outpatient", amount="300", township="河西乡")
    seen_at_lock = []
    lock_chain = audit._lock_chain_and_read_head

    def noting_facts(session):
        seen_at_lock.append((
            set(session.scalars(select(StatisticsFact.township).where(StatisticsFact.case_id == case.id))),
            set(session.scalars(select(StatisticsPeriodTotal.township).where(
                StatisticsPeriodTotal.period == this_quarter().label,
                StatisticsPeriodTotal.kind == "received")))))
        return lock_chain(session)

    monkeypatch.setattr(audit, "_lock_chain_and_read_head", noting_facts)
    with rt.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        case.township = "北山镇"
        audit.record(session, "case.edited", target=case, details={"township": "北山镇"})
    # The facts, and the quarter's totals, had moved before the chain was locked.
    assert seen_at_lock == [({"北山镇"}, {"北山镇"})]
    assert_totals_agree(rt, desk["director"])


def report_of(rt, director, period):
    with rt.sessions() as session:
        return statistics_report(session, session.merge(director), period)


def beneficiaries(report) -> dict:
    return {"total": report.claims.total.beneficiaries,
            **{line.key: line.beneficiaries for line in report.claims.dimensions["township"]}}


def test_the_quarter_and_the_people_paid_follow_payments_edits_and_statements(rt):
    """A person paid twice in a quarter is one beneficiary of it, in each month they were paid;
    the sets follow a payment moved to another month, a case moved to another township, and a
    claimant's ID number changed by an UPDATE statement."""
    desk = factories.sign_off_desk(rt)
    director = desk["director"]
    same = "110101199001011237"
    # Outpatient claims without a daily statement: two stays of one person would overlap.
    first = start_claim(rt, desk, claim_type="outpatient", amount="300", township="河西乡",
                        claimant_id_number=same, documents=("invoice",))
    second = start_claim(rt, desk, claim_type="outpatient", amount="420", township="河西乡",
                         claimant_id_number=same, hospital="县中医院", documents=("invoice",))
    other = start_claim(rt, desk, claim_type="inpatient", amount="5000", township="北山镇",
                        claimant_id_number="110101199202022346")
    for case_no in (first, second, other):
        walk(rt, desk, case_no)
        assert factories.workflow_state(rt, case_no)["case"] == "paid"
    assert_totals_agree(rt, director)
    for period in (this_month(), this_quarter()):
        report = report_of(rt, director, period)
        assert report.claims.total.paid == 3
        assert beneficiaries(report) == {"total": 2, "河西乡": 1, "北山镇": 1}

    # The second payment moved to another month of the quarter: one beneficiary in each month,
    # still one in the quarter (a month's set does not add up to the quarter's).
    with rt.sessions.begin() as session:
        payment = session.scalar(select(WorkflowInstance).join(Case).where(
            Case.case_no == second, WorkflowInstance.definition == "payment"))
        paid_at = payment.finished_at
        payment.finished_at = other_month_of_the_quarter()
    assert_totals_agree(rt, director)
    moved_to = parse_period(month=other_month_of_the_quarter().strftime("%Y-%m"))
    assert_report_agrees(rt, director, moved_to)
    assert beneficiaries(report_of(rt, director, moved_to)) == {"total": 1, "河西乡": 1}
    assert beneficiaries(report_of(rt, director, this_month())) == {"total": 2, "河西乡": 1, "北山镇": 1}
    quarter = report_of(rt, director, this_quarter())
    assert quarter.claims.total.paid == 3
    assert beneficiaries(quarter) == {"total": 2, "河西乡": 1, "北山镇": 1}

    # The first case moved to 北山镇: the person is paid in both townships, once in the county.
    with rt.sessions.begin() as session:
        session.scalar(select(Case).where(Case.case_no == first)).township = "北山镇"
    assert_totals_agree(rt, director)
    assert beneficiaries(report_of(rt, director, this_quarter())) == {"total": 2, "河西乡": 1, "北山镇": 2}

    # An UPDATE statement gives the second case another person: three people in the quarter.
    with rt.sessions.begin() as session:
        session.execute(update(Case).where(Case.case_no == second)
                        .values(claimant_id_number="110101199303033458"))
    assert_totals_agree(rt, director)
    assert beneficiaries(report_of(rt, director, this_quarter())) == {"total": 3, "河西乡": 1, "北山镇": 2}

    # The payment moved back, and its person's sets in the other month are gone with it.
    with rt.sessions.begin() as session:
        payment = session.scalar(select(WorkflowInstance).join(Case).where(
            Case.case_no == second, WorkflowInstance.definition == "payment"))
        payment.finished_at = paid_at
    assert_totals_agree(rt, director)
    with rt.sessions() as session:
        assert not session.scalars(select(StatisticsMember.id).where(
            StatisticsMember.period == moved_to.label)).all()
        assert not session.scalars(select(StatisticsDistinctCount.id).where(
            StatisticsDistinctCount.period == moved_to.label)).all()


def test_a_case_returned_twice_is_one_case_returned_in_the_quarter(rt):
    desk = factories.sign_off_desk(rt)
    case_no = start_claim(rt, desk, claim_type="outpatient", amount="300")
    for corrected in ("301.00", "302.00"):
        sign(rt, desk["checker"], case_no, decision="return", opinion="材料不全", missing=["发票原件"])
        with rt.sessions.begin() as session:
            document = session.scalar(select(Document).join(Case).where(Case.case_no == case_no,
                                                                        Document.kind == "invoice"))
            correct_field(session, document.id, actor=session.merge(desk["intake_clerk"]),
                          field="total_amount", value=corrected, reason="按发票原件")
        send_for_sign_off(rt, desk["intake_clerk"], case_no)
    assert_totals_agree(rt, desk["director"])
    quarter = report_of(rt, desk["director"], this_quarter()).processing
    assert (quarter.returns, quarter.returned_cases) == (2, 1)
    walk(rt, desk, case_no)
    assert_totals_agree(rt, desk["director"])


def test_init_after_upgrading_from_day_totals_counts_the_months_and_quarters(rt):
    from alembic import command

    from archive.schema import alembic_config, upgrade
    from archive.setup import initialise

    desk = factories.sign_off_desk(rt)
    walk(rt, desk, start_claim(rt, desk, claim_type="outpatient", amount="300"))
    with rt.engine.begin() as connection:
        config = alembic_config(rt.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0028")  # facts and day totals kept, no period totals
    upgrade(rt.engine)
    with rt.sessions() as session:
        assert session.scalar(select(StatisticsPeriodTotal.id).limit(1)) is None
        assert session.scalar(select(StatisticsFact.id).limit(1)) is not None
    assert "statistics totals counted for the cases already there" in initialise(rt)
    assert_totals_agree(rt, desk["director"])
    assert report_of(rt, desk["director"], this_quarter()).claims.total.beneficiaries == 1


def test_the_longest_step_of_the_quarter_follows_a_chain_start_moved_and_moved_back(rt):
    """A step's longest time is a maximum, not a sum: when the decision that set it takes less
    time again (its chain's start moved by an UPDATE statement, and back), the quarter's longest
    is the one before."""
    desk = factories.sign_off_desk(rt)
    case_no = start_claim(rt, desk, claim_type="outpatient", amount="300")
    walk(rt, desk, case_no)

    def longest():
        steps = report_of(rt, desk["director"], this_quarter()).processing.steps
        return {(s.definition, s.step): s.max_hours for s in steps}

    before = longest()
    for hours in (-30, 30):
        with rt.sessions.begin() as session:
            chain = session.scalar(select(WorkflowInstance).join(Case).where(Case.case_no == case_no)
                                   .order_by(WorkflowInstance.id).limit(1))
            session.execute(update(WorkflowInstance).where(WorkflowInstance.id == chain.id)
                            .values(started_at=chain.started_at + timedelta(hours=hours)))
        assert_totals_agree(rt, desk["director"])
        if hours < 0:
            assert max(longest().values()) >= 30
    assert longest() == before
