"""`archive notice`, `archive objection`, `archive fund-income`, `archive fund-report` as real
processes, over the same services as the desk and the API."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from archive.config import load_settings
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


def test_notice_objection_and_fund_report_from_the_command_line(env, rt):
    desk = factories.sign_off_desk(rt)
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", documents=("invoice",), amount="99.50",
                                    claimant_name="欧阳小明")
    factories.walk(rt, desk, case_no, until="cashier_entry")
    start = today_in_china()
    short = archive(env, "notice", "post", "--from", start.isoformat(),
                    "--to", (start + timedelta(days=5)).isoformat(), "--where", "村务公开栏",
                    "--user", "u_finance_chief")
    assert short.returncode == 1 and short.stderr.startswith("archive: error: A notice hangs at least 7 days")
    assert "Traceback" not in short.stderr
    posted = archive(env, "notice", "post", "--from", start.isoformat(),
                     "--to", (start + timedelta(days=6)).isoformat(), "--where", "村务公开栏",
                     "--user", "u_finance_chief")
    assert posted.returncode == 0, posted.stderr
    assert "1 lines" in posted.stdout and "(7 days)" in posted.stdout
    sheet = archive(env, "notice", "show", "1", "--csv", "-", "--user", "u_accountant")
    assert sheet.returncode == 0 and "1,参合人员补偿,欧**明,,,,outpatient,29.85,待支付" in sheet.stdout

    refused = archive(env, "objection", "record", "--case", case_no, "--raised-by", "王五", "--text", "冒名",
                      "--user", "u_cashier")
    assert refused.returncode == 1 and "archive: error:" in refused.stderr
    recorded = archive(env, "objection", "record", "--case", case_no, "--raised-by", "王五",
                       "--text", "冒名报销", "--user", "u_intake_clerk")
    assert recorded.returncode == 0, recorded.stderr
    held = archive(env, "decide", case_no, "--as", "u_cashier", "--decision", "approve",
                   "--finding", "sheet_checked=一致", "--finding", f"voucher_number=ZF-{case_no}",
                   "--finding", "amount_paid=29.85")
    assert held.returncode == 1 and "is held: objection 1" in held.stderr
    closed = archive(env, "objection", "close", "1", "--outcome", "upheld", "--reason", "核实为冒名",
                     "--user", "u_audit_chief")
    assert closed.returncode == 0, closed.stderr
    still = archive(env, "decide", case_no, "--as", "u_cashier", "--decision", "approve",
                    "--finding", "sheet_checked=一致", "--finding", f"voucher_number=ZF-{case_no}",
                    "--finding", "amount_paid=29.85")
    assert still.returncode == 1 and "was upheld (核实为冒名)" in still.stderr  # reviewed again first
    listed = json.loads(archive(env, "objection", "list", "--case", case_no, "--user", "u_auditor").stdout)
    assert [(o["status"], o["outcome_reason"]) for o in listed] == [("upheld", "核实为冒名")]

    booked = archive(env, "fund-income", "--received-on", start.isoformat(), "--amount", "300.00",
                     "--source", "个人缴费", "--user", "u_accountant")
    assert booked.returncode == 0, booked.stderr
    report = archive(env, "fund-report", "--csv", "-", "--user", "u_director")
    assert report.returncode == 0, report.stderr
    quarter = (start.month - 1) // 3 + 1
    assert f"{start.year}-Q{quarter},0.00,300.00,0.00,0.00,0.00,300.00" in report.stdout
