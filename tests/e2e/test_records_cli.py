"""The archive's commands as an archivist runs them: a real process, exit codes, one-line errors."""

from __future__ import annotations

import csv
import json
import os
from datetime import date

import pytest

from archive.config import load_settings
from archive.runtime import make_runtime
from tests import factories
from tests.factories import archive


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"), "ARCHIVE_SECRET_KEY": "test",
            "ARCHIVE_JOBS_BACKEND": "inline", "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0"}


@pytest.fixture
def rt(env):
    assert archive(env, "init").returncode == 0
    runtime = make_runtime(load_settings(env))
    yield runtime
    runtime.engine.dispose()


# An opinion a spreadsheet would run as a formula (CSV injection) if written raw.
OPINION = '=HYPERLINK("http://evil.example","保管期满")'


def test_file_hold_appraise_destroy_and_register_from_the_command_line(env, rt, tmp_path):
    desk = factories.sign_off_desk(rt)
    factories.make_user(rt, "archivist", "u_archivist2")
    case_no = factories.close_by_rejection(rt, desk, seed=3)

    filed = archive(env, "file-case", case_no, "--user", "u_archivist")
    assert filed.returncode == 0, filed.stderr
    assert "-D10-DY-0001" in filed.stdout
    again = archive(env, "file-case", case_no, "--user", "u_archivist")
    assert again.returncode == 1 and again.stderr.startswith("archive: error: Case ")
    assert len(again.stderr.strip().splitlines()) == 1

    held = archive(env, "hold", case_no, "--reason", "法院调取", "--user", "u_archivist")
    assert held.returncode == 0 and "legal hold #1 placed" in held.stdout
    factories.age_record(rt, case_no, retention_ends_on=date(2020, 1, 1))
    listed = json.loads(archive(env, "appraisal-list", "--json").stdout)
    assert [(i["case_no"], [h["reason"] for h in i["holds"]]) for i in listed] == [(case_no, ["法院调取"])]
    refused = archive(env, "appraise", case_no, "--decision", "destroy", "--opinion", "保管期满",
                      "--user", "u_archivist")
    assert refused.returncode == 1 and "under legal hold" in refused.stderr
    assert archive(env, "release-hold", case_no, "--reason", "结案", "--user", "u_archivist").returncode == 0

    steps = [("appraise", case_no, "--decision", "destroy", "--opinion", OPINION, "--user", "u_archivist"),
             ("approve-destruction", case_no, "--user", "u_archivist2"),
             ("approve-destruction", case_no, "--user", "u_director"),
             ("destroy", case_no, "--user", "u_archivist")]
    for step in steps:
        done = archive(env, *step)
        assert done.returncode == 0, (step, done.stderr)
    assert "destruction register entry 1" in done.stdout
    assert json.loads(archive(env, "appraisal-list", "--json").stdout) == []

    out = tmp_path / "销毁清册.csv"
    exported = archive(env, "destruction-register", "-o", str(out), "--user", "u_auditor")
    assert exported.returncode == 0 and "1 entries" in exported.stdout
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["case_no"], r["appraisal_opinion"], r["destroyed_by"]) for r in rows] == [
        (case_no, "'" + OPINION, "User archivist")]  # a formula is text in the spreadsheet
    forbidden = archive(env, "destruction-register", "-o", str(tmp_path / "x.csv"),
                        "--user", "u_intake_clerk")
    assert forbidden.returncode == 1 and not (tmp_path / "x.csv").exists()
    assert not (tmp_path / "x.csv.partial").exists()
