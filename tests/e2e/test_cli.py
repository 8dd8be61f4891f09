"""The `archive` command as a user runs it: a real process, exit codes, one-line errors."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from archive.auth import roles
from archive.config import load_settings
from archive.models import Case, Document
from archive.runtime import make_runtime
from archive.schema import head_revision
from tests import factories
from tests.factories import archive
from tests.fixtures import bad_files


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"),
            "ARCHIVE_SECRET_KEY": "test", "ARCHIVE_JOBS_BACKEND": "thread"}


def documents(env):
    runtime = make_runtime(load_settings(env))
    try:
        with runtime.sessions() as session:
            return list(session.scalars(select(Document).order_by(Document.id))), \
                list(session.scalars(select(Case.case_no)))
    finally:
        runtime.engine.dispose()


def test_init_is_idempotent(env):
    first, second = archive(env, "init"), archive(env, "init")
    assert first.returncode == second.returncode == 0
    assert head_revision() in first.stdout and "up to date" in second.stdout


def test_ingest_folder_into_new_case_then_bad_files_refused(env, tmp_path):
    assert archive(env, "init").returncode == 0
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "发票.pdf").write_bytes(factories.invoice_pdf(pages=2))
    (folder / "清单.tif").write_bytes(bad_files.multipage_tiff(3))
    result = archive(env, "ingest", str(folder), "--kind", "invoice", "--claimant", "周杰")
    assert result.returncode == 0, result.stderr
    assert "2 of 2 files accepted" in result.stdout
    docs, cases = documents(env)
    assert [(d.filename, d.status, d.page_count) for d in docs] == [
        ("发票.pdf", "processed", 2), ("清单.tif", "processed", 3)]

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bad_files.truncated(factories.invoice_pdf(seed=9)))
    result = archive(env, "ingest", str(bad), "--case", cases[0])
    assert result.returncode == 1
    assert "refused: the PDF is truncated" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("archive: error:")
    assert len(documents(env)[0]) == 2


def test_unknown_case_is_a_one_line_error(env, tmp_path):
    archive(env, "init")
    scan = tmp_path / "a.pdf"
    scan.write_bytes(factories.invoice_pdf())
    result = archive(env, "ingest", str(scan), "--case", "AJ-1999-000009")
    assert result.returncode == 1
    assert result.stderr.strip() == ("archive: error: Not found: case AJ-1999-000009. It does not exist "
                                     "or is not visible to you.")
    assert "Traceback" not in result.stderr


def test_demo_twice_adds_nothing_the_second_time(env):
    archive(env, "init")
    first = archive(env, "demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("demo_") == len(roles())  # one account per role, passwords printed once
    docs_after_first, cases_after_first = documents(env)
    second = archive(env, "demo")
    assert "demo_" not in second.stdout.replace("exist already", "")
    assert documents(env)[1] == cases_after_first
    assert len(documents(env)[0]) == len(docs_after_first) >= 7
    kinds = {d.kind for d in docs_after_first}
    assert kinds == {"invoice", "daily_statement", "referral", "agreement"}
    assert {d.status for d in docs_after_first} == {"processed"}
    # The providers the demo hospitals are, in the register once (archive/demo/providers.py).
    assert "Demo providers: 3 registered." in first.stdout
    assert "Demo providers exist already." in second.stdout
    listed = archive(env, "providers", "list").stdout.splitlines()
    assert [line.split("\t")[1] for line in listed] == ["县中医院", "县人民医院", "镇卫生院"]


def test_ingested_documents_are_found_by_search(env, tmp_path):
    import json
    import random

    from archive.demo import documents as gen

    archive(env, "init")
    invoice = gen.invoice(random.Random(77))
    scan = tmp_path / "发票.pdf"
    scan.write_bytes(invoice.content)
    assert archive(env, "ingest", str(scan), "--claimant", invoice.truth["payer_name"]).returncode == 0
    found = archive(env, "search", invoice.truth["invoice_number"][2:7], "--json")
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["total"] == 1 and "<mark>" in result["hits"][0]["snippet"]
    assert json.loads(archive(env, "search", "不存在的词语", "--json").stdout)["total"] == 0
    rebuilt = archive(env, "reindex")
    assert rebuilt.returncode == 0 and "1 documents" in rebuilt.stdout
    status = json.loads(archive(env, "status").stdout)
    assert status["checks"]["index"]["status"] == "ok"


def test_backup_and_restore_round_trip_with_one_line_errors(env, tmp_path):
    pdf = tmp_path / "票据.pdf"
    pdf.write_bytes(factories.invoice_pdf(seed=12))
    assert archive(env, "init").returncode == 0
    assert archive(env, "ingest", str(pdf), "--kind", "invoice").returncode == 0
    made = archive(env, "backup", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr
    assert "1 originals" in made.stdout

    elsewhere = {**env, "ARCHIVE_DATA_DIR": str(tmp_path / "elsewhere")}
    restored = archive(elsewhere, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "audit trail intact" in restored.stdout
    assert archive(elsewhere, "verify", "--fixity").returncode == 0
    assert len(documents(elsewhere)[0]) == 1

    again = archive(elsewhere, "restore", str(tmp_path / "backup"))
    assert again.returncode == 1
    assert again.stderr.strip().startswith("archive: error: restore needs an empty database")
    assert len(again.stderr.strip().splitlines()) == 1
    occupied = archive(env, "backup", str(tmp_path / "backup"))
    assert occupied.returncode == 1 and "not empty" in occupied.stderr
