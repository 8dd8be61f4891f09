"""Appraisal and destruction on SQLite and PostgreSQL: the appraisal list, decisions, approval by
two different people, holds, the metadata stub, the destruction register and its permanence."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from archive.auth import Forbidden
from archive.models import ArchiveRecord, AuditEvent, Case, DestructionEntry, Document, Page, StoredObject
from archive.records.disposition import (
    appraisal_list,
    appraise,
    approve_destruction,
    destroy,
    purge_destroyed,
    write_register_csv,
)
from archive.records.errors import CaseDestroyed, CaseFrozen, Invalid, NotPermitted, RecordsError
from archive.records.fixity import run_fixity
from archive.records.holds import lift_hold, place_hold
from archive.records.reconcile import reconcile
from tests import factories

LATER = date(2099, 6, 1)  # a day after every retention the tests set up has ended


@pytest.fixture
def desk(rt):
    desk = factories.sign_off_desk(rt)
    desk["archivist2"] = factories.make_user(rt, "archivist", "u_archivist2")
    return desk


def filed_case(rt, desk, seed: int, *, ended=date(2040, 1, 1)) -> str:
    case_no = factories.close_by_rejection(rt, desk, seed=seed)
    factories.file_closed(rt, desk["archivist"], case_no)
    factories.age_record(rt, case_no, retention_ends_on=ended)
    return case_no


def listed(rt, user, today=LATER):
    with rt.sessions() as session:
        return [(item.case.case_no, item.decision.decision if item.decision else None, item.approvals)
                for item in appraisal_list(session, user, today=today)]


def act(rt, function, *args, **kwargs):
    with rt.sessions.begin() as session:
        return function(session, *args, **kwargs)


def test_the_appraisal_list_holds_filed_cases_whose_retention_ended(rt, desk):
    due = filed_case(rt, desk, 1, ended=date(2030, 1, 1))
    filed_case(rt, desk, 2, ended=date(2120, 1, 1))
    fresh = factories.close_by_rejection(rt, desk, seed=3)
    factories.file_closed(rt, desk["archivist"], fresh)  # due in eleven years
    assert listed(rt, desk["archivist"], today=date(2035, 6, 1)) == [(due, None, 0)]
    assert listed(rt, desk["archivist"], today=date(2029, 12, 31)) == []
    assert [number for number, *_ in listed(rt, desk["auditor"])][:2] == [due, fresh]
    with pytest.raises(Forbidden):
        listed(rt, desk["intake_clerk"])
    with pytest.raises(RecordsError, match="runs until"):
        act(rt, appraise, fresh, actor=desk["archivist"], decision="destroy", opinion="到期")


def test_extend_and_permanent_take_effect_at_once(rt, desk):
    extended = filed_case(rt, desk, 4)
    kept = filed_case(rt, desk, 5)
    with pytest.raises(Invalid):
        act(rt, appraise, extended, actor=desk["archivist"], decision="extend", years="0",
            opinion="仍有查考价值", today=LATER)
    act(rt, appraise, extended, actor=desk["archivist"], decision="extend", years=5,
        opinion="仍有查考价值", today=LATER)
    act(rt, appraise, kept, actor=desk["archivist"], decision="permanent", opinion="具有永久保存价值",
        today=LATER)
    with rt.sessions() as session:
        ends = dict(session.execute(select(Case.case_no, ArchiveRecord.retention_ends_on)
                                    .join(ArchiveRecord, ArchiveRecord.case_id == Case.id)).all())
    assert ends == {extended: date(2045, 1, 1), kept: None}
    assert listed(rt, desk["archivist"], today=date(2044, 12, 31)) == []
    assert listed(rt, desk["archivist"]) == [(extended, None, 0)]


def test_destruction_needs_two_different_approvers_and_no_hold(rt, desk):
    case_no = filed_case(rt, desk, 6)
    appraiser, second = desk["archivist"], desk["archivist2"]
    with pytest.raises(RecordsError, match="needs a destroy decision"):
        act(rt, destroy, case_no, actor=appraiser)
    act(rt, appraise, case_no, actor=appraiser, decision="destroy", opinion="保管期满，无保存价值",
        today=LATER)
    assert listed(rt, appraiser) == [(case_no, "destroy", 0)]
    with pytest.raises(NotPermitted, match="other people"):
        act(rt, approve_destruction, case_no, actor=appraiser)
    with pytest.raises(Forbidden):
        act(rt, approve_destruction, case_no, actor=desk["reviewer"])
    act(rt, approve_destruction, case_no, actor=second, opinion="同意销毁")
    with pytest.raises(NotPermitted, match="already approved"):
        act(rt, approve_destruction, case_no, actor=second)
    with pytest.raises(RecordsError, match="approved by 2 different people"):
        act(rt, destroy, case_no, actor=appraiser)
    act(rt, approve_destruction, case_no, actor=desk["director"], opinion="同意")
    assert listed(rt, appraiser) == [(case_no, "destroy", 2)]

    # A hold placed now stops the destruction until it is lifted.
    hold = act(rt, place_hold, case_no, actor=desk["director"], reason="信访复查").id
    with pytest.raises(CaseFrozen, match="信访复查"):
        act(rt, destroy, case_no, actor=appraiser)
    with pytest.raises(CaseFrozen):
        act(rt, appraise, case_no, actor=appraiser, decision="destroy", opinion="再次鉴定", today=LATER)
    act(rt, lift_hold, case_no, actor=desk["director"], reason="复查结束", hold_id=hold)
    result = act(rt, destroy, case_no, actor=appraiser)
    assert result.entry.approved_by == "User u_archivist2、User director"
    assert result.entry.appraised_by == "User archivist"


def test_destruction_removes_the_bytes_and_keeps_a_stub_and_the_register(rt, desk):
    case_no = filed_case(rt, desk, 7)
    with rt.sessions() as session:
        stored = session.scalar(select(StoredObject).join(Document).join(Case).where(Case.case_no == case_no))
        shared_sha, shared_key = stored.sha256, stored.store_key
    # The same bytes submitted again in another, live case: destroying case_no leaves them.
    other = factories.make_case(rt, desk["intake_clerk"])
    factories.upload(rt, desk["intake_clerk"], other, _bytes_of(rt, case_no), process=False)
    doomed_case = factories.close_by_rejection(rt, desk, seed=8, documents=("invoice", "daily_statement"))
    factories.file_closed(rt, desk["archivist"], doomed_case)
    factories.age_record(rt, doomed_case, retention_ends_on=date(2040, 1, 1))

    for number in (case_no, doomed_case):
        act(rt, appraise, number, actor=desk["archivist"], decision="destroy", opinion="保管期满",
            today=LATER)
        act(rt, approve_destruction, number, actor=desk["archivist2"])
        act(rt, approve_destruction, number, actor=desk["audit_chief"])
    first = act(rt, destroy, case_no, actor=desk["archivist"])
    second = act(rt, destroy, doomed_case, actor=desk["archivist"])
    assert first.store_keys == []  # its only original is also in the live case `other`
    assert len(second.store_keys) == 2
    assert purge_destroyed(rt.sessions, rt.store) == 2
    assert not any(rt.store.exists(key) for key in second.store_keys)
    assert rt.store.exists(shared_key)

    with rt.sessions() as session:
        stub = session.scalar(select(Case).where(Case.case_no == doomed_case))
        record = session.scalar(select(ArchiveRecord).where(ArchiveRecord.case_id == stub.id))
        assert record.state == "destroyed" and record.archive_no
        assert [d.stored_object.sha256 for d in stub.documents]  # metadata kept
        assert all(d.fields == {} for d in stub.documents)
        texts = session.scalars(select(Page.text).join(Document).where(Document.case_id == stub.id)).all()
        assert all(t is None for t in texts)
        entries = session.scalars(select(DestructionEntry).order_by(DestructionEntry.id)).all()
        assert [e.case_no for e in entries] == [case_no, doomed_case]
        assert entries[0].objects == [{"sha256": shared_sha, "size": entries[0].objects[0]["size"],
                                       "removed": False}]
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_id == doomed_case, AuditEvent.action.like("records.%"))
            .order_by(AuditEvent.id)).all()
    assert actions == ["records.four_properties", "records.filed", "records.appraised",
                       "records.destruction_approved",
                       "records.destruction_approved", "records.destroyed"]
    # Destroyed originals are no longer expected by fixity or reconcile.
    assert run_fixity(rt.sessions, rt.store).ok
    assert reconcile(rt).missing_objects == []
    # A destroyed case takes nothing new, and is not destroyed twice.
    with pytest.raises(CaseDestroyed) as gone:
        factories.upload(rt, desk["intake_clerk"], doomed_case, factories.invoice_pdf(seed=99), process=False)
    assert gone.value.status == 410
    with pytest.raises(CaseDestroyed):
        act(rt, destroy, doomed_case, actor=desk["archivist"])


def test_the_register_is_exported_as_csv_and_never_changes(rt, desk):
    case_no = filed_case(rt, desk, 9)
    act(rt, appraise, case_no, actor=desk["archivist"], decision="destroy", opinion="保管期满，无保存价值",
        today=LATER)
    act(rt, approve_destruction, case_no, actor=desk["archivist2"])
    act(rt, approve_destruction, case_no, actor=desk["director"])
    archive_no = act(rt, destroy, case_no, actor=desk["archivist"]).entry.archive_no
    out = io.StringIO()
    with pytest.raises(Forbidden):
        act(rt, write_register_csv, desk["intake_clerk"], out)
    assert act(rt, write_register_csv, desk["auditor"], out) == 1
    assert out.getvalue().startswith("\ufeff")  # UTF-8 BOM: spreadsheets read the Chinese
    lines = out.getvalue().removeprefix("\ufeff").splitlines()
    assert lines[0].startswith("entry,archive_no,case_no,title")
    assert lines[1].startswith(f"1,{archive_no},{case_no},张伟")
    assert "保管期满，无保存价值" in lines[1]

    with rt.engine.begin() as connection, pytest.raises(DatabaseError):
        connection.execute(text("UPDATE destruction_register SET title = 'x'"))
    with rt.engine.begin() as connection, pytest.raises(DatabaseError):
        connection.execute(text("DELETE FROM destruction_register"))
    with rt.sessions() as session:
        assert session.scalar(select(DestructionEntry.title)).startswith("张伟")
        assert session.scalar(select(StoredObject.destroyed_at).where(StoredObject.destroyed_at.is_not(None)))


def _bytes_of(rt, case_no: str) -> bytes:
    with rt.sessions() as session:
        key = session.scalar(select(StoredObject.store_key).join(Document).join(Case)
                             .where(Case.case_no == case_no))
    with rt.store.open(key) as stream:
        return stream.read()
