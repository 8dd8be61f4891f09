"""The monthly publication list (公示) on SQLite and PostgreSQL: which payouts a month lists per
township and village. (Spot-check draws: test_spot_check_draws.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from archive.auth import Forbidden
from archive.models import Case, WorkflowInstance
from archive.signoff.months import month_bounds, month_of
from archive.signoff.workdays import today_in_china
from archive.workflows import monthly_payouts, publication_csv
from tests import factories


def approve_claims(rt, desk, count: int, **fields) -> list[str]:
    """`count` claims whose claim chain is approved (payment waits at the cashier)."""
    made = []
    for _ in range(count):
        case_no = factories.start_claim(rt, desk, **fields)
        factories.walk(rt, desk, case_no, until="cashier_entry")
        made.append(case_no)
    return made


def move_approval(rt, case_nos: list[str], chains: tuple[str, ...], when: datetime) -> None:
    """Test setup: the chains were approved at `when` (instances are state, not history)."""
    with rt.sessions.begin() as session:
        for instance in session.scalars(
                select(WorkflowInstance).join(Case, Case.id == WorkflowInstance.case_id)
                .where(Case.case_no.in_(case_nos), WorkflowInstance.definition.in_(chains))):
            assert instance.status == "approved"
            instance.finished_at = when


def test_the_publication_list_sums_payouts_per_township_and_village(rt, desk):
    places = [("城关镇", "东关村", "1200.50"), ("城关镇", "东关村", "300.00"), ("城关镇", "西街村", "88.80"),
              ("白河乡", None, "1000.00"), (None, None, "10.00")]
    paid = []
    for township, village, amount in places:
        case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount=amount,
                                        township=township, village=village, documents=("invoice",))
        factories.walk(rt, desk, case_no)
        paid.append(case_no)
    assert factories.workflow_state(rt, paid[0])["case"] == "paid"
    not_yet = factories.start_claim(rt, desk, claim_type="outpatient", amount="999", township="城关镇",
                                    village="东关村", documents=("invoice",))
    factories.walk(rt, desk, not_yet, until="accountant_check")
    last_month = month_of(month_bounds(today_in_china().strftime("%Y-%m"))[0] - timedelta(days=1))
    earlier = factories.start_claim(rt, desk, claim_type="outpatient", amount="77", township="白河乡",
                                    village="南庄村", documents=("invoice",))
    factories.walk(rt, desk, earlier)
    move_approval(rt, [earlier], ("payment",), month_bounds(last_month)[0] + timedelta(hours=2))

    with rt.sessions() as session:
        shown = monthly_payouts(session, desk["finance_chief"])
        table = [(block.township, [(v.village, v.payouts, v.amount) for v in block.villages],
                  block.payouts, block.amount) for block in shown.townships]
        # Paid as approved: outpatient 30 %, at most 90.00 (storage_config/policy.toml), so
        # 1,200.50 → 90.00, 300.00 → 90.00, 88.80 → 26.64, 1,000.00 → 90.00, 10.00 → 3.00.
        assert table == [
            ("城关镇", [("东关村", 2, Decimal("180.00")), ("西街村", 1, Decimal("26.64"))], 3,
             Decimal("206.64")),
            ("白河乡", [(None, 1, Decimal("90.00"))], 1, Decimal("90.00")),
            (None, [(None, 1, Decimal("3.00"))], 1, Decimal("3.00"))]
        assert (shown.payouts, shown.amount) == (5, Decimal("299.64"))
        before = monthly_payouts(session, desk["accountant"], last_month)
        assert [(b.township, b.payouts, b.amount) for b in before.townships] == [
            ("白河乡", 1, Decimal("23.10"))]
        with pytest.raises(Forbidden):
            monthly_payouts(session, desk["reviewer"])
        lines = publication_csv(shown).lstrip("\ufeff").splitlines()
    month = shown.month
    assert lines == [
        "月份,乡镇,村,支付件数,支付金额（元）",
        f"{month},城关镇,东关村,2,180.00", f"{month},城关镇,西街村,1,26.64",
        f"{month},城关镇,小计,3,206.64",
        f"{month},白河乡,（未登记）,1,90.00", f"{month},白河乡,小计,1,90.00",
        f"{month},（未登记）,（未登记）,1,3.00", f"{month},（未登记）,小计,1,3.00",
        f"{month},合计,,5,299.64"]


def test_the_publication_list_adds_up_what_the_cashier_paid_not_what_was_claimed(rt, desk):
    from archive.signoff import Incomplete, OpinionRequired

    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="1000.00",
                                    township="城关镇", village="东关村", documents=("invoice",))
    factories.walk(rt, desk, case_no, until="cashier_entry")
    entry = dict(factories.FINDINGS["cashier_entry"])
    with pytest.raises(Incomplete, match="Amount paid|实付金额"):
        factories.sign(rt, desk["cashier"], case_no, findings=entry)  # not recorded
    with pytest.raises(Incomplete, match="amount in yuan"):
        factories.sign(rt, desk["cashier"], case_no, findings={**entry, "amount_paid": "六百元"})
    # Approved: 1,000.00 outpatient × 30 % = 300.00, capped at 90.00 a year (policy.toml).
    with pytest.raises(Incomplete, match=r"paid \(1012.50 yuan\) differs from the approved amount \(90.00"):
        factories.sign(rt, desk["cashier"], case_no, findings={**entry, "amount_paid": "1,012.5"})
    with pytest.raises(Incomplete, match="reason for a partial payment"):
        factories.sign(rt, desk["cashier"], case_no, findings={**entry, "amount_paid": "60"})
    factories.sign(rt, desk["cashier"], case_no,
                   findings={**entry, "amount_paid": "60", "partial_reason": "账户冻结，余额下月补付"})
    with pytest.raises(OpinionRequired, match="partial payment"):
        factories.sign(rt, desk["accountant"], case_no, opinion=None)
    factories.sign(rt, desk["accountant"], case_no, opinion="同意部分支付")
    assert factories.workflow_state(rt, case_no)["case"] == "paid"

    with rt.sessions() as session:
        shown = monthly_payouts(session, desk["finance_chief"])
        assert [(v.village, v.payouts, v.amount) for b in shown.townships for v in b.villages] == [
            ("东关村", 1, Decimal("60.00"))]  # what the cashier paid, not the 1000 claimed
