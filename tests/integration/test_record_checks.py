"""四性检测 in storage (issue 19, part 4): filed records re-checked on a schedule a slice at a
time, each report kept in the trail; failures counted in /healthz, listed on the archive desk and
on the case page, and a passing re-check (the archivist's button) lifts the block on export."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive import create_app
from archive.case_export import export_case
from archive.health import check_all
from archive.models import AuditEvent, Case, Document, NumberSequence
from archive.queue import schedule_periodic
from archive.records import record_checks
from archive.records.errors import RecordCheckFailed
from archive.records.filing import file_case
from tests import factories


def file(rt, desk, case_no):
    with rt.sessions.begin() as session:
        file_case(session, case_no, actor=session.merge(desk["archivist"]), store=rt.store,
                  limits=rt.limits, tmp_dir=rt.tmp_dir)


def original(rt, case_no: str):
    with rt.sessions() as session:
        document = session.scalars(select(Document).join(Case).where(Case.case_no == case_no)).first()
        path = rt.store.local_path(document.stored_object.store_key)
    path.chmod(0o644)
    return path


def checks_of(rt, case_no: str) -> list[dict]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "records.four_properties", AuditEvent.target_id == case_no)
            .order_by(AuditEvent.id)))


@pytest.fixture
def two_filed(make_rt, db_url):
    rt = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_RECORDS_FOUR_PROPERTIES_EVERY_HOURS="24",
                 ARCHIVE_RECORDS_FOUR_PROPERTIES_BATCH="1")
    desk = factories.sign_off_desk(rt)
    cases = [factories.close_by_rejection(rt, desk, seed=seed) for seed in (71, 72)]
    for case_no in cases:
        file(rt, desk, case_no)
    return rt, desk, cases


def test_the_schedule_rechecks_filed_records_a_slice_at_a_time(two_filed):
    rt, desk, (first, second) = two_filed
    path = original(rt, second)
    path.write_bytes(path.read_bytes()[:100])  # damaged in storage after filing

    schedule_periodic(rt)  # due: never ran → one record checked (batch 1, inline job runner)
    schedule_periodic(rt)  # not due again within the period
    assert [len(checks_of(rt, c)) for c in (first, second)] == [2, 1]  # filing + the schedule
    assert check_all(rt)["checks"]["four_properties"] == {"ok": True, "failed": 0}

    with rt.sessions.begin() as session:  # the next period: the cursor moves on to the second
        session.get(NumberSequence, record_checks.LAST_RUN).last_value = 0
    schedule_periodic(rt)
    kept = checks_of(rt, second)
    assert len(kept) == 2 and kept[-1]["passed"] is False
    assert kept[-1]["checked_at"] and {f["check"] for f in kept[-1]["findings"] if f["ok"] is False} \
        >= {"fixity", "opens"}
    health = check_all(rt)
    assert health["ok"] is False and health["checks"]["four_properties"]["failed"] == 1
    with rt.sessions() as session:
        archivist = session.merge(desk["archivist"])
        assert [f["case_no"] for f in record_checks.failed_checks(session, archivist)] == [second]

    with rt.sessions.begin() as session:  # wrapping round: the first again
        session.get(NumberSequence, record_checks.LAST_RUN).last_value = 0
    schedule_periodic(rt)
    assert len(checks_of(rt, first)) == 3


def test_a_failed_record_is_shown_blocks_export_and_a_passing_recheck_clears_it(two_filed, tmp_path):
    rt, desk, (first, second) = two_filed
    path = original(rt, second)
    good = path.read_bytes()
    path.write_bytes(good[:100])
    with rt.sessions.begin() as session:
        session.get(NumberSequence, record_checks.CURSOR).last_value = 0
    rt.queue.submit("check_records", 2)
    with pytest.raises(RecordCheckFailed, match="not exported"):
        export_case(rt.sessions, rt.store, user=desk["archivist"], case_no=second,
                    output=tmp_path / "a.zip", limits=rt.limits, tmp_dir=rt.tmp_dir)

    client = create_app(rt).test_client()
    assert factories.login(client, desk["archivist"]).status_code == 302
    page = client.get("/records").get_data(as_text=True)
    assert 'id="failed-checks"' in page and f'data-case="{second}"' in page
    assert f'data-case="{first}"' not in page.split('id="failed-checks"')[1].split("</section>")[0]
    shown = client.get(f"/cases/{second}").get_data(as_text=True)
    assert 'id="four-properties"' in shown and "四性检测" in shown
    assert 'data-check="fixity" data-ok="False"' in shown and "真实性" in shown

    path.write_bytes(good)  # restored from the backup, then checked again from the case page
    token = factories.csrf_from(shown)
    done = client.post(f"/records/cases/{second}/check", data={"csrf_token": token, "back": "case"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{second}")
    assert checks_of(rt, second)[-1]["passed"] is True
    assert 'id="failed-checks"' not in client.get("/records").get_data(as_text=True)
    assert check_all(rt)["checks"]["four_properties"] == {"ok": True, "failed": 0}
    export_case(rt.sessions, rt.store, user=desk["archivist"], case_no=second, output=tmp_path / "b.zip",
                limits=rt.limits, tmp_dir=rt.tmp_dir)
    assert (tmp_path / "b.zip").exists()


def test_an_intake_clerk_may_not_run_the_check(two_filed):
    rt, desk, (first, _second) = two_filed
    client = create_app(rt).test_client()
    assert factories.login(client, desk["intake_clerk"]).status_code == 302
    page = client.get(f"/cases/{first}").get_data(as_text=True)
    token = factories.csrf_from(page)
    before = len(checks_of(rt, first))
    assert client.post(f"/records/cases/{first}/check", data={"csrf_token": token}).status_code == 403
    assert len(checks_of(rt, first)) == before


def test_the_migration_finds_failures_kept_before_it(two_filed):
    from alembic import command

    from archive.schema import alembic_config, upgrade

    rt, desk, (first, second) = two_filed
    path = original(rt, first)
    path.write_bytes(path.read_bytes()[:100])
    rt.queue.submit("check_records", 2)  # first fails, second passes
    with rt.engine.begin() as connection:
        config = alembic_config(rt.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0023")  # the table gone, as before this release
    upgrade(rt.engine)
    with rt.sessions() as session:
        assert record_checks.failed_count(session) == 1
        listed = record_checks.failed_checks(session, session.merge(desk["archivist"]))
        assert [f["case_no"] for f in listed] == [first]
