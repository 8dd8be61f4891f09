"""Legal holds on SQLite and PostgreSQL: a held case is frozen (no edits, no uploads) until every
hold is lifted; each hold and lift is an audit event with its reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.auth import Forbidden
from archive.intake.cases import update_case
from archive.models import AuditEvent, Document
from archive.records.errors import CaseFiled, CaseFrozen, Invalid
from archive.records.holds import lift_hold, place_hold
from tests import factories


def hold(rt, user, case_no, reason="法院调取，诉讼保全"):
    with rt.sessions.begin() as session:
        return place_hold(session, case_no, actor=user, reason=reason).id


def lift(rt, user, case_no, reason="诉讼结束", hold_id=None):
    with rt.sessions.begin() as session:
        return lift_hold(session, case_no, actor=user, reason=reason, hold_id=hold_id).id


def edit(rt, user, case_no, **changes):
    with rt.sessions.begin() as session:
        return update_case(session, case_no, actor=user, reason="补录身份证号", **changes)


def documents(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count(Document.id)))


def test_a_held_case_refuses_edits_and_uploads_until_every_hold_is_lifted(rt, desk):
    clerk, archivist, director = desk["intake_clerk"], desk["archivist"], desk["director"]
    case_no = factories.make_case(rt, clerk)
    first = hold(rt, archivist, case_no)
    second = hold(rt, director, case_no, reason="稽核调查")

    with pytest.raises(CaseFrozen) as refused:
        edit(rt, clerk, case_no, claimant_id_number="110101199003074518")
    assert refused.value.status == 423 and refused.value.code == "case_on_hold"
    assert "法院调取" in str(refused.value) and "稽核调查" in str(refused.value)
    before = documents(rt)
    with pytest.raises(CaseFrozen):
        factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=31), process=False)
    assert documents(rt) == before
    assert list(rt.store.iter_keys("sha256/")) == []  # nothing was stored for the refused upload

    # Two holds in force: say which one to lift; one lifted, the other still freezes the case.
    with pytest.raises(Invalid, match="2 holds"):
        lift(rt, archivist, case_no)
    lift(rt, archivist, case_no, hold_id=first)
    with pytest.raises(CaseFrozen, match="稽核调查"):
        edit(rt, clerk, case_no, township="城关镇")
    lift(rt, director, case_no, reason="调查结束")

    assert edit(rt, clerk, case_no, township="城关镇").township == "城关镇"
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=31), process=False)
    assert documents(rt) == before + 1

    with rt.sessions() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.details)
                                 .where(AuditEvent.action.like("records.hold%"))
                                 .order_by(AuditEvent.id)).all()
    assert [(a, who, d["hold"], d["reason"], d["holds_in_force"]) for a, who, d in events] == [
        ("records.hold_placed", "u_archivist", first, "法院调取，诉讼保全", 1),
        ("records.hold_placed", "u_director", second, "稽核调查", 2),
        ("records.hold_lifted", "u_archivist", first, "诉讼结束", 1),
        ("records.hold_lifted", "u_director", second, "调查结束", 0),
    ]


def test_holds_need_a_reason_and_an_authorised_role(rt, desk):
    case_no = factories.make_case(rt, desk["intake_clerk"])
    with pytest.raises(Forbidden):
        hold(rt, desk["intake_clerk"], case_no)
    with pytest.raises(Invalid):
        hold(rt, desk["archivist"], case_no, reason="  ")
    hold(rt, desk["archivist"], case_no)
    with pytest.raises(Forbidden):
        lift(rt, desk["reviewer"], case_no)
    with pytest.raises(Invalid):
        lift(rt, desk["archivist"], case_no, reason="")


def test_a_filed_case_no_longer_changes(rt, desk):
    case_no = factories.close_by_rejection(rt, desk, seed=41)
    factories.file_closed(rt, desk["archivist"], case_no)
    with pytest.raises(CaseFiled) as refused:
        factories.upload(rt, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=42), process=False)
    assert refused.value.status == 409
    # A hold can still be placed on a filed case (a court may ask for it years later).
    hold(rt, desk["archivist"], case_no)
    with pytest.raises(CaseFrozen):
        edit(rt, desk["intake_clerk"], case_no, township="城关镇")
