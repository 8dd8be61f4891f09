"""The retention and hold record in the auditor's case file, before and after destruction; a
destroyed original can no longer be downloaded."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from archive.case_export import export_case, verify_bag
from archive.cases import open_original
from archive.models import Document
from archive.records.disposition import appraise, approve_destruction, destroy, purge_destroyed
from archive.records.errors import CaseDestroyed
from archive.records.holds import lift_hold, place_hold
from tests import factories


def act(rt, function, *args, **kwargs):
    with rt.sessions.begin() as session:
        return function(session, *args, **kwargs)


def exported(rt, user, case_no, path) -> dict:
    result = export_case(rt.sessions, rt.store, user=user, case_no=case_no, output=path,
                         limits=rt.limits, tmp_dir=rt.tmp_dir)
    verify_bag(result.path)
    with zipfile.ZipFile(result.path) as archive:
        return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def test_the_case_file_carries_the_retention_and_hold_record(rt, tmp_path):
    desk = factories.sign_off_desk(rt)
    second = factories.make_user(rt, "archivist", "u_archivist2")
    case_no = factories.close_by_rejection(rt, desk, seed=1)
    archive_no = factories.file_closed(rt, desk["archivist"], case_no)
    hold = act(rt, place_hold, case_no, actor=desk["director"], reason="审计调阅").id
    act(rt, lift_hold, case_no, actor=desk["director"], reason="审计结束", hold_id=hold)

    files = exported(rt, desk["auditor"], case_no, tmp_path / "before.zip")
    record = json.loads(files["data/records.json"])
    assert (record["state"], record["archive_no"], record["record_class"]["code"]) == (
        "archived", archive_no, "benefit_approval")
    assert (record["retention_years"], record["retention_code"], record["frozen"]) == (10, "D10", False)
    assert [(h["reason"], h["lift_reason"]) for h in record["holds"]] == [("审计调阅", "审计结束")]
    assert any(name.startswith("data/originals/") for name in files)
    with rt.sessions() as session:
        document_id = session.scalar(select(Document.id).order_by(Document.id))

    factories.age_record(rt, case_no, retention_ends_on=date(2030, 1, 1))
    act(rt, appraise, case_no, actor=desk["archivist"], decision="destroy", opinion="保管期满",
        today=date(2031, 1, 1))
    act(rt, approve_destruction, case_no, actor=second)
    act(rt, approve_destruction, case_no, actor=desk["director"])
    result = act(rt, destroy, case_no, actor=desk["archivist"])
    purge_destroyed(rt.sessions, rt.store, result.store_keys)

    files = exported(rt, desk["auditor"], case_no, tmp_path / "after.zip")  # still a valid bag
    assert not any(name.startswith("data/originals/") for name in files)
    record = json.loads(files["data/records.json"])
    assert record["state"] == "destroyed"
    assert record["destruction"]["approved_by"] == "User u_archivist2、User director"
    assert [a["decision"] for a in record["appraisals"]] == ["destroy"]
    case = json.loads(files["data/case.json"])
    assert all(d["file"] is None and d["sha256"] for d in case["documents"])
    with rt.sessions.begin() as session, pytest.raises(CaseDestroyed) as gone:
        open_original(session, rt.store, desk["auditor"], document_id)
    assert gone.value.status == 410
