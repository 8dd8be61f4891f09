"""`archive queue`, `archive decide`, `archive spot-checks`, `archive publication` as real processes."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from archive.config import load_settings
from archive.models import AuditEvent, Case, WorkflowInstance
from archive.runtime import make_runtime
from archive.signoff.workdays import today_in_china
from tests import factories
from tests.factories import archive


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
            "ARCHIVE_SECRET_KEY": "test", "ARCHIVE_JOBS_BACKEND": "inline"}


@pytest.fixture
def rt(env):
    assert archive(env, "init").returncode == 0
    runtime = make_runtime(load_settings(env))
    yield runtime
    runtime.engine.dispose()


def test_queue_and_decide_from_the_command_line(env, rt):
    desk = factories.sign_off_desk(rt)
    case_no = factories.start_claim(rt, desk, claim_type="trauma", amount="30000")

    listed = archive(env, "queue", "--user", "u_checker", "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["items"]
    assert [(i["case_no"], i["step"]["en"], i["version"]) for i in items] == [
        (case_no, "Completeness check", 1)]
    text = archive(env, "queue", "--user", "u_checker").stdout
    assert f"{case_no}  v1  外报审批（窗口受理） / 材料完整性审核" in text

    refused = archive(env, "decide", case_no, "--as", "u_intake_clerk", "--decision", "approve")
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"archive: error: You opened case {case_no}, so you may not sign it."
    assert archive(env, "decide", case_no, "--as", "u_checker", "--decision", "approve").returncode == 0
    stale = archive(env, "decide", case_no, "--as", "u_investigator", "--decision", "approve",
                    "--opinion", "无第三方责任", "--version", "1", "--finding", "third_party_liability=无")
    assert stale.returncode == 1 and "has moved on" in stale.stderr and "Traceback" not in stale.stderr
    lacking = archive(env, "decide", case_no, "--as", "u_investigator", "--decision", "approve",
                      "--opinion", "无第三方责任")
    assert lacking.returncode == 1 and "Third-party liability finding" in lacking.stderr
    done = archive(env, "decide", case_no, "--as", "u_investigator", "--decision", "approve",
                   "--opinion", "无第三方责任", "--finding", "third_party_liability=交警认定：对方全责")
    assert done.returncode == 0, done.stderr
    assert "now at initial_review (version 3)" in done.stdout
    assert archive(env, "decide", case_no, "--as", "u_reviewer", "--decision", "approve",
                   "--finding", "oops").returncode == 2  # a usage error, before anything is done
    assert archive(env, "decide", "AJ-1999-000001", "--as", "u_reviewer",
                   "--decision", "approve").stderr.startswith("archive: error: Not found: case")

    with rt.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.approve")
                               .order_by(AuditEvent.id.desc()))
    assert event.details["channel"] == "cli" and event.details["step"] == "trauma_investigation"
    assert factories.active_step(rt, case_no).current_step == "initial_review"


def test_deductions_spot_checks_and_publication_from_the_command_line(env, rt, tmp_path):
    desk = factories.sign_off_desk(rt)
    audit = factories.start_claim(rt, desk, claim_type="audit", amount="9000", documents=("agreement",))
    factories.walk(rt, desk, audit, until="handling")
    handled = archive(env, "decide", audit, "--as", "u_audit_chief", "--decision", "approve",
                      "--opinion", "扣款", "--deduction", "1200.50 超标准收费", "--deduction", "300 重复收费")
    assert handled.returncode == 0, handled.stderr
    with rt.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.approve")
                               .order_by(AuditEvent.id.desc()))
    assert event.details["deductions_total"] == "1500.50"

    paid = factories.start_claim(rt, desk, claim_type="outpatient", amount="66.60", township="城关镇",
                                 village="东关村", documents=("invoice",))
    factories.walk(rt, desk, paid)
    month = "2026-10"  # a closed month: its cases are drawn
    with rt.sessions.begin() as session:
        for instance in session.scalars(select(WorkflowInstance).join(Case).where(
                Case.case_no == paid, WorkflowInstance.definition == "window_intake")):
            instance.finished_at = datetime(2026, 10, 5, 2, tzinfo=UTC)
    draw = archive(env, "spot-checks", "--case", paid, "--user", "u_auditor", "--json")
    assert draw.returncode == 0, draw.stderr
    facts = json.loads(draw.stdout)
    assert (facts["month"], facts["drawn"], facts["eligible"], facts["quota"]) == (month, True, 1, 1)
    assert hashlib.sha256(bytes.fromhex(facts["seed"])).hexdigest() == facts["sha256"]
    assert f"HMAC-SHA256(seed, '{month}|sporadic_claim|{paid}')" in archive(
        env, "spot-checks", "--case", paid).stdout
    listed = json.loads(archive(env, "spot-checks", "--json", "--user", "u_auditor", "--month", month).stdout)
    assert [i["case_no"] for i in listed["items"]] == [paid]
    verified = archive(env, "spot-checks", "--verify", "--month", month)
    assert verified.returncode == 0 and "recomputes from the committed seed" in verified.stdout
    committed = archive(env, "spot-checks", "--commit")
    assert committed.returncode == 0 and "sha256" in committed.stdout
    assert archive(env, "spot-checks", "--user", "u_reviewer").stderr.startswith("archive: error:")
    assert "YYYY-MM" in archive(env, "spot-checks", "--month", "2026-1").stderr

    out = tmp_path / "公示.csv"
    written = archive(env, "publication", "--csv", str(out), "--user", "u_finance_chief")
    assert written.returncode == 0, written.stderr
    # Paid as approved: 66.60 outpatient × 30 % = 19.98 (storage_config/policy.toml)
    paid_month = today_in_china().strftime("%Y-%m")  # its payment chain was not moved
    assert f"{paid_month},城关镇,东关村,1,19.98" in out.read_text(encoding="utf-8-sig")
    assert f"{paid_month},合计,,1,19.98" in archive(env, "publication", "--csv", "-").stdout
