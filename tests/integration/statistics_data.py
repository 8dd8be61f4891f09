"""Varied rows for the statistics tests: cases opened through the factories, then their
documents, chain runs, sign-offs, re-checks and follow-ups written as the desks would have left
them, at moments spread over and around the period (China midnight on both sides included)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from archive.models import (
    Case,
    Document,
    RecheckOutcome,
    SignOff,
    SpotCheckFollowUp,
    StoredObject,
    WorkflowInstance,
)
from tests import factories

TOWNSHIPS = (factories.TOWNSHIP, "河西乡", "北山镇", None)
VILLAGES = (factories.VILLAGE, "西村", "南村", None)
# 市中医院 is registered (tests/integration/test_statistics.py), written here three ways and by
# an alias; 北山镇卫生院, not registered, two ways: each hospital is one line of the statistics.
HOSPITALS = (factories.HOSPITAL, "省立医院", "市中医院", "市 中医院", "市中医院（章）", "城关中医馆",
             "北山镇卫生院", "北山镇 卫生院", "西村卫生室", "平价大药房", None)
CLAIM_TYPES = ("outpatient", "inpatient", "maternity", "trauma", "referral", "settlement", "other", "audit")
PEOPLE = [f"1101011990010{n:05d}" for n in range(12)]
# Around 2026-Q1; the China midnights that open March and April (UTC 16:00 the day before).
EDGES = [datetime(2026, 2, 28, 15, 59, tzinfo=UTC), datetime(2026, 2, 28, 16, 0, tzinfo=UTC),
         datetime(2026, 3, 31, 15, 59, tzinfo=UTC), datetime(2026, 3, 31, 16, 0, tzinfo=UTC),
         datetime(2025, 12, 31, 15, 59, tzinfo=UTC), datetime(2025, 12, 31, 16, 0, tzinfo=UTC)]
FIRST, LAST = datetime(2025, 12, 15, tzinfo=UTC), datetime(2026, 4, 20, tzinfo=UTC)


def moment(rng: random.Random) -> datetime:
    if rng.random() < 0.15:
        return rng.choice(EDGES)
    return FIRST + timedelta(seconds=rng.randrange(int((LAST - FIRST).total_seconds())))


def amount(rng: random.Random) -> str:
    return f"{rng.randrange(100, 5_000_000) / 100:.2f}"


def build(rt, users: dict, *, cases: int, seed: int) -> None:
    rng = random.Random(seed)
    clerk = users["intake_clerk"]
    numbers = [factories.make_case(rt, clerk, claimant_name=f"病人{n}", claim_type=rng.choice(CLAIM_TYPES),
                                   township=rng.choice(TOWNSHIPS), village=rng.choice(VILLAGES),
                                   hospital=rng.choice(HOSPITALS),
                                   amount=amount(rng) if rng.random() < 0.7 else None) for n in range(cases)]
    with rt.sessions.begin() as session:
        signer = session.merge(users["cashier"])
        for number in numbers:
            case = session.scalar(select(Case).where(Case.case_no == number))
            case.created_at = moment(rng)
            case.claimant_id_number = rng.choice(PEOPLE + [None, ""])
            case.insurance_number = rng.choice([None, f"YB{rng.randrange(5)}"])
            _documents(session, rng, case, clerk)
            _chain(session, rng, case, signer, "window_intake",
                   ["completeness", "initial_review", "re_review"])
            if case.claim_type == "audit":
                _audit(session, rng, case, signer)
            elif rng.random() < 0.7:
                _payment(session, rng, case, signer)
            _rechecks(session, rng, case, signer)


def _documents(session, rng, case, clerk) -> None:
    used_numbers = []
    for _n in range(rng.randrange(0, 5)):
        kind = rng.choice(["invoice", "invoice", "vat_invoice", "daily_statement"])
        fields = {}
        if rng.random() < 0.85:
            fields["total_amount"] = amount(rng)
        if rng.random() < 0.6:
            fields["self_funded"] = f"{rng.randrange(0, 50_000) / 100:.2f}"
        if rng.random() < 0.8:
            # A number seen before in the case is a duplicate invoice, counted once.
            repeat = used_numbers and rng.random() < 0.6
            number = rng.choice(used_numbers) if repeat else str(rng.randrange(10**8))
            used_numbers.append(number)
            fields["invoice_number"] = number
            fields["invoice_code"] = rng.choice(["", "144031900111"]) if rng.random() < 0.2 else ""
        data = rng.randbytes(16)
        sha = hashlib.sha256(data).hexdigest()
        stored = StoredObject(sha256=sha, size=16, content_type="application/pdf", store_key=f"k/{sha}")
        session.add(stored)
        session.flush()
        session.add(Document(case_id=case.id, object_id=stored.id, kind=kind, original_filename="x.pdf",
                             filename="x.pdf", content_type="application/pdf", uploaded_by_id=clerk.id,
                             status=rng.choice(["processed"] * 4 + ["failed", "received"]), fields=fields))
    session.flush()


def _instance(session, rng, case, definition, started) -> WorkflowInstance:
    instance = WorkflowInstance(case_id=case.id, definition=definition, definition_sha256="0" * 64,
                                started_at=started, step_started_at=started,
                                chain_due_on=(started + timedelta(days=rng.randrange(0, 20))).date())
    session.add(instance)
    session.flush()
    return instance


def _sign(session, instance, signer, seq, step, decision, at, findings=None) -> None:
    session.add(SignOff(instance_id=instance.id, case_id=instance.case_id, seq=seq, round=1, step=step,
                        role=signer.role, signer_id=signer.id, signer_name=signer.display_name,
                        decision=decision, findings=findings or {}, content_sha256="0" * 64, signed_at=at))


def _chain(session, rng, case, signer, definition, steps) -> None:
    started = case.created_at + timedelta(hours=rng.randrange(1, 72))
    instance = _instance(session, rng, case, definition, started)
    at, seq = started, 1
    taken = steps[:rng.randrange(0, len(steps) + 1)]
    for step in taken:
        if rng.random() < 0.25:
            at += timedelta(minutes=rng.randrange(10, 5000))
            _sign(session, instance, signer, seq, step, "return", at)
            seq += 1
        at += timedelta(minutes=rng.randrange(10, 9000))
        _sign(session, instance, signer, seq, step, "approve", at)
        seq += 1
    if len(taken) == len(steps) and rng.random() < 0.8:
        instance.status = rng.choice(["approved", "approved", "rejected"])
        instance.finished_at = at
    session.flush()


def _payment(session, rng, case, signer) -> None:
    started = moment(rng)
    instance = _instance(session, rng, case, "payment", started)
    at = started
    for seq in range(1, rng.randrange(2, 4)):  # entered once or twice (returned and entered again)
        at += timedelta(hours=rng.randrange(1, 100))
        _sign(session, instance, signer, seq, "cashier_entry", "approve", at, {"amount_paid": amount(rng)})
    if rng.random() < 0.85:
        instance.status, instance.finished_at = "approved", at + timedelta(hours=rng.randrange(0, 30))
    session.flush()


def _audit(session, rng, case, signer) -> None:
    instance = _instance(session, rng, case, "audit", case.created_at)
    at = case.created_at
    for seq in range(1, rng.randrange(1, 4)):
        at += timedelta(days=rng.randrange(0, 20))
        total = rng.choice(["0.00", amount(rng)])
        _sign(session, instance, signer, seq, "handling", "approve", at,
              {"deductions": [], "deductions_total": total})
    session.flush()


def _rechecks(session, rng, case, signer) -> None:
    for _n in range(rng.choice([0, 0, 1, 2])):
        month = rng.choice(["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"])
        outcome = rng.choice(["confirmed", "discrepancy"])
        recheck = RecheckOutcome(case_id=case.id, month=month, outcome=outcome, checked_by_id=signer.id,
                                 checked_by_name=signer.display_name, checked_at=moment(rng),
                                 difference_fen=(rng.randrange(-5000, 90000) if outcome == "discrepancy"
                                                 else None))
        session.add(recheck)
        session.flush()
        if outcome == "discrepancy" and rng.random() < 0.7:
            kind = rng.choice(["recovery", "audit"])
            session.add(SpotCheckFollowUp(
                case_id=case.id, recheck_id=recheck.id, kind=kind, opened_at=moment(rng),
                amount_fen=rng.randrange(100, 90000) if kind == "recovery" else None))
    session.flush()


def in_period(moment_: datetime | None, first: date, end: date) -> bool:
    from archive.signoff.workdays import CHINA

    return moment_ is not None and first <= moment_.astimezone(CHINA).date() < end
