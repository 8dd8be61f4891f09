"""Two people deciding the same step at the same moment, over real HTTP against PostgreSQL:
exactly one decision is recorded, the other gets 409."""

from __future__ import annotations

import sys
import threading

import pytest
import requests
from sqlalchemy import func, select

from archive.audit import verify_chain
from archive.models import AuditEvent, SignOff
from tests import factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def live(make_rt, postgres):
    import psycopg

    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "workflow_race"')
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres.url("workflow_race"))
    with factories.serving(runtime, threads=8) as base:
        yield base, runtime


def race(base: str, case_no: str, tokens: list[str], version: int) -> list[int]:
    """Post the same decision once per token, all released at the same instant."""
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def post(token: str) -> None:
        with requests.Session() as http:
            barrier.wait()
            response = http.post(f"{base}/api/cases/{case_no}/decision", timeout=30,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"decision": "approve", "opinion": "同意",
                                       "expected_version": version})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_exactly_one_of_two_simultaneous_decisions_wins(live):
    base, runtime = live
    desk = factories.sign_off_desk(runtime)
    second = factories.make_user(runtime, "reviewer", "u_reviewer2")
    tokens = [factories.api_token(runtime, desk["reviewer"]), factories.api_token(runtime, second)]
    cases = []
    for number in range(6):
        case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                        documents=("invoice",), seed=number)
        factories.walk(runtime, desk, case_no, until="initial_review")
        cases.append(case_no)

    for number, case_no in enumerate(cases):
        version = factories.workflow_state(runtime, case_no)["window_intake"]["version"]
        # Two reviewers at once, or one reviewer's double click.
        both = tokens if number % 2 == 0 else [tokens[0], tokens[0]]
        assert race(base, case_no, both, version) == [200, 409], case_no
        assert factories.active_step(runtime, case_no)[1] == "re_review"

    with runtime.sessions() as session:
        signed = session.scalar(select(func.count(SignOff.id)).where(SignOff.step == "initial_review"))
        decided = session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "workflow.approve",
            AuditEvent.details["step"].as_string() == "initial_review"))
        assert signed == decided == len(cases)
        assert verify_chain(session).ok


def test_the_losing_decision_form_gets_the_409_page_not_a_500(client, runtime, users, monkeypatch):
    """The loser of a race on the decision form: its flush failed, which leaves the request's
    session unusable until rolled back, and the 409 page is drawn with that session (the
    signed-in user's menus). The race itself is not reproducible on demand, so the decision is
    replaced by what the loser's does: a flush that fails on the unique sign-off sequence, then
    the Conflict of archive.workflows.engine._flush_or_conflict."""
    from sqlalchemy.exc import IntegrityError

    from archive.models import User
    from archive.signoff import Conflict

    def losing_decision(session, case_no, **_):
        session.add(User(username="u_reviewer", display_name="twin", role="reviewer"))
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("Someone else decided on this case at the same moment; reload it to see "
                           "their decision.") from exc
        raise AssertionError("the flush should have failed")

    # The module, not the blueprint archive.web exports under the same name.
    monkeypatch.setattr(sys.modules["archive.web.workflow"], "decide", losing_decision)
    case_no = factories.make_case(runtime, users["intake_clerk"])
    factories.login(client, "reviewer")
    token = factories.csrf_from(client.get(f"/cases/{case_no}").get_data(as_text=True))
    response = client.post(f"/cases/{case_no}/decision", data={
        "csrf_token": token, "decision": "approve", "opinion": "同意", "expected_version": "1"})
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    assert "他人刚刚对本案卷作出了决定" in response.get_data(as_text=True)
