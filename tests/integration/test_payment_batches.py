"""Payment vouchers (支付凭单): one voucher pays one case, and a closed month's payments are bound
as one batch whose list, count and total are kept (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.auth import Forbidden
from archive.claims import bind_batch, payment_batch
from archive.models import AuditEvent, Case, WorkflowInstance
from archive.signoff import Conflict, Incomplete
from archive.signoff.months import month_bounds, month_of
from archive.signoff.workdays import today_in_china
from tests import factories


def paid(rt, desk, amount: str) -> str:
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount=amount, township="城关镇",
                                    village="东关村", documents=("invoice",))
    factories.walk(rt, desk, case_no)
    return case_no


def approved_in(rt, case_nos: list[str], when) -> None:
    """Test setup: the payments were approved at `when` (instances are state, not history)."""
    with rt.sessions.begin() as session:
        for instance in session.scalars(
                select(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
                .where(Case.case_no.in_(case_nos), WorkflowInstance.definition == "payment")):
            instance.finished_at = when


def test_a_voucher_pays_one_case_only(rt, desk):
    first = paid(rt, desk, "100.00")
    second = factories.start_claim(rt, desk, claim_type="outpatient", amount="200.00", documents=("invoice",))
    factories.walk(rt, desk, second, until="cashier_entry")
    entry = {**factories.FINDINGS["cashier_entry"], "amount_paid": "60.00"}
    with pytest.raises(Incomplete, match=f"already recorded for case {first}"):
        factories.sign(rt, desk["cashier"], second, findings={**entry, "voucher_number": f"ZF-{first}"})
    factories.sign(rt, desk["cashier"], second, findings={**entry, "voucher_number": "ZF-2026-9999"})


def test_a_closed_month_is_bound_once_and_a_later_change_shows(rt, desk):
    cases = [paid(rt, desk, amount) for amount in ("100.00", "50.00")]  # approved 30.00 and 15.00
    last_month = month_of(month_bounds(today_in_china().strftime("%Y-%m"))[0] - timedelta(days=1))
    approved_in(rt, cases, month_bounds(last_month)[0] + timedelta(days=3))
    accountant = desk["accountant"]

    with rt.sessions() as session:
        batch = payment_batch(session, accountant, last_month)
        shown = sorted((line.case_no, line.voucher, line.paid_fen, line.approved_fen) for line in batch.lines)
        assert shown == [
            (cases[0], f"ZF-{cases[0]}", 3000, 3000), (cases[1], f"ZF-{cases[1]}", 1500, 1500)]
        assert (batch.total_fen, batch.binding) == (4500, None)
        with pytest.raises(Forbidden):
            payment_batch(session, desk["reviewer"], last_month)
        with pytest.raises(Forbidden):
            bind_batch(session, desk["cashier"], last_month)

    with rt.sessions.begin() as session, pytest.raises(Conflict, match="after the month has closed"):
        bind_batch(session, accountant, today_in_china().strftime("%Y-%m"))
    with rt.sessions.begin() as session:
        bound = bind_batch(session, accountant, last_month)
        assert (bound.binding.payments, bound.binding.total_fen, bound.matches_binding) == (2, 4500, True)
        kept = bound.sha256
    with rt.sessions.begin() as session, pytest.raises(Conflict, match="already bound"):
        bind_batch(session, desk["finance_chief"], last_month)

    late = paid(rt, desk, "10.00")
    approved_in(rt, [late], month_bounds(last_month)[0] + timedelta(days=20))
    with rt.sessions() as session:
        now = payment_batch(session, desk["auditor"], last_month)
        assert (len(now.lines), now.binding.list_sha256, now.matches_binding) == (3, kept, False)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.batch_bound"))
        assert {k: event.details[k] for k in ("month", "payments", "total", "sha256")} == {
            "month": last_month, "payments": 2, "total": "45.00", "sha256": kept}
