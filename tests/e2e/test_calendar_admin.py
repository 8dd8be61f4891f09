"""An administrator enters a newly published year's holiday arrangement: page, API and CLI over
one service; stored, audited, in force at once (no restart); refused to anyone else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from archive.models import AuditEvent, HolidayArrangement, WorkflowInstance
from archive.signoff import calendar
from tests import factories

HOLIDAYS_2027 = "2027-01-01..2027-01-03 元旦\n2027-02-05..2027-02-12 春节\n2027-10-01..2027-10-07 国庆节"
WORKDAYS_2027 = "2027-02-14 春节调休\n2027-09-26 国庆节调休"


def events(runtime, action: str) -> list[AuditEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_admin_enters_a_year_on_the_page_and_it_counts_at_once(client, users, runtime):
    factories.login(client, "admin")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert page.count("tag warn") == 2 and "2027-02-05 春节" in page  # 2027, 2028: computed estimates
    with runtime.sessions() as session:
        assert calendar(session).is_workday(date(2027, 2, 11)) == (True, True)  # a guess so far
    response = client.post("/admin/calendar/2027", data={
        "csrf_token": factories.csrf_from(page), "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027,
        "notice": "国办发明电〔2026〕7号"})
    assert response.status_code == 302
    with runtime.sessions() as session:
        cal = calendar(session)  # the same process, no restart: the entry is in force
        assert cal.is_workday(date(2027, 2, 11)) == (False, False)  # bridged day, now known
        assert cal.is_workday(date(2027, 2, 14)) == (True, False)  # Sunday made a working day
        assert cal.is_workday(date(2027, 3, 1)) == (True, False)  # no longer an estimate
        assert cal.add(date(2027, 9, 30), 1).on == date(2027, 10, 8)
    [event] = events(runtime, "calendar.arrangement_entered")
    assert event.actor_name == "u_admin" and event.details["year"] == 2027
    assert {"day": "2027-02-14", "name": "春节调休"} in event.details["workdays"]
    assert len(event.details["holidays"]) == 3 + 8 + 7
    assert "User admin" in client.get("/admin/calendar").get_data(as_text=True)


def test_a_bad_entry_is_refused_with_a_reason_and_nothing_stored(client, users, runtime):
    factories.login(client, "admin")
    token = factories.csrf_from(client.get("/admin/calendar").get_data(as_text=True))
    for holidays, workdays in (("2027-02-05 春节", "2027-02-08 调休"),  # a Monday as a 调休 day
                               ("2026-10-01 国庆节", ""),  # not in the year
                               ("2027-02-05", "")):  # no name
        response = client.post("/admin/calendar/2027", data={
            "csrf_token": token, "holidays": holidays, "workdays": workdays})
        assert response.status_code == 400
    with runtime.sessions() as session:
        assert session.scalars(select(HolidayArrangement)).all() == []


@pytest.mark.parametrize("role", ["reviewer", "director", "auditor"])
def test_only_an_administrator_may_enter_an_arrangement(client, users, runtime, role):
    factories.login(client, role)
    assert client.post("/admin/calendar/2027", data={"holidays": HOLIDAYS_2027}).status_code in (400, 403)
    token = factories.api_token(runtime, users[role])
    response = client.post("/api/calendar/2027", json={"holidays": HOLIDAYS_2027},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.get_json()["error"]
    with runtime.sessions() as session:
        assert session.scalars(select(HolidayArrangement)).all() == []


def test_api_entry_counts_running_deadlines_again(rt, desk):
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="10",
                                    documents=("invoice",))
    with rt.sessions.begin() as session:
        instance = session.scalar(select(WorkflowInstance))
        instance.started_at = instance.step_started_at = datetime(2027, 9, 28, 2, tzinfo=UTC)  # 10:00 China
    from archive import create_app
    client = create_app(rt).test_client()
    token = factories.api_token(rt, desk["admin"])
    response = client.post("/api/calendar/2027", headers={"Authorization": f"Bearer {token}"}, json={
        "holidays": HOLIDAYS_2027.splitlines(),
        "workdays": [{"day": "2027-09-26", "name": "国庆节调休"},
                     {"day": "2027-10-09", "name": "国庆节调休"}]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["source"] == "entered" and not response.get_json()["estimate"]
    with rt.sessions() as session:
        instance = session.scalar(select(WorkflowInstance))
        assert not instance.calendar_estimated and instance.due_on.year == 2027
        assert instance.due_on == calendar(session).add(date(2027, 9, 28), 1).on == date(2027, 9, 29)
    assert case_no and events(rt, "calendar.arrangement_entered")[0].details["deadlines_recounted"] == 1


def test_cli_enters_and_shows_a_year(runtime, users, environ):
    shown = factories.archive(environ, "holidays", "2028", "--json")
    assert shown.returncode == 0 and '"source": "computed"' in shown.stdout and "春节" in shown.stdout
    entered = factories.archive(environ, "holidays", "2028", "--user", "u_admin", "--holiday",
                                "2028-01-25..2028-01-31 春节", "--workday", "2028-01-23 春节调休")
    assert entered.returncode == 0 and "entered by" in entered.stdout
    refused = factories.archive(environ, "holidays", "2028", "--user", "u_reviewer",
                                "--holiday", "2028-01-25 春节")
    assert refused.returncode == 1 and refused.stderr.startswith("archive: error:")
    assert len(events(runtime, "calendar.arrangement_entered")) == 1


def test_years_no_one_entered_still_keep_their_statutory_holidays_over_the_api(client, users, runtime):
    """Issue 18's walk-through: for 2027, with nothing entered, 元旦 and 国庆 counted as working
    days. Every year's statutory days are computed; only the 调休 are unknown (an estimate)."""
    token = factories.api_token(runtime, users["reviewer"])
    for year in (2027, 2031):
        shown = client.get(f"/api/calendar/{year}", headers={"Authorization": f"Bearer {token}"}).get_json()
        days = {entry["day"]: entry["name"] for entry in shown["statutory"]}
        assert shown["estimate"] is True and shown["entered"] is None
        assert days[f"{year}-01-01"] == "元旦"
        # 国庆 is 1–3 October (in 2031 中秋 falls on the 1st: a holiday either way)
        assert all(days.get(f"{year}-10-0{n}") in ("国庆节", "中秋节") for n in (1, 2, 3))
        assert days[f"{year}-10-02"] == days[f"{year}-10-03"] == "国庆节"
    with runtime.sessions() as session:
        cal = calendar(session)
        assert cal.is_workday(date(2027, 1, 1))[0] is False
        assert cal.is_workday(date(2027, 10, 1))[0] is False
        due = cal.add(date(2027, 9, 30), 1)  # one working day after 30 September
        assert due.on > date(2027, 10, 3) and due.estimated  # past 国庆, and said to be an estimate
