"""Correcting a field read from a document, on SQLite and PostgreSQL: the machine's reading is
kept, who and when is an audit event in the same transaction, the checks run again, and a held
case or a role without the right is refused with nothing written."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from archive.auth import Forbidden
from archive.demo import documents as gen
from archive.intake.field_corrections import correct_field, field_rows
from archive.models import AuditEvent, Document, FieldCorrection
from archive.records.errors import CaseFrozen, Invalid
from archive.records.holds import place_hold
from tests import factories


@pytest.fixture
def invoice():
    return gen.invoice(random.Random(7))


def read_invoice(rt, desk, invoice) -> tuple[str, int]:
    case_no = factories.make_case(rt, desk["intake_clerk"], claim_type="outpatient")
    result = factories.upload(rt, desk["intake_clerk"], case_no, invoice.content, kind="invoice")
    return case_no, result.document_id


def correct(rt, user, document_id, field, value, reason="与原件核对"):
    with rt.sessions.begin() as session:
        correction = correct_field(session, document_id, actor=user, field=field, value=value,
                                   reason=reason)
        return correction.id


def state(rt, document_id):
    with rt.sessions() as session:
        document = session.get_one(Document, document_id)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "field.correct")
                                 .order_by(AuditEvent.id)).all()
        rows = session.scalars(select(FieldCorrection).order_by(FieldCorrection.id)).all()
        return (dict(document.fields), [c["code"] for c in document.checks], document.needs_check,
                [(e.actor_name, e.target_id, e.details) for e in events],
                [(r.field, r.machine_value, r.previous_value, r.value, r.corrected_by_name) for r in rows])


def test_a_correction_keeps_the_machine_value_and_runs_the_checks_again(rt, desk, invoice):
    case_no, document_id = read_invoice(rt, desk, invoice)
    machine = invoice.truth["total_amount"]
    fields, codes, _, _, _ = state(rt, document_id)
    assert fields["total_amount"] == machine and codes == []  # a clean reading: no findings

    # The reviewer "corrects" the total to a wrong figure: the sums no longer agree.
    correct(rt, desk["reviewer"], document_id, "total_amount", "9,999.5", reason="按原件更正")
    fields, codes, _, events, rows = state(rt, document_id)
    assert fields["total_amount"] == "9999.50"  # typed as printed, normalised
    assert set(codes) == {"capital_mismatch", "split_mismatch", "items_mismatch"}
    assert rows == [("total_amount", machine, machine, "9999.50", "User reviewer")]
    [(actor, target, details)] = events
    assert (actor, target) == ("u_reviewer", str(document_id))
    assert {k: details[k] for k in ("case_no", "field", "old", "new", "machine", "reason")} == {
        "case_no": case_no, "field": "total_amount", "old": machine, "new": "9999.50",
        "machine": machine, "reason": "按原件更正"}

    # The clerk puts it right: the findings go, and the machine's value is still the one read.
    correct(rt, desk["intake_clerk"], document_id, "total_amount", machine)
    fields, codes, _, events, rows = state(rt, document_id)
    assert fields["total_amount"] == machine and codes == []
    assert rows[1] == ("total_amount", machine, "9999.50", machine, "User intake_clerk")
    with rt.sessions() as session:
        [row] = [r for r in field_rows(session.get_one(Document, document_id), may_correct=True)
                 if r.name == "total_amount"]
        assert [c.value for c in row.corrections] == [machine, "9999.50"]  # newest first
        assert row.source["page"] == 1 and len(row.source["boxes"]) == 1


def test_an_unread_field_can_be_set_and_a_wrong_one_cleared(rt, desk, invoice):
    _, document_id = read_invoice(rt, desk, invoice)
    correct(rt, desk["reviewer"], document_id, "payer_name", "")  # cleared: absent, never guessed
    correct(rt, desk["reviewer"], document_id, "issue_date", "2026年2月3日")
    fields, _, _, _, rows = state(rt, document_id)
    assert "payer_name" not in fields and fields["issue_date"] == "2026-02-03"
    assert rows[0] == ("payer_name", invoice.truth["payer_name"], invoice.truth["payer_name"], None,
                       "User reviewer")


@pytest.mark.parametrize(("field", "value", "reason", "why"), [
    ("payer_name", "<script>alert(1)</script>", "核对", "not a person's name"),
    ("hospital", "<script>alert(1)</script>", "核对", "characters"),
    ("issue_date", "2026-13-45", "核对", "not a date"),
    ("total_amount", "壹佰元", "核对", "not an amount"),
    ("line_items", "x", "核对", "cannot be corrected"),
    ("total_amount", "100.00", "  ", "Say why"),
])
def test_bad_input_is_refused_with_its_reason_and_nothing_written(rt, desk, invoice, field, value,
                                                                   reason, why):
    _, document_id = read_invoice(rt, desk, invoice)
    before = state(rt, document_id)
    with pytest.raises(Invalid) as refused:
        correct(rt, desk["reviewer"], document_id, field, value, reason=reason)
    assert refused.value.status == 422 and why in str(refused.value)
    assert state(rt, document_id) == before


def test_held_cases_and_roles_without_the_right_are_refused(rt, desk, invoice):
    case_no, document_id = read_invoice(rt, desk, invoice)
    for role in ("re_reviewer", "director", "auditor", "archivist"):
        with pytest.raises(Forbidden):
            correct(rt, desk[role], document_id, "total_amount", "1.00")
    with rt.sessions.begin() as session:
        place_hold(session, case_no, actor=desk["archivist"], reason="诉讼保全")
    with pytest.raises(CaseFrozen) as frozen:
        correct(rt, desk["reviewer"], document_id, "total_amount", "1.00")
    assert frozen.value.status == 423 and "诉讼保全" in str(frozen.value)
    with rt.sessions() as session:
        assert session.scalar(select(func.count(FieldCorrection.id))) == 0
        assert session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "field.correct")) == 0


def test_a_correction_after_sign_off_sends_the_chain_back(rt, desk):
    # An outpatient invoice of the claimant: nothing in it blocks the sign-off (no daily
    # statements needed, no finding to resolve).
    invoice = next(made for seed in range(7, 300)
                   if (made := gen.invoice(random.Random(seed), patient="张伟")).truth["visit_type"]
                   == "outpatient")
    # typed as the invoice says (a typed amount or hospital that differs is a finding to resolve)
    case_no = factories.make_case(rt, desk["intake_clerk"], claim_type="outpatient",
                                  amount=invoice.truth["total_amount"], hospital=invoice.truth["hospital"])
    document_id = factories.upload(rt, desk["intake_clerk"], case_no, invoice.content,
                                   kind="invoice").document_id
    factories.send_for_sign_off(rt, desk["intake_clerk"], case_no)
    first_chain, first_step, role = factories.active_step(rt, case_no)
    signer = desk[factories.SECOND_SIGNER.get(first_step, role)]
    factories.sign(rt, signer, case_no, findings=factories.FINDINGS.get(first_step))
    assert factories.active_step(rt, case_no)[1] != first_step  # signed and moved on
    correct(rt, desk["intake_clerk"], document_id, "invoice_number", "12345678")
    with rt.sessions() as session:
        reopened = session.scalars(select(AuditEvent).where(AuditEvent.action == "workflow.reopened")).all()
    assert len(reopened) == 1 and reopened[0].details["reason"] == "与原件核对"
    assert factories.active_step(rt, case_no)[:2] == (first_chain, first_step)
