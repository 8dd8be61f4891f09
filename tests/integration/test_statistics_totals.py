"""The statistics' day totals (archive.statistics.totals) follow every change through the
services — decisions, returns for correction and resubmission, payments, a field corrected, a
case edited — in the same transaction, and always equal a recount from the rows; the page's
figures from the totals equal those counted from the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, true, update

from archive.intake.field_corrections import correct_field
from archive.models import Case, Document, StatisticsDayTotal, StatisticsFact
from archive.signoff.workdays import today_in_china
from archive.statistics import parse_period, statistics_report
from archive.statistics.claims import claim_figures
from archive.statistics.processing import processing
from archive.statistics.totals import check, rebuild
from tests import factories
from tests.factories import send_for_sign_off, sign, start_claim, walk


def this_month():
    return parse_period(month=today_in_china().strftime("%Y-%m"))


def assert_totals_agree(rt, director) -> None:
    """The kept totals equal a recount, and the report from them the report from the rows."""
    period = this_month()
    with rt.sessions() as session:
        assert check(session) == []
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
        facts, totals = rebuild(session)
        assert facts > 0 and totals > 0
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
        seen_at_lock.append(set(session.scalars(select(StatisticsFact.township)
                                                .where(StatisticsFact.case_id == case.id))))
        return lock_chain(session)

    monkeypatch.setattr(audit, "_lock_chain_and_read_head", noting_facts)
    with rt.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        case.township = "北山镇"
        audit.record(session, "case.edited", target=case, details={"township": "北山镇"})
    assert seen_at_lock == [{"北山镇"}]  # the facts had moved before the chain was locked
    assert_totals_agree(rt, desk["director"])
