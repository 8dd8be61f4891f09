"""The intake checklist (材料清单): one function decides which required documents are in, for the
case page, the refusal to send an incomplete case on, and the completeness step's check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from archive.intake.corrections import delete_document
from archive.models import AuditEvent, Case, Document
from archive.signoff import Incomplete
from archive.workflows import intake_checklist
from tests import factories


def checklist(rt, case_no):
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        return intake_checklist(session, case)


def states(rt, case_no) -> dict[str, str]:
    return {item.kind: item.state for item in checklist(rt, case_no).items}


def audit_count(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)))


def test_inpatient_items_tick_as_documents_are_read(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claim_type="inpatient", amount="3000")
    assert states(rt, case_no) == {"invoice": "missing", "daily_statement": "missing"}
    assert checklist(rt, case_no).chain == "window_intake"

    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=3), filename="发票.pdf",
                     kind="invoice", process=False)
    assert states(rt, case_no) == {"invoice": "reading", "daily_statement": "missing"}

    # Read by the inline job runner: the kind given at upload, now processed.
    statement = factories.upload(rt, clerk, case_no, factories.statement_pdf(seed=4), filename="清单.pdf",
                                 kind="daily_statement")
    shown = checklist(rt, case_no)
    assert {i.kind: i.state for i in shown.items} == {"invoice": "reading", "daily_statement": "present"}
    assert shown.complete and shown.missing == []
    assert shown.items[1].document_ids == (statement.document_id,)

    # Test setup: the statement could not be read — it does not count; scan it again.
    with rt.sessions.begin() as session:
        session.execute(update(Document).where(Document.id == statement.document_id)
                        .values(status="failed"))
    shown = checklist(rt, case_no)
    assert [i.kind for i in shown.missing] == ["daily_statement"]
    assert shown.missing_names().zh == "住院费用一日清单"


def test_a_recognised_kind_counts(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claim_type="outpatient", amount="120")
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=5), filename="scan.pdf")  # no kind
    assert states(rt, case_no) == {"invoice": "present"}
    with rt.sessions() as session:
        assert session.scalar(select(Document.kind_guessed)) is True


def test_claim_types_without_required_documents_have_no_checklist(rt, desk):
    case_no = factories.make_case(rt, desk["intake_clerk"], claim_type="referral")
    assert checklist(rt, case_no).items == ()
    assert checklist(rt, case_no).complete


def test_submission_is_refused_with_what_is_missing_and_writes_nothing(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_claim(rt, clerk, claim_type="trauma", amount="500", documents=())
    before = audit_count(rt)
    with pytest.raises(Incomplete) as refused:
        factories.send_for_sign_off(rt, clerk, case_no)
    assert refused.value.status == 422
    assert "medical invoice, daily itemised statement" in str(refused.value)
    assert refused.value.message(lambda t: t, "zh_CN").count("医疗收费票据、住院费用一日清单") == 1
    assert audit_count(rt) == before
    assert factories.workflow_state(rt, case_no) == {"case": "intake"}


def test_resubmission_is_refused_while_a_required_document_is_missing(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.start_claim(rt, desk, claim_type="inpatient", amount="800")
    factories.sign(rt, desk["checker"], case_no, decision="return", opinion="清单无患者签字",
                   missing=["签字的一日清单"])
    with rt.sessions() as session:
        statement_id = session.scalar(select(Document.id).where(Document.kind == "daily_statement"))
    with rt.sessions.begin() as session:
        delete_document(session, statement_id, actor=clerk, reason="换签字版")
    assert states(rt, case_no)["daily_statement"] == "missing"  # the returned chain's checklist
    # The daily-statement rule, checked first, says what is wrong with them (here: none).
    with pytest.raises(Incomplete, match="no daily itemised statement"):
        factories.send_for_sign_off(rt, clerk, case_no)
    factories.upload(rt, clerk, case_no, factories.statement_pdf(seed=9), filename="清单-签字.pdf",
                     kind="daily_statement")
    assert factories.send_for_sign_off(rt, clerk, case_no) == ("window_intake", "completeness")
