"""The auditor's case file: a BagIt zip that validates offline and catches tampering."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest

from archive.auth import Forbidden
from archive.case_export import BagInvalid, export_case, verify_bag
from archive.intake.field_corrections import correct_field
from archive.models import Document
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def case(rt):
    users = factories.users_for_all_roles(rt)
    clerk = users["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claimant_name="郑爽")
    originals = {
        "住院发票.pdf": factories.invoice_pdf(seed=1, pages=2),
        "一日清单.tif": bad_files.multipage_tiff(3),
    }
    for name, content in originals.items():
        factories.upload(rt, clerk, case_no, content, filename=name)
    return case_no, users, originals


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_holds_originals_history_and_checksums(rt, case, tmp_path):
    case_no, users, originals = case
    result = export_case(rt.sessions, rt.store, user=users["auditor"], case_no=case_no,
                         output=tmp_path / "case.zip", limits=rt.limits, tmp_dir=rt.tmp_dir)
    assert result.documents == 2
    files = members(result.path)
    root = f"{case_no}/"
    assert {root + "bagit.txt", root + "bag-info.txt", root + "manifest-sha256.txt",
            root + "tagmanifest-sha256.txt", root + "data/case.json",
            root + "data/audit/events.jsonl", root + "data/audit/chain.json"} <= set(files)
    exported = {name.rsplit("/", 1)[1].split("-", 1)[1]: data for name, data in files.items()
                if "/data/originals/" in name}
    assert exported == originals  # byte for byte

    record = json.loads(files[root + "data/case.json"])
    assert record["claimant_name"] == "郑爽"
    assert {d["sha256"] for d in record["documents"]} == {
        hashlib.sha256(c).hexdigest() for c in originals.values()}
    events = [json.loads(line) for line in files[root + "data/audit/events.jsonl"].splitlines()]
    actions = [e["action"] for e in events]
    assert actions[0] == "case.create" and "document.upload" in actions
    assert actions[-1] == "case.export"  # the export itself is on record
    assert all(len(e["row_hash"]) == 64 for e in events)
    manifest = files[root + "manifest-sha256.txt"].decode()
    assert all(hashlib.sha256(c).hexdigest() in manifest for c in originals.values())
    assert "Audit-Chain-Head" in files[root + "bag-info.txt"].decode()

    bag = verify_bag(result.path)
    assert bag.info["External-Identifier"] == case_no


def test_tampered_bag_fails_validation(rt, case, tmp_path):
    case_no, users, _ = case
    result = export_case(rt.sessions, rt.store, user=users["auditor"], case_no=case_no,
                         output=tmp_path / "case.zip", limits=rt.limits, tmp_dir=rt.tmp_dir)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(result.path) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if "/data/originals/" in item.filename and item.filename.endswith(".pdf"):
                data = data.replace(b"%%EOF", b"%%EOX")
            target.writestr(item, data)
    with pytest.raises(BagInvalid):
        verify_bag(tampered)


def test_unsafe_or_broken_zips_are_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escape.txt", "x")
    with pytest.raises(BagInvalid, match="unsafe path"):
        verify_bag(evil)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(BagInvalid, match="not a zip"):
        verify_bag(junk)


def test_only_permitted_roles_export(rt, case, tmp_path):
    case_no, users, _ = case
    with pytest.raises(Forbidden):
        export_case(rt.sessions, rt.store, user=users["cashier"], case_no=case_no,
                    output=tmp_path / "x.zip", limits=rt.limits, tmp_dir=rt.tmp_dir)
    assert not (tmp_path / "x.zip").exists()


def test_cli_export_and_verify(rt, case, tmp_path, environ, db_url):
    case_no, _, _ = case
    env = {**os.environ, **environ, "ARCHIVE_DATABASE_URL": db_url}
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    output = tmp_path / "out" / f"{case_no}.zip"
    exported = subprocess.run([*command, "export-case", case_no, "-o", str(output)], env=env,
                              capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    checked = subprocess.run([*command, "verify-bag", str(output)], env=env,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert f"valid bag for {case_no}" in checked.stdout
    missing = subprocess.run([*command, "export-case", "AJ-1999-000001", "-o",
                              str(tmp_path / "y.zip")], env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "case AJ-1999-000001" in missing.stderr


def test_export_holds_page_text_fields_and_every_signature_with_its_content_hash(rt, tmp_path):
    desk = factories.sign_off_desk(rt)
    # Nothing typed that the invoice would contradict (a typed amount or hospital that differs
    # is an error finding to resolve before signing).
    case_no = factories.make_case(rt, desk["intake_clerk"], claim_type="outpatient", hospital=None,
                                  claimant_name="郑爽")
    upload = factories.upload(rt, desk["intake_clerk"], case_no,
                              factories.outpatient_invoice_pdf(seed=5, patient="郑爽"), kind="invoice")
    with rt.sessions.begin() as session:
        read = session.get(Document, upload.document_id).fields["issue_date"]
        correct_field(session, upload.document_id, actor=desk["intake_clerk"], field="issue_date",
                      value="2026年3月5日", reason="印章遮挡，按原件补录")
    factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    factories.walk(rt, desk, case_no, until="re_review")
    result = export_case(rt.sessions, rt.store, user=desk["auditor"], case_no=case_no,
                         output=tmp_path / "case.zip", limits=rt.limits, tmp_dir=rt.tmp_dir)
    files = members(result.path)
    root = f"{case_no}/data/"

    (document,) = [json.loads(data) for name, data in files.items() if name.startswith(root + "documents/")]
    assert document["kind"] == "invoice" and document["fields"]["invoice_number"]
    assert document["pages"] and document["pages"][0]["source"] == "text_layer"
    assert document["fields"]["invoice_number"] in "".join(p["text"] for p in document["pages"])
    assert document["fields"]["issue_date"] == "2026-03-05"
    assert document["field_sources"]["invoice_number"]
    (correction,) = document["corrections"]
    assert (correction["field"], correction["machine_value"], correction["value"], correction["reason"]) == (
        "issue_date", read, "2026-03-05", "印章遮挡，按原件补录")

    workflow = json.loads(files[root + "workflow.json"])
    (chain,) = workflow["chains"]
    assert (chain["definition"], chain["status"], chain["current_step"]) == (
        "window_intake", "active", "re_review")
    signed = chain["sign_offs"]
    assert [(s["step"], s["decision"]) for s in signed] == [("completeness", "approve"),
                                                            ("initial_review", "approve")]
    assert signed[1]["signer"] and signed[1]["opinion"] == "同意。"
    # The signatures cover the case as exported: recomputed offline from content_now.
    content = workflow["content_now"]
    recomputed = hashlib.sha256(json.dumps(content["content"], sort_keys=True, ensure_ascii=False,
                                           separators=(",", ":")).encode()).hexdigest()
    assert recomputed == content["sha256"] == signed[-1]["content_sha256"]
    assert content["content"]["fields"]["claimant_name"] == "郑爽"
    verify_bag(result.path)
