"""Spot checks (抽查) and the monthly publication list (公示) on SQLite and PostgreSQL: which approved
cases are drawn, re-derived one by one, and which payouts a month lists per township and village."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from archive.auth import Forbidden
from archive.models import Case, WorkflowInstance
from archive.workflows import NoChain, derive_draw, monthly_payouts, publication_csv, recheck_queue
from archive.workflows.spot_checks import month_bounds, month_of
from archive.workflows.workdays import today_in_china
from tests import factories


def expected_draw(case_no: str, month: str, share: float) -> bool:
    return int(hashlib.sha256(f"{case_no}|{month}".encode()).hexdigest()[:16], 16) / 2**64 < share


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


def a_month_with_both(case_nos: list[str], share: float) -> str:
    """A month in which some of the cases are drawn and some are not, so the test can fail."""
    for month in (f"{year}-{m:02d}" for year in (2025, 2026) for m in range(1, 13)):
        drawn = [expected_draw(c, month, share) for c in case_nos]
        if any(drawn) and not all(drawn):
            return month
    raise AssertionError("no month with a mixed draw")


def test_the_recheck_queue_holds_exactly_the_drawn_cases_of_the_month(rt, desk):
    sporadic = approve_claims(rt, desk, 6, claim_type="outpatient", amount="300", documents=("invoice",))
    out_of_network = approve_claims(rt, desk, 2, claim_type="inpatient", amount="900",
                                     designated_provider=False)
    settlement = factories.start_claim(rt, desk, claim_type="settlement", documents=("invoice",))
    factories.walk(rt, desk, settlement, until="cashier_entry")
    waiting = factories.start_claim(rt, desk, claim_type="outpatient", amount="5", documents=("invoice",))

    claims = sporadic + out_of_network
    month = a_month_with_both(claims, 0.25)
    start, _end = month_bounds(month)
    when = start + timedelta(days=3)
    move_approval(rt, [*claims, settlement], ("window_intake", "out_of_network", "in_network"), when)
    earlier = month_of(start - timedelta(days=1))

    with rt.sessions() as session:
        shown = recheck_queue(session, desk["auditor"], month)
        expected = sorted([c for c in claims if expected_draw(c, month, 0.25)]
                          + ([settlement] if expected_draw(settlement, month, 0.15) else []))
        assert [item.case_no for item in shown.items] == expected
        counts = {c.group.name: (c.approved, c.drawn) for c in shown.groups}
        assert counts == {"onsite_settlement": (1, int(expected_draw(settlement, month, 0.15))),
                          "sporadic_claim": (8, sum(expected_draw(c, month, 0.25) for c in claims))}
        assert waiting not in [item.case_no for item in shown.items]
        assert recheck_queue(session, desk["auditor"], earlier).items == []
        # Asking again gives the same draw; so does re-deriving each case on its own.
        assert [i.case_no for i in recheck_queue(session, desk["audit_chief"], month).items] == expected
        for case_no in claims:
            draw = derive_draw(session, desk["auditor"], case_no)
            assert (draw.month, draw.approved_month, draw.group.name) == (month, month, "sporadic_claim")
            assert draw.seed == f"{case_no}|{month}"
            assert draw.sha256 == hashlib.sha256(draw.seed.encode()).hexdigest()
            assert draw.drawn == expected_draw(case_no, month, 0.25)
        assert derive_draw(session, desk["auditor"], settlement).group.name == "onsite_settlement"
        other = derive_draw(session, desk["auditor"], claims[0], earlier)
        assert other.month == earlier and other.approved_month == month
        with pytest.raises(NoChain, match="no approved sign-off chain"):
            derive_draw(session, desk["auditor"], waiting)
        with pytest.raises(Forbidden):
            recheck_queue(session, desk["reviewer"], month)


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


def drawn_in_some_month(rt, case_no: str, chains: tuple[str, ...], share: float = 0.25) -> str:
    """Test setup: move the case's approval into a month in which it is drawn; returns the month."""
    month = next(f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)
                 if expected_draw(case_no, f"{y}-{m:02d}", share))
    move_approval(rt, [case_no], chains, month_bounds(month)[0] + timedelta(days=2))
    return month


def test_recheck_findings_are_recorded_appended_and_shown_in_the_queue(rt, desk):
    from archive.models import AuditEvent, RecheckOutcome
    from archive.workflows import Conflict, Incomplete, NotAllowed, record_outcome
    from archive.workflows.errors import BadRequest

    case_no, other = approve_claims(rt, desk, 2, claim_type="inpatient", amount="900",
                                    designated_provider=False)  # 外报: the audit chief signs
    month = drawn_in_some_month(rt, case_no, ("window_intake",))
    never = next(f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)
                 if not expected_draw(other, f"{y}-{m:02d}", 0.25))
    move_approval(rt, [other], ("window_intake",), month_bounds(never)[0] + timedelta(days=2))
    auditor = desk["auditor"]

    def record(user, target=case_no, **given):
        with rt.sessions.begin() as session:
            found = record_outcome(session, user, target, **given)
            return found.id, found.month, found.outcome, found.difference_fen

    assert record(auditor, outcome="confirmed")[1:] == (month, "confirmed", None)
    with pytest.raises(Incomplete, match="found wrong"):
        record(auditor, outcome="discrepancy", note="  ")
    with pytest.raises(BadRequest):
        record(auditor, outcome="discrepancy", note="x", difference="12.345")
    with pytest.raises(BadRequest):
        record(auditor, outcome="approved")
    later = record(auditor, outcome="discrepancy", note="住院天数多计2天", difference="-12.50")
    assert later[1:] == (month, "discrepancy", -1250)
    with pytest.raises(Conflict, match="not drawn"):
        record(auditor, other, outcome="confirmed")
    with pytest.raises(NotAllowed, match="You signed"):
        record(desk["audit_chief"], outcome="confirmed")
    with pytest.raises(Forbidden):
        record(desk["reviewer"], outcome="confirmed")

    with rt.sessions() as session:
        (item,) = [i for i in recheck_queue(session, auditor, month).items if i.case_no == case_no]
        assert (item.outcome.id, item.outcome.note) == (later[0], "住院天数多计2天")
        findings = session.scalars(select(RecheckOutcome).order_by(RecheckOutcome.id)).all()
        assert [f.outcome for f in findings] == ["confirmed", "discrepancy"]  # the first one stays
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "spot_check.recorded")).all()
        assert [e.details["outcome"] for e in events] == ["confirmed", "discrepancy"]
        findings[0].note = "rewritten"
        with pytest.raises(PermissionError, match="immutable"):
            session.flush()


def test_the_publication_list_adds_up_what_the_cashier_paid_not_what_was_claimed(rt, desk):
    from archive.workflows import Incomplete, OpinionRequired

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
