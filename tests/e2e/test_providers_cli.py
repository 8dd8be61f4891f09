"""`archive providers …` as real processes, over the same services as the desk and the API:
registering (a bad USCC refused in one line, nothing written), a suspension, an assessment, a
month's settlement computed from its claims with the self-pay cap, a differing figure holding
its payment until explained, a deduction, the due list, the record changed, the register as
listed and shown."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal

import pytest
from stdnum.cn import uscc

from archive import create_app
from archive.config import load_settings
from archive.runtime import make_runtime
from tests import factories
from tests.e2e import claim_api
from tests.e2e.test_provider_settlements_http import approved_fen, bill, provider_claim
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
    users = factories.users_for_all_roles(rt)
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
    aliased = archive(env, "providers", "alias", "1", "镇卫生院", "--user", "u_admin")
    assert aliased.returncode == 0 and aliased.stdout.strip() == "alias 镇卫生院 added", aliased.stderr
    assert archive(env, "providers", "alias", "1", "镇中心卫生院（章）", "--user", "u_admin").returncode == 1
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
    # A township centre's May: nothing filed yet, so nothing to compute and nothing received.
    empty = archive(env, "providers", "settle", "1", "--month", "2026-05", "--claimed", "600",
                    "--received", "2026-06-02", "--user", "u_auditor")
    assert empty.returncode == 1 and "file them first" in empty.stderr
    # Its two claims filed (over the API, as the provider's clerk would): 1,000.00 spent, 170.00
    # self-funded: 17 % against 16 %, 10.00 yuan over.
    client, clerk = create_app(rt).test_client(), claim_api.headers(rt, users["intake_clerk"])
    cases = [provider_claim(client, clerk, bill(number, total, own, issued=date(2026, 5, day),
                                                hospital="镇中心卫生院"), hospital="镇中心卫生院")
             for number, total, own, day in (("0093000001", "700.00", "150.00", 6),
                                             ("0093000002", "300.00", "20.00", 21))]
    fund = sum(approved_fen(client, clerk, case_no) for case_no in cases)
    settled = archive(env, "providers", "settle", "1", "--month", "2026-05", "--claimed",
                      f"{Decimal(fund + 100) / 100:.2f}", "--received", "2026-06-02", "--user", "u_auditor")
    assert settled.returncode == 0, settled.stderr
    shown = json.loads(settled.stdout)
    assert shown["total_cost_fen"] == 100_000 and shown["self_pay_fen"] == 17_000
    assert shown["cap_percent"] == 16 and shown["cap_deduction_fen"] == 1_000
    assert shown["computed_fen"] == fund and shown["payable_fen"] == fund - 1_000
    [finding] = shown["findings"]  # the provider's figure is 1.00 yuan over the computed one
    refused = archive(env, "providers", "paid", str(shown["id"]), "--on", "2026-06-20", "--user", "u_auditor")
    assert refused.returncode == 1 and "explained" in refused.stderr and "Traceback" not in refused.stderr
    deducted = archive(env, "providers", "deduct", str(shown["id"]), "--amount", "50",
                       "--reason", "超标准收费", "--user", "u_auditor")
    assert deducted.returncode == 0, deducted.stderr
    over = archive(env, "providers", "deduct", str(shown["id"]), "--amount", "abc", "--reason", "x",
                   "--user", "u_auditor")
    assert over.returncode == 1 and "amount" in over.stderr
    due = archive(env, "providers", "due", "--user", "u_auditor").stdout
    assert due.startswith(f"{shown['id']}\t镇中心卫生院\t2026-05\toverdue 2026-07-01")
    assert "findings open" in due
    explained = archive(env, "providers", "explain", str(finding["id"]), "--explanation",
                        "医院多报一元，按核算数结算", "--user", "u_auditor")
    assert explained.returncode == 0, explained.stderr
    paid = archive(env, "providers", "paid", str(shown["id"]), "--on", "2026-06-20", "--user", "u_auditor")
    assert paid.returncode == 0 and paid.stdout.strip() == f"settlement #{shown['id']} settled on 2026-06-20"
    assert archive(env, "providers", "due", "--user", "u_auditor").stdout == ""

    full = json.loads(archive(env, "providers", "show", "1", "--user", "u_director").stdout)
    assert full["deposit_status"] == "held" and full["deposit_fen"] == 2_500_000
    assert full["sanctions"][0]["kind"] == "suspension"
    assert full["settlements"][0]["payable_fen"] == fund - 1_000 - 5_000
    assert full["settlements"][0]["deductions"][0]["reason"] == "超标准收费"
    # The record changed with the reason; a wrong code refused in one line.
    wrong = archive(env, "providers", "edit", "1", "--uscc", bad, "--reason", "换证", "--user", "u_admin")
    assert wrong.returncode == 1 and "checksum" in wrong.stderr
    edited = archive(env, "providers", "edit", "1", "--township", "新城镇", "--reason", "乡镇合并",
                     "--user", "u_admin")
    assert edited.returncode == 0 and json.loads(edited.stdout)["township"] == "新城镇"
    listed = archive(env, "providers", "list", "--user", "u_auditor").stdout
    assert listed.startswith("1\t镇中心卫生院\ttownship\t-\tnot in force")
