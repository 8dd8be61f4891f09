"""`archive providers …` as real processes, over the same services as the desk and the API:
registering (a bad USCC refused in one line, nothing written), a suspension, an assessment, a
month's settlement with the self-pay cap and a deduction, the register as listed and shown."""

from __future__ import annotations

import json
import os

import pytest
from stdnum.cn import uscc

from archive.config import load_settings
from archive.runtime import make_runtime
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


def test_the_register_from_the_command_line(env, rt):
    factories.users_for_all_roles(rt)
    body = "12340100MB0000021"
    check = uscc.calc_check_digit(body)
    good, bad = body + check, body + ("0" if check != "0" else "1")
    refused = archive(env, "providers", "add", "--name", "镇中心卫生院", "--level", "township",
                      "--type", "health_centre", "--uscc", bad, "--user", "u_admin")
    assert refused.returncode == 1
    assert refused.stderr.startswith("archive: error: The unified social credit code")
    assert "checksum" in refused.stderr and "Traceback" not in refused.stderr
    assert archive(env, "providers", "list", "--user", "u_admin").stdout == ""  # nothing written
    not_theirs = archive(env, "providers", "add", "--name", "镇中心卫生院", "--level", "township",
                         "--type", "health_centre", "--uscc", good, "--user", "u_reviewer")
    assert not_theirs.returncode == 1 and "archive: error:" in not_theirs.stderr

    added = archive(env, "providers", "add", "--name", "镇中心卫生院", "--level", "township",
                    "--type", "health_centre", "--uscc", good, "--township", "城关镇", "--deposit", "20000",
                    "--user", "u_admin")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("provider #1 镇中心卫生院 registered")
    suspended = archive(env, "providers", "sanction", "1", "--kind", "suspension", "--from", "2025-06-01",
                        "--to", "2025-06-30", "--description", "串换药品", "--user", "u_auditor")
    assert suspended.returncode == 0, suspended.stderr
    scores = ["--score", "outpatient=20", "--score", "inpatient=25", "--score", "information=15",
              "--score", "quality=20", "--score", "costs=10", "--score", "publicity=10"]
    assessed = archive(env, "providers", "assess", "1", "--year", "2025", "--period", "year_end", *scores,
                       "--on", "2025-12-30", "--user", "u_audit_chief")
    assert assessed.returncode == 0, assessed.stderr
    assert assessed.stdout.strip() == "assessment 2025 year_end: score 100; deposit returned"
    # The next year's deposit, held again; a second one while held is refused.
    lodged = archive(env, "providers", "deposit", "1", "--amount", "25000", "--user", "u_auditor")
    assert lodged.returncode == 0 and lodged.stdout.strip() == "deposit of 2500000 fen held"
    again = archive(env, "providers", "deposit", "1", "--amount", "1", "--user", "u_auditor")
    assert again.returncode == 1 and "still held" in again.stderr
    # A township centre: 17 % self-paid against 16 %, 10.00 yuan over on 1,000.00.
    settled = archive(env, "providers", "settle", "1", "--month", "2025-11", "--total", "1000",
                      "--self-pay", "170", "--claimed", "600", "--received", "2025-12-02",
                      "--user", "u_auditor")
    assert settled.returncode == 0, settled.stderr
    shown = json.loads(settled.stdout)
    assert shown["cap_percent"] == 16 and shown["cap_deduction_fen"] == 1_000
    assert shown["payable_fen"] == 59_000
    deducted = archive(env, "providers", "deduct", str(shown["id"]), "--amount", "50",
                       "--reason", "超标准收费", "--user", "u_auditor")
    assert deducted.returncode == 0, deducted.stderr
    over = archive(env, "providers", "deduct", str(shown["id"]), "--amount", "abc", "--reason", "x",
                   "--user", "u_auditor")
    assert over.returncode == 1 and "amount" in over.stderr

    full = json.loads(archive(env, "providers", "show", "1", "--user", "u_director").stdout)
    assert full["deposit_status"] == "held" and full["deposit_fen"] == 2_500_000
    assert full["sanctions"][0]["kind"] == "suspension"
    assert full["settlements"][0]["payable_fen"] == 54_000
    assert full["settlements"][0]["deductions"][0]["reason"] == "超标准收费"
    listed = archive(env, "providers", "list", "--user", "u_auditor").stdout
    assert listed.startswith("1\t镇中心卫生院\ttownship\t-\tnot in force")
