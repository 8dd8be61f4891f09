"""Spot checks (抽查) and phone follow-ups (回访) that nobody can game, on SQLite and PostgreSQL:
an exact quota per month, a seed committed before the month and revealed after it, a draw
anyone can recompute, a discrepancy that opens its follow-up."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from archive.auth import Forbidden
from archive.models import AuditEvent, Case, PhoneFollowUp, SpotCheckFollowUp
from archive.signoff import Conflict, Incomplete, NoChain, NotAllowed
from archive.signoff.months import month_bounds
from archive.signoff.workdays import CHINA, today_in_china
from archive.spot_checks import derive_draw, recheck_queue, record_outcome
from archive.workflows.phone_follow_ups import follow_up_list, record_call
from archive.workflows.spot_draws import commitment_of, draw_cases, ensure_commitments, verify_month
from tests import factories
from tests.integration.test_workflow_oversight import approve_claims, move_approval

MONTH = "2026-10"  # a closed month; the tests commit its seed as if in September
BEFORE = datetime(2026, 9, 20, 9, tzinfo=CHINA)
DURING = month_bounds(MONTH)[0] + timedelta(days=3)


def actions(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def test_a_month_draws_its_exact_quota_with_a_seed_committed_before_it(rt, desk):
    with rt.sessions.begin() as session:
        ensure_commitments(session, now=BEFORE)  # the sweeper, in September: September and October
    sporadic = approve_claims(rt, desk, 6, claim_type="outpatient", amount="300", documents=("invoice",))
    sporadic += approve_claims(rt, desk, 3, claim_type="inpatient", amount="900", designated_provider=False)
    settlement = factories.start_claim(rt, desk, claim_type="settlement", documents=("invoice",))
    factories.walk(rt, desk, settlement, until="cashier_entry")
    waiting = factories.start_claim(rt, desk, claim_type="outpatient", amount="5", documents=("invoice",))
    move_approval(rt, [*sporadic, settlement], ("window_intake", "out_of_network", "in_network"), DURING)

    with rt.sessions() as session:
        commitment = commitment_of(session, MONTH)
        committed_hash = commitment.seed_sha256
        assert commitment.committed_at < month_bounds(MONTH)[0] and not commitment.late
        assert commitment.revealed_at is None  # the seed stays back until the draw
        [event] = [e for e in actions(session, "spot_check.committed") if e.details["month"] == MONTH]
        assert event.details["seed_sha256"] == committed_hash and "seed" not in event.details

    with rt.sessions.begin() as session:
        shown = recheck_queue(session, desk["auditor"], MONTH)  # closed: drawn at first need
        counts = {c.group.name: (c.approved, c.quota, c.drawn) for c in shown.groups}
        # ceil(25 % × 9) = 3 sporadic claims; ceil(15 % × 1) = 1 on-site settlement: exact, every month.
        assert counts == {"onsite_settlement": (1, 1, 1), "sporadic_claim": (9, 3, 3)}
        drawn = sorted(item.case_no for item in shown.items)
        assert settlement in drawn and waiting not in drawn and len(drawn) == 4
        seed = shown.commitment.seed
        assert shown.closed and shown.commitment.revealed_at is not None
        assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == committed_hash  # the reveal matches
        # Anyone recomputes the draw from the revealed seed with the documented procedure.
        assert draw_cases(seed, MONTH, "sporadic_claim", 0.25, sporadic) == sorted(
            c for c in drawn if c != settlement)
    with rt.sessions() as session:
        assert verify_month(session, MONTH).ok
        again = recheck_queue(session, desk["audit_chief"], MONTH)
        assert sorted(i.case_no for i in again.items) == drawn  # stored, the same for everyone
        for case_no in sporadic:
            draw = derive_draw(session, desk["auditor"], case_no)
            assert (draw.month, draw.group.name, draw.seed) == (MONTH, "sporadic_claim", seed)
            assert draw.drawn == (case_no in drawn) and (draw.eligible, draw.quota) == (9, 3)
        [event] = actions(session, "spot_check.drawn")
        assert event.details["seed"] == seed and event.details["draws"]["sporadic_claim"]["quota"] == 3
        with pytest.raises(NoChain):
            derive_draw(session, desk["auditor"], waiting)
        with pytest.raises(Forbidden):
            recheck_queue(session, desk["reviewer"], MONTH)

    # A case slipped into the month afterwards does not fit the stored draw: verification says so.
    late = approve_claims(rt, desk, 1, claim_type="outpatient", amount="30", documents=("invoice",))
    move_approval(rt, late, ("window_intake",), DURING)
    with rt.sessions() as session:
        result = verify_month(session, MONTH)
        assert not result.ok and result.seed_matches
        assert result.mismatches == [
            f"sporadic_claim: the eligible cases differ from those approved in {MONTH}"]


def test_the_open_month_shows_only_its_commitment_and_next_month_is_committed_ahead(rt, desk):
    this_month = today_in_china().strftime("%Y-%m")
    case_no = approve_claims(rt, desk, 1, claim_type="outpatient", amount="300", documents=("invoice",))[0]
    with rt.sessions.begin() as session:
        shown = recheck_queue(session, desk["auditor"], this_month)
        assert not shown.closed and shown.items == []
        assert shown.commitment.seed_sha256 and shown.commitment.revealed_at is None
        assert {c.group.name: (c.approved, c.quota, c.drawn) for c in shown.groups}[
            "sporadic_claim"] == (1, 1, 0)
        assert not derive_draw(session, desk["auditor"], case_no).drawn  # nothing drawn before the close
        assert derive_draw(session, desk["auditor"], case_no).seed is None
        start, end = month_bounds(this_month)
        upcoming = commitment_of(session, end.strftime("%Y-%m"))
        assert upcoming is not None and not upcoming.late and upcoming.committed_at < end


def test_a_discrepancy_opens_a_recovery_or_an_audit_case(rt, desk):
    claims = approve_claims(rt, desk, 2, claim_type="inpatient", amount="900",
                            designated_provider=False)  # 外报: the audit chief signs
    move_approval(rt, claims, ("window_intake",), DURING)
    auditor = desk["auditor"]
    with rt.sessions.begin() as session:
        queue = recheck_queue(session, auditor, MONTH)
        assert queue.commitment.late  # nobody committed October's seed in time: shown as such
        [case_no] = [i.case_no for i in queue.items]  # ceil(25 % × 2) = 1
    other = next(c for c in claims if c != case_no)

    def record(user, target=case_no, **given):
        with rt.sessions.begin() as session:
            found = record_outcome(session, user, target, **given)
            return found.id, found.outcome, found.difference_fen

    assert record(auditor, outcome="confirmed")[1:] == ("confirmed", None)
    with pytest.raises(Incomplete, match="found wrong"):
        record(auditor, outcome="discrepancy", note="  ")
    with pytest.raises(Conflict, match="not drawn"):
        record(auditor, other, outcome="confirmed")
    with pytest.raises(NotAllowed, match="You signed"):
        record(desk["audit_chief"], outcome="confirmed")
    with pytest.raises(Forbidden):
        record(desk["reviewer"], outcome="confirmed")
    overpaid = record(auditor, outcome="discrepancy", note="住院天数多计2天", difference="120.50")
    unclear = record(auditor, outcome="discrepancy", note="病历与清单不符，金额待查")

    with rt.sessions() as session:
        follow_ups = session.scalars(select(SpotCheckFollowUp).order_by(SpotCheckFollowUp.id)).all()
        assert [(f.kind, f.recheck_id, f.amount_fen) for f in follow_ups] == [
            ("recovery", overpaid[0], 12050), ("audit", unclear[0], None)]
        audit_case = session.get(Case, follow_ups[1].audit_case_id)
        assert audit_case.claim_type == "audit" and audit_case.status == "intake"
        events = actions(session, "spot_check.recorded")
        assert [e.details["outcome"] for e in events] == ["confirmed", "discrepancy", "discrepancy"]
        assert events[1].details["follow_up"] == {"kind": "recovery", "recheck": overpaid[0],
                                                   "amount": "120.50", "audit_case_no": None}
        assert events[2].details["follow_up"]["audit_case_no"] == audit_case.case_no
        follow_ups[0].amount_fen = 1
        with pytest.raises(PermissionError, match="immutable"):
            session.flush()


def test_two_percent_of_paid_inpatients_are_called_back_and_the_call_recorded(rt, desk):
    paid = []
    for _ in range(3):
        case_no = factories.start_claim(rt, desk, claim_type="inpatient", amount="900")
        factories.walk(rt, desk, case_no)
        paid.append(case_no)
    outpatient = factories.start_claim(rt, desk, claim_type="outpatient", amount="30", documents=("invoice",))
    factories.walk(rt, desk, outpatient)
    assert factories.workflow_state(rt, paid[0])["case"] == "paid"
    move_approval(rt, [*paid, outpatient], ("payment",), DURING)
    auditor = desk["auditor"]
    with rt.sessions.begin() as session:
        shown = follow_up_list(session, auditor, MONTH)
        assert (shown.closed, shown.eligible, shown.quota) == (True, 3, 1)  # ceil(2 % × 3), inpatients
        [called] = [item.case_no for item in shown.items]
        assert called in paid
    with rt.sessions.begin() as session, pytest.raises(Incomplete):
        record_call(session, auditor, called, month=MONTH, outcome="discrepancy")
    with rt.sessions.begin() as session:
        record_call(session, auditor, called, month=MONTH, outcome="confirmed", note="本人确认住院9天")
    with rt.sessions.begin() as session:
        with pytest.raises(Conflict, match="not drawn"):
            record_call(session, auditor, next(c for c in paid if c != called), month=MONTH,
                        outcome="confirmed")
        with pytest.raises(Forbidden):
            record_call(session, desk["reviewer"], called, month=MONTH, outcome="confirmed")
    with rt.sessions() as session:
        [item] = follow_up_list(session, auditor, MONTH).items
        assert (item.call.outcome, item.call.note) == ("confirmed", "本人确认住院9天")
        assert len(session.scalars(select(PhoneFollowUp)).all()) == 1
        [event] = actions(session, "phone_follow_up.recorded")
        assert event.details["outcome"] == "confirmed" and event.target_id == called
        assert verify_month(session, MONTH).ok


def every_stored_text(session) -> set[str]:
    """Every text and JSON value in every table of the database, as it is stored."""
    from sqlalchemy import inspect as inspect_db
    from sqlalchemy import text

    found: set[str] = set()
    connection = session.connection()
    for table in inspect_db(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            for value in row:
                if value is not None and not isinstance(value, int | float | bool):
                    found.add(value if isinstance(value, str) else repr(value))
    return found


def test_nothing_in_the_database_recomputes_the_draw_before_the_reveal(rt, desk):
    """Whoever reads the database before the month closes finds the commitment's hash and a
    nonce, never the seed: no 32-byte hex value stored anywhere (tables, audit trail, JSON)
    hashes to the commitment. The seed is computed at the draw with the key derived from the
    app's secret (outside the database), matches the commitment, and is then stored."""
    import re

    with rt.sessions.begin() as session:
        ensure_commitments(session, now=BEFORE)
    claims = approve_claims(rt, desk, 2, claim_type="outpatient", amount="300", documents=("invoice",))
    move_approval(rt, claims, ("window_intake",), DURING)
    with rt.sessions() as session:
        commitment = commitment_of(session, MONTH)
        committed = commitment.seed_sha256
        assert commitment.seed is None and commitment.nonce and commitment.revealed_at is None
        candidates = {hexed for value in every_stored_text(session)
                      for hexed in re.findall(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", value.lower())}
        assert committed in candidates  # the scan does see the table
        assert not [c for c in candidates if hashlib.sha256(bytes.fromhex(c)).hexdigest() == committed]

    # A process without the installation's key cannot reveal it, and draws nothing.
    with rt.sessions.begin() as session:
        session.info.pop("spot_check_seal_key")
        with pytest.raises(Conflict, match="seal key"):
            recheck_queue(session, desk["auditor"], MONTH)
    with rt.sessions.begin() as session:
        session.info["spot_check_seal_key"] = b"another installation's key......"
        with pytest.raises(Conflict, match="does not match its commitment"):
            recheck_queue(session, desk["auditor"], MONTH)

    with rt.sessions.begin() as session:
        shown = recheck_queue(session, desk["auditor"], MONTH)
        seed = shown.commitment.seed
        assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == committed
        assert [i.case_no for i in shown.items] == draw_cases(seed, MONTH, "sporadic_claim", 0.25, claims)
    with rt.sessions() as session:
        assert commitment_of(session, MONTH).seed == seed and verify_month(session, MONTH).ok
