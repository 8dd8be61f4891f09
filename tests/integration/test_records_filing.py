"""Classifying and filing closed cases on SQLite and PostgreSQL: when a case is closed, record
classes, archive numbers (档号) gap-free per fonds/year/retention, also under real concurrency."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from archive.auth import Forbidden
from archive.models import ArchiveRecord, AuditEvent, Case
from archive.models.sequences import next_in_sequence
from archive.records.errors import CaseFiled, Invalid, RecordsError
from archive.records.filing import closed_on, file_case, set_record_class
from archive.retention import china_date
from tests import factories


def closed(rt, case_no):
    with rt.sessions() as session:
        return closed_on(session, session.scalar(select(Case).where(Case.case_no == case_no)))


def test_a_case_is_closed_when_its_sign_off_is_over_for_good(rt, desk):
    # In review: open.
    paid = factories.start_claim(rt, desk, claim_type="outpatient", amount="100", documents=("invoice",))
    assert closed(rt, paid) is None
    # Approved by the claim chain, but the payment chain follows: still open.
    factories.walk(rt, desk, paid, until="cashier_entry")
    assert factories.workflow_state(rt, paid)["case"] == "in_review"
    assert closed(rt, paid) is None
    factories.walk(rt, desk, paid)
    assert factories.workflow_state(rt, paid)["case"] == "paid"
    assert closed(rt, paid) == china_date()
    # A referral ends with its approval (no payment chain).
    referral = factories.start_claim(rt, desk, claim_type="referral", documents=("referral",), seed=7)
    factories.walk(rt, desk, referral)
    assert factories.workflow_state(rt, referral)["case"] == "approved"
    assert closed(rt, referral) == china_date()
    # A rejected case is closed; a case still in intake is not.
    assert closed(rt, factories.close_by_rejection(rt, desk, seed=8)) == china_date()
    assert closed(rt, factories.make_case(rt, desk["intake_clerk"])) is None


def test_filing_gives_consecutive_archive_numbers_per_retention(rt, desk):
    year = china_date().year
    archivist = desk["archivist"]
    first = factories.close_by_rejection(rt, desk, seed=1)
    second = factories.close_by_rejection(rt, desk, seed=2)
    third = factories.close_by_rejection(rt, desk, seed=3)
    assert factories.file_closed(rt, archivist, first) == f"F001-{year}-D10-DY-0001"
    # Another retention period has its own counter; the archivist's class wins over the derived one.
    assert factories.file_closed(rt, archivist, second, "annual_fund_summary") == f"F001-{year}-Y-ZF-0001"
    assert factories.file_closed(rt, archivist, third) == f"F001-{year}-D10-DY-0002"
    with rt.sessions() as session:
        record = session.scalar(select(ArchiveRecord).join(Case).where(Case.case_no == first))
        assert (record.record_class, record.retention_years, record.access_grade) == (
            "benefit_approval", 10, 2)
        # Ten years counted from 1 January of the year after closing.
        assert record.retention_ends_on == date(year + 11, 1, 1)
        permanent = session.scalar(select(ArchiveRecord).join(Case).where(Case.case_no == second))
        assert permanent.retention_ends_on is None and permanent.permanent
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "records.filed",
                                                        AuditEvent.target_id == first))
        assert event.details["archive_no"] == record.archive_no
        assert event.actor_name == archivist.username


def test_filing_refuses_open_and_already_filed_cases_and_other_roles(rt, desk):
    open_case = factories.start_claim(rt, desk, claim_type="outpatient", amount="100", documents=("invoice",))
    with pytest.raises(RecordsError, match="not closed yet") as refused:
        factories.file_closed(rt, desk["archivist"], open_case)
    assert refused.value.status == 409
    done = factories.close_by_rejection(rt, desk, seed=4)
    with pytest.raises(Forbidden):
        factories.file_closed(rt, desk["reviewer"], done)
    factories.file_closed(rt, desk["archivist"], done)
    with pytest.raises(CaseFiled):
        factories.file_closed(rt, desk["archivist"], done)
    with pytest.raises(Invalid, match="no record class"):
        factories.file_closed(rt, desk["archivist"], factories.close_by_rejection(rt, desk, seed=5), "nope")


def test_an_archivist_overrides_the_class_before_filing_not_after(rt, desk):
    case_no = factories.close_by_rejection(rt, desk, seed=6)
    with rt.sessions.begin() as session, pytest.raises(Invalid):
        set_record_class(session, case_no, actor=desk["archivist"], record_class="audit_materials",
                         reason=" ")
    with rt.sessions.begin() as session:
        set_record_class(session, case_no, actor=desk["archivist"], record_class="audit_materials",
                         reason="稽核发现问题，转稽核档案")
    archive_no = factories.file_closed(rt, desk["archivist"], case_no)
    assert archive_no.endswith("-D30-JH-0001")
    with rt.sessions.begin() as session, pytest.raises(CaseFiled):
        set_record_class(session, case_no, actor=desk["archivist"], record_class="benefit_approval",
                         reason="改回")
    with rt.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "records.classified"))
        assert event.details == {**event.details, "before": "benefit_approval", "after": "audit_materials"}


def test_a_rolled_back_filing_gives_its_number_back(rt):
    with rt.sessions() as session:
        assert next_in_sequence(session, "archive:test") == 1
        session.rollback()
    with rt.sessions.begin() as session:
        assert next_in_sequence(session, "archive:test") == 1
        assert next_in_sequence(session, "archive:test") == 2


@pytest.mark.postgres
def test_concurrent_filing_on_postgresql_never_duplicates_or_skips(make_rt, postgres):
    import psycopg

    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "records_filing_race"')
    rt = make_rt(ARCHIVE_DATABASE_URL=postgres.url("records_filing_race"))
    desk = factories.sign_off_desk(rt)
    cases = [factories.close_by_rejection(rt, desk, seed=10 + n) for n in range(10)]
    barrier = threading.Barrier(len(cases))
    numbers, errors = [], []

    def file_one(case_no: str) -> None:
        try:
            with rt.sessions.begin() as session:
                barrier.wait(timeout=30)  # every transaction open before any takes a number
                numbers.append(file_case(session, case_no, actor=desk["archivist"], store=rt.store,
                                         limits=rt.limits, tmp_dir=rt.tmp_dir).item_number)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=file_one, args=(case_no,)) for case_no in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, len(cases) + 1))
    with rt.sessions() as session:
        stored = session.scalars(select(ArchiveRecord.item_number)).all()
        assert sorted(stored) == list(range(1, len(cases) + 1))
