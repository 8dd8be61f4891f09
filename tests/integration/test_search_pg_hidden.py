"""The cases kept from a graded user (access.hidden_by_grade, which search takes off the kept
gram counts) are exactly those graded_condition hides, rule by rule; and a user from whom most
cases are hidden is counted from their visible rows instead, the totals exact both ways
(PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.access import graded_condition, hidden_by_grade, visible_cases
from archive.models import ArchiveRecord, Case, Document, Loan, User
from archive.models.types import utcnow
from archive.search import pg_query, search
from archive.search.backend import rebuild_backend
from archive.search.parse import parse_query
from tests import factories
from tests.integration.test_search_pg_users import _case
from tests.search_backends import postgres_database

pytestmark = pytest.mark.postgres


def _loan(session, case, borrower, chief, days: int, approved: bool = True, revoked: bool = False):
    session.add(Loan(case_id=case.id, borrower_id=borrower.id, reason="test",
                     until=utcnow() + timedelta(days=days), granted_by_id=chief.id, granted_by_name="c",
                     approved_by_id=chief.id if approved else None,
                     approved_by_name="c" if approved else None,
                     approved_at=utcnow() if approved else None, revoked_at=utcnow() if revoked else None))


def test_hidden_by_grade_is_exactly_what_graded_condition_hides(make_rt, postgres):
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "hiddenrules"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    with runtime.sessions.begin() as session:
        clerk, reviewer, chief = (session.merge(users[role])
                                  for role in ("intake_clerk", "reviewer", "audit_chief"))
        cases = {name: _case(session, clerk, claim_type, "县医院", [])
                 for name, claim_type in [
                     ("grade1", "inpatient"), ("grade2", "inpatient"), ("grade3", "inpatient"),
                     ("lent", "inpatient"), ("expired", "inpatient"), ("pending", "inpatient"),
                     ("revoked", "inpatient"), ("lent_to_other", "inpatient"), ("working", "inpatient"),
                     ("audit_other", "audit"), ("audit_own", "audit"), ("audit_lent", "audit"),
                     ("audit_filed_low", "audit"), ("audit_filed_high", "audit")]}
        cases["audit_own"].created_by_id = reviewer.id
        grades = {"grade1": 1, "grade2": 2, "grade3": 3, "lent": 3, "expired": 3, "pending": 3,
                  "revoked": 3, "lent_to_other": 3, "audit_filed_low": 1, "audit_filed_high": 3}
        for name, grade in grades.items():
            session.add(ArchiveRecord(case_id=cases[name].id, record_class="audit_materials",
                                      access_grade=grade))
        _loan(session, cases["lent"], reviewer, chief, 5)
        _loan(session, cases["audit_lent"], reviewer, chief, 5)
        _loan(session, cases["expired"], reviewer, chief, -1)
        _loan(session, cases["pending"], reviewer, chief, 5, approved=False)
        _loan(session, cases["revoked"], reviewer, chief, 5, revoked=True)
        _loan(session, cases["lent_to_other"], clerk, chief, 5)
        session.flush()
        names = {case.id: name for name, case in cases.items()}

    def hidden_both_ways(session, user) -> tuple[set[str], set[str]]:
        shown = set(session.scalars(select(Case.id).where(graded_condition(user))))
        return ({names[case_id] for case_id in names.keys() - shown},
                {names[case_id] for case_id in session.scalars(hidden_by_grade(user))})

    always = {"grade3", "expired", "pending", "revoked", "lent_to_other", "audit_other", "audit_filed_high"}
    with runtime.sessions() as session:
        reviewer = session.merge(users["reviewer"])
        assert hidden_both_ways(session, reviewer) == (always, always)
        reviewer.clearance = 1  # grade 2 hidden too; the own audit and the loans still shown
        assert hidden_both_ways(session, reviewer) == (always | {"grade2"}, always | {"grade2"})
        assert hidden_both_ways(session, session.merge(users["auditor"])) == (set(), set())
        assert hidden_by_grade(session.merge(users["hospital_clerk"])) is None  # scoped
        session.rollback()


def test_a_user_from_whom_most_cases_are_hidden_is_counted_from_their_rows(make_rt, postgres, monkeypatch):
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "mostlyhidden"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    texts = {}  # document id → (case id, kind, text)
    with runtime.sessions.begin() as session:
        clerk = session.merge(users["intake_clerk"])
        # Seven internal cases (grade 2), one restricted, two still at the desks.
        for n in range(10):
            case = _case(session, clerk, "inpatient", "县医院",
                         [(("invoice", "referral")[(n + m) % 2], "住院 病房 " * (1 + (n + m) % 3))
                          for m in range(1 + n % 3)])
            if n < 8:
                session.add(ArchiveRecord(case_id=case.id, record_class="audit_materials",
                                          access_grade=3 if n == 0 else 2))
        session.flush()
        for document in session.scalars(select(Document)):
            texts[document.id] = (document.case_id, document.kind, document.pages[0].text)

    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
    for clearance, kept in [(2, True), (1, False)]:  # one case of ten hidden, then eight
        with runtime.sessions.begin() as session:
            session.merge(users["reviewer"]).clearance = clearance
        with runtime.sessions() as session:
            reviewer = session.get(User, users["reviewer"].id)
            used = pg_query.gram_counts(session, reviewer, parse_query("住院").query, False)
            assert (used is not None) == kept, clearance
            seen = set(session.scalars(visible_cases(reviewer).with_only_columns(Case.id)))
            for kind in (None, "invoice"):
                filters = {"kind": kind} if kind else None
                result = search(session, index, reviewer, "住院", filters=filters)
                session.rollback()
                with monkeypatch.context() as rows_only:
                    rows_only.setattr(pg_query, "gram_counts", lambda *args: None)
                    counted = search(session, index, reviewer, "住院", filters=filters)
                    session.rollback()
                total = sum(1 for case_id, doc_kind, body in texts.values()
                            if case_id in seen and "住院" in body and kind in (None, doc_kind))
                assert 0 < result.total == total == counted.total, (clearance, kind)
                assert result.facets == counted.facets, (clearance, kind)
