"""A decision in progress holds its case: a second one on PostgreSQL is refused at once (409)
instead of waiting for the first to commit, and the first still commits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from archive.models import SignOff
from archive.signoff import Conflict
from archive.workflows import current_version, decide
from tests import factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def rt(make_rt, postgres):
    import psycopg

    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "workflow_nowait"')
    return make_rt(ARCHIVE_DATABASE_URL=postgres.url("workflow_nowait"))


def test_a_second_decision_while_the_first_is_open_gets_409_at_once(rt):
    desk = factories.sign_off_desk(rt)
    other = factories.make_user(rt, "reviewer", "u_reviewer2")
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="100", documents=("invoice",))
    factories.walk(rt, desk, case_no, until="initial_review")
    with rt.sessions() as first, rt.sessions() as second:
        version = current_version(first, desk["reviewer"], case_no)
        decide(first, case_no, actor=first.merge(desk["reviewer"]), decision="approve", opinion="同意",
               expected_version=version)
        # Were the second to wait for the lock, this would cancel it (not a 409) after 5 s.
        second.execute(text("SET statement_timeout = '5s'"))
        with pytest.raises(Conflict, match="at the same moment"):
            decide(second, case_no, actor=second.merge(other), decision="approve", opinion="同意",
                   expected_version=version)
        second.rollback()
        first.commit()
    assert factories.active_step(rt, case_no).current_step == "re_review"
    with rt.sessions() as session:
        assert session.scalar(select(func.count(SignOff.id)).where(SignOff.step == "initial_review")) == 1
