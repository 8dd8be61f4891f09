"""A legal hold over HTTP and the command line: the API refuses to re-classify or delete a
document of a held case (423 with the hold's reason), as it refuses edits, and lets both through
once it is lifted; a closed case refuses them with 409; `archive decide` does not sign a held case."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from archive.config import load_settings
from archive.models import AuditEvent, Case, Document, SignOff
from archive.records.holds import lift_hold, place_hold
from archive.runtime import make_runtime
from tests import factories
from tests.factories import archive


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def call(client, token, method, path, json=None):
    return client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})


def documents_of(runtime, case_no: str) -> list[tuple[int, str]]:
    with runtime.sessions() as session:
        return session.execute(select(Document.id, Document.kind).join(Case)
                               .where(Case.case_no == case_no).order_by(Document.id)).all()


def events(runtime, *actions: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.in_(actions)))


def test_a_held_case_refuses_reclassifying_and_deleting_its_documents(client, runtime, desk):
    clerk, archivist = desk["intake_clerk"], desk["archivist"]
    token = factories.api_token(runtime, clerk)
    case_no = factories.make_claim(runtime, clerk, claim_type="outpatient", amount="100",
                                   documents=("invoice", "other"), seed=71)
    [(first, _), (second, _)] = documents_of(runtime, case_no)
    with runtime.sessions.begin() as session:
        place_hold(session, case_no, actor=archivist, reason="法院调取，诉讼保全")

    refusals = [call(client, token, "PATCH", f"/api/documents/{first}?lang=en",
                     {"kind": "referral", "reason": "实为转诊单"}),
                call(client, token, "DELETE", f"/api/documents/{second}?reason=误传&lang=en"),
                call(client, token, "PATCH", f"/api/cases/{case_no}?lang=en",
                     {"township": "城关镇", "reason": "补录乡镇"})]
    for response in refusals:
        assert response.status_code == 423, response.get_json()
        assert response.json["error"] == "case_on_hold"
        assert "法院调取，诉讼保全" in response.json["message"]
        assert response.json["message"].startswith(f"Case {case_no} is under legal hold")
    # The desk's default language names the hold too.
    chinese = call(client, token, "DELETE", f"/api/documents/{second}?reason=误传&lang=zh_CN")
    assert chinese.status_code == 423 and "已被冻结" in chinese.json["message"]
    assert documents_of(runtime, case_no) == [(first, "invoice"), (second, "other")]
    assert events(runtime, "document.reclassify", "document.delete", "case.update") == 0

    with runtime.sessions.begin() as session:
        lift_hold(session, case_no, actor=archivist, reason="诉讼结束")
    assert call(client, token, "PATCH", f"/api/documents/{first}",
                {"kind": "referral", "reason": "实为转诊单"}).status_code == 200
    assert call(client, token, "DELETE", f"/api/documents/{second}?reason=误传").status_code == 200
    assert documents_of(runtime, case_no) == [(first, "referral")]
    assert events(runtime, "document.reclassify", "document.delete") == 2


def test_a_closed_case_refuses_them_with_409(client, runtime, desk):
    token = factories.api_token(runtime, desk["intake_clerk"])
    case_no = factories.close_by_rejection(runtime, desk, seed=72)
    [(document_id, _)] = documents_of(runtime, case_no)
    for response in (call(client, token, "PATCH", f"/api/documents/{document_id}",
                          {"kind": "referral", "reason": "实为转诊单"}),
                     call(client, token, "DELETE", f"/api/documents/{document_id}?reason=误传")):
        assert response.status_code == 409 and response.json["error"] == "case_closed"
    assert documents_of(runtime, case_no) == [(document_id, "invoice")]


@pytest.fixture
def cli_env(tmp_path):
    return {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
            "ARCHIVE_SECRET_KEY": "test", "ARCHIVE_JOBS_BACKEND": "inline"}


def test_the_command_line_does_not_sign_a_held_case(cli_env):
    assert archive(cli_env, "init").returncode == 0
    runtime = make_runtime(load_settings(cli_env))
    try:
        desk = factories.sign_off_desk(runtime)
        case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                        documents=("invoice",), seed=73)
        with runtime.sessions.begin() as session:
            place_hold(session, case_no, actor=desk["archivist"], reason="稽核调查")
        refused = archive(cli_env, "decide", case_no, "--as", "u_checker", "--decision", "approve")
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert refused.stderr.strip() == (f"archive: error: Case {case_no} is under legal hold "
                                          "(#1 稽核调查); nothing may change until every hold is lifted.")
        with runtime.sessions() as session:
            assert session.scalar(select(func.count(SignOff.id))) == 0
    finally:
        runtime.engine.dispose()
