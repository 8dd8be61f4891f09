"""Exact totals for users who do not see everything, from the kept gram counts (PostgreSQL):
a reviewer below the top clearance (graded: kept counts less the rows of the cases kept from
them, loans given back), an administrator who reads identifiers masked (kept counts for a CJK
gram, rows for digits). Each equals brute force over the cases
the user may see, and the count of every matching row."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.access import visible_cases
from archive.intake import open_case
from archive.models import ArchiveRecord, Case, Document, Loan, Page, StoredObject
from archive.models.cases import DocumentStatus
from archive.models.types import utcnow
from archive.search import pg_query, search
from archive.search.backend import rebuild_backend
from archive.search.parse import parse_query
from tests import factories
from tests.search_backends import postgres_database

pytestmark = pytest.mark.postgres

ID_NUMBER = "110101199003071234"  # masked: its middle eight digits are hidden


def _case(session, actor, claim_type: str, hospital: str, specs: list[tuple[str, str]]) -> Case:
    case = open_case(session, actor=actor, claimant_name="王芳", claim_type=claim_type, hospital=hospital)
    for kind, body in specs:
        blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                            content_type="application/pdf")
        document = Document(case=case, stored_object=blob, kind=kind, original_filename="x.pdf",
                            filename="x.pdf", content_type="application/pdf", page_count=1,
                            status=DocumentStatus.PROCESSED, fields={"hospital": hospital},
                            uploaded_by_id=actor.id)
        document.pages = [Page(number=1, text=body, source="text_layer")]
        session.add(document)
    session.flush()
    return case


def test_restricted_users_totals_from_the_kept_counts_equal_brute_force(make_rt, postgres, monkeypatch):
    runtime = make_rt(ARCHIVE_DATABASE_URL=postgres_database(postgres, "users"),
                      ARCHIVE_SEARCH_BACKEND="postgres")
    users = factories.users_for_all_roles(runtime)
    texts = {}  # document id → (case id, kind, hospital, text)
    with runtime.sessions.begin() as session:
        clerk, reviewer, chief = (session.merge(users[role])
                                  for role in ("intake_clerk", "reviewer", "audit_chief"))
        cases = []
        for n in range(12):
            hospital = factories.HOSPITAL if n % 3 == 0 else ("县医院" if n % 3 == 1 else "省立医院")
            specs = [(("invoice", "referral", "daily_statement")[(n + m) % 3],
                      ("住院 病房 " if (n + m) % 4 else "门诊 ") + f"第{n}-{m}页 身份证{ID_NUMBER} 电话2026")
                     for m in range(3)]
            cases.append(_case(session, clerk, "inpatient", hospital, specs))
        # Only restricted cases are at 市医院: that facet value must vanish for the reviewer.
        restricted = [_case(session, clerk, "inpatient", "市医院", [("invoice", "住院 特护 2026")]),
                      _case(session, clerk, "inpatient", "市医院", [("referral", "住院 转诊 2026")])]
        lent = _case(session, clerk, "inpatient", "县医院", [("invoice", "住院 借阅 2026")])
        # Audits in progress (graded from the start): hidden from the reviewer, but the one they opened.
        _case(session, clerk, "audit", "县医院", [("daily_statement", "住院 稽核 2026")])
        _case(session, clerk, "audit", "县医院", [("invoice", "住院 自开 2026")]).created_by_id = reviewer.id
        for case, grade in [(restricted[0], 3), (restricted[1], 3), (lent, 3), (cases[1], 2)]:
            session.add(ArchiveRecord(case_id=case.id, record_class="audit_materials", access_grade=grade))
        session.add(Loan(case_id=lent.id, borrower_id=reviewer.id, reason="test",
                         until=utcnow() + timedelta(days=5), granted_by_id=chief.id, granted_by_name="c",
                         approved_by_id=chief.id, approved_by_name="c", approved_at=utcnow()))
        session.flush()
        for document in session.scalars(select(Document)):
            texts[document.id] = (document.case_id, document.kind, document.fields["hospital"],
                                  document.pages[0].text)

    def brute_force(session, user, word: str, kind: str | None, masked: bool) -> tuple[int, dict]:
        seen = set(session.scalars(visible_cases(user).with_only_columns(Case.id)))
        by_hospital: dict[str, int] = {}
        for case_id, doc_kind, hospital, body in texts.values():
            shown = body.replace(ID_NUMBER, "110101********1234") if masked else body
            if case_id in seen and word in shown and kind in (None, doc_kind):
                by_hospital[hospital] = by_hospital.get(hospital, 0) + 1
        return sum(by_hospital.values()), by_hospital

    with runtime.sessions() as session:
        index, _ = rebuild_backend(runtime, session)
        for role, masked, kept in [("reviewer", False, True), ("admin", True, True),
                                   ("archivist", False, True)]:
            user = session.merge(users[role])
            used = pg_query.gram_counts(session, user, parse_query("住院").query, masked)
            assert (used is not None) == kept, role
            for word in ("住院", "2026", "0307"):
                for kind in (None, "invoice"):
                    filters = {"kind": kind} if kind else None
                    result = search(session, index, user, word, filters=filters)
                    session.rollback()
                    with monkeypatch.context() as rows_only:
                        rows_only.setattr(pg_query, "gram_counts", lambda *args: None)
                        counted = search(session, index, user, word, filters=filters)
                        session.rollback()
                    total, by_hospital = brute_force(session, user, word, kind, masked)
                    assert (result.total, result.facets["hospital"]) == (total, by_hospital), (role, word)
                    assert (result.total, result.facets) == (counted.total, counted.facets), (role, word)
        reviewer = session.merge(users["reviewer"])
        assert "市医院" not in search(session, index, reviewer, "住院").facets["hospital"]
        admin = session.merge(users["admin"])
        # Digits may be hidden: a masked reader's 2026 and 0307 are counted from the rows.
        assert pg_query.gram_counts(session, admin, parse_query("2026").query, True) is None
