"""`archive statistics` as a real process: the monthly report as CSV in Chinese, the quarterly
analysis as XLSX, and a one-line refusal for a period it cannot read."""

from __future__ import annotations

import json
import os

import pytest
from openpyxl import load_workbook

from archive.config import load_settings
from archive.runtime import make_runtime
from tests import factories
from tests.factories import archive
from tests.integration import statistics_data


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
            "ARCHIVE_SECRET_KEY": "test", "ARCHIVE_JOBS_BACKEND": "inline"}


@pytest.fixture
def rt(env):
    assert archive(env, "init").returncode == 0
    runtime = make_runtime(load_settings(env))
    statistics_data.build(runtime, factories.users_for_all_roles(runtime), cases=20, seed=3)
    yield runtime
    runtime.engine.dispose()


def test_statistics_from_the_command_line(env, rt, tmp_path):
    monthly = archive(env, "statistics", "--month", "2026-03")
    assert monthly.returncode == 0, monthly.stderr
    assert monthly.stdout.startswith("2026-03 按报销类别") and "实际补偿比（%）" in monthly.stdout
    as_json = archive(env, "statistics", "--month", "2026-03", "--format", "json", "--lang", "en")
    tables = {t["name"]: t for t in json.loads(as_json.stdout)["tables"]}
    assert tables["township"]["header"][0] == "Township" and tables["township"]["rows"][-1][0] == "Total"
    target = tmp_path / "q1.xlsx"
    quarterly = archive(env, "statistics", "--quarter", "2026-q1", "--format", "xlsx", "-o", str(target))
    assert quarterly.returncode == 0, quarterly.stderr
    assert "各环节办理时长" in load_workbook(target).sheetnames
    refused = archive(env, "statistics", "--month", "2026-13")
    assert refused.returncode == 1 and "YYYY-MM" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    forbidden = archive(env, "statistics", "--month", "2026-03", "--user", "u_reviewer")
    assert forbidden.returncode == 1 and "statistics.view" in forbidden.stderr


def test_totals_checked_and_rebuilt_from_the_command_line(env, rt):
    from sqlalchemy import text

    checked = archive(env, "statistics-totals", "check")
    assert checked.returncode == 0 and "agree" in checked.stdout, checked.stderr
    with rt.engine.begin() as connection:  # rows written around the sessions: the totals lag
        connection.execute(text("UPDATE cases SET township = '新乡镇'"))
    stale = archive(env, "statistics-totals", "check")
    assert stale.returncode == 1 and "新乡镇" in stale.stderr
    rebuilt = archive(env, "statistics-totals", "rebuild")
    assert rebuilt.returncode == 0 and "facts" in rebuilt.stdout, rebuilt.stderr
    assert archive(env, "statistics-totals", "check").returncode == 0
    monthly = archive(env, "statistics", "--month", "2026-03")
    assert "新乡镇" in monthly.stdout
