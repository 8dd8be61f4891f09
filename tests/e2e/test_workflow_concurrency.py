"""Two people deciding the same step at the same moment, over real HTTP against PostgreSQL:
exactly one decision is recorded, the other gets 409."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests
from sqlalchemy import func, select

from archive.models import AuditEvent, SignOff
from archive.records.audit import verify_chain
from tests import factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def live(make_rt, postgres):
    import psycopg

    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        name = f"workflow_race_{uuid.uuid4().hex[:8]}"  # one per test
        conn.execute(f'CREATE DATABASE "{name}"')
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres.url(name))
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


def race_forms(base: str, case_no: str, browsers: list, version: int) -> list:
    """Post the decision form once from each signed-in browser, all at the same instant."""
    forms = [factories.csrf_from(http.get(f"{base}/cases/{case_no}", timeout=30).text) for http in browsers]
    barrier = threading.Barrier(len(browsers))
    answers: list[requests.Response] = []

    def post(http: requests.Session, token: str) -> None:
        barrier.wait()
        answers.append(http.post(f"{base}/cases/{case_no}/decision", timeout=30, allow_redirects=False,
                                 data={"csrf_token": token, "decision": "approve", "opinion": "同意",
                                       "expected_version": str(version)}))

    threads = [threading.Thread(target=post, args=pair) for pair in zip(browsers, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_the_losing_decision_from_the_case_page_is_a_409_page_not_a_500(live):
    """The same race from two browsers' decision forms: the loser sees the conflict page, which
    is drawn after a failed flush (the session must be rolled back first)."""
    base, runtime = live
    desk = factories.sign_off_desk(runtime)
    second = factories.make_user(runtime, "reviewer", "u_reviewer2")
    browsers = []
    for user in (desk["reviewer"], second):
        http = requests.Session()
        page = http.get(f"{base}/login", timeout=30).text
        http.post(f"{base}/login", timeout=30, data={
            "username": user.username, "password": f"pw-{user.username.removeprefix('u_')}",
            "csrf_token": factories.csrf_from(page)})
        browsers.append(http)
    statuses: list[int] = []
    for number in range(5):
        case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                        documents=("invoice",), seed=number)
        factories.walk(runtime, desk, case_no, until="initial_review")
        version = factories.workflow_state(runtime, case_no)["window_intake"]["version"]
        answers = race_forms(base, case_no, browsers, version)
        statuses += sorted(answer.status_code for answer in answers)
        loser = next(answer for answer in answers if answer.status_code != 302)
        assert "Something went wrong" not in loser.text and "系统内部出错" not in loser.text
    assert statuses == [302, 409] * 5
