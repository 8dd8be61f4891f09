"""The monthly draws of spot checks (抽查) and phone follow-ups (回访), which nobody can game.

1. Commitment. Before a month begins, a seed is made for it and its sha256 recorded: in
   spot_check_commitments, shown on the re-check page, and in the audit trail (event
   `spot_check.committed`). The seed itself is not stored until it is revealed: it is sealed,
       seed = HMAC-SHA256(key = the installation's seal key, "spot-check-seed|YYYY-MM|NONCE")
   with a random NONCE (32 bytes from `secrets`, stored) and a key derived from the app's secret
   key, which lives outside the database (settings or the data directory's secret_key file).
   Whoever can read the database before the month closes sees the nonce and the hash but cannot
   compute the seed, hence not the draw. The secret key must stay the same until the month is
   drawn: a seed that no longer matches its commitment is refused, never used. The sweeper of
   `archive serve` / `archive worker` commits this month and the next; the pages and `archive
   spot-checks --commit` do too. A commitment made after its month began is marked late and
   shown as such.
2. Draw. Once the month has closed (China time), for each purpose (a [[spot_check]] group, or
   `phone_follow_up`) the eligible cases are listed, and exactly quota = ceil(share × n) of the
   n are drawn:
       rank(case) = HMAC-SHA256(key = the seed's 32 bytes, message = "YYYY-MM|PURPOSE|CASE_NO")
       the quota cases with the smallest rank (hex) are drawn.
   The seed is revealed with the draw. The eligible lists and the draws are stored and never
   change; the draw is audited (`spot_check.drawn`).
3. Verification. Anyone can check that sha256(seed) is the committed hash, recompute every
   rank (`printf '%s' '2026-11|sporadic_claim|AJ-2026-000123' | openssl dgst -sha256 -mac HMAC
   -macopt hexkey:SEED`) and the quota, and compare: `verify_month`, `archive spot-checks
   --verify`, `GET /api/spot-checks/verify?month=YYYY-MM`. Knowing a case number in advance
   tells nothing, since the seed is unknown until the month's cases are fixed.

Eligible for a re-check group: cases whose chain of that group was approved in the month (a
case in the first group that lists its chain). Eligible for the phone follow-up: cases of the
configured claim types (inpatient) whose payment chain was approved in the month.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import audit
from archive.models import Case, WorkflowInstance, WorkflowStatus
from archive.models.spot_checks import SpotCheckCommitment, SpotCheckDraw
from archive.models.types import utcnow
from archive.signoff.definitions import registry
from archive.signoff.errors import Conflict, _
from archive.signoff.rules import PhoneFollowUpRule, load_rules
from archive.signoff.workdays import CHINA

PHONE = "phone_follow_up"
SEAL_KEY = "spot_check_seal_key"  # in Session.info (archive.runtime.session_info)
_SEAL_CONTEXT = b"archive spot-check seeds v1"


class SealError(Conflict):
    """The month's seed cannot be revealed as committed (409)."""


def seal_key_of(secret_key: str) -> bytes:
    """The key that seals the spot-check seeds, derived from the app's secret key."""
    return hmac.new(secret_key.encode(), _SEAL_CONTEXT, hashlib.sha256).digest()


def sealed_seed(key: bytes, month: str, nonce: str) -> str:
    """The month's seed (hex): computable only with the seal key, which the database never holds."""
    return hmac.new(key, f"spot-check-seed|{month}|{nonce}".encode(), hashlib.sha256).hexdigest()


def _seal_key(session: Session) -> bytes:
    key = session.info.get(SEAL_KEY)
    if not key:
        raise SealError(_("Spot-check seeds cannot be made or revealed here: the process has no "
                          "seal key (start it through archive.runtime)."))
    return key


def quota(share: float | str, eligible: int) -> int:
    """ceil(share × eligible), in decimal so 0.15 × 20 is 3, not 3.0000000000000004 → 4."""
    return math.ceil(Decimal(str(share)) * eligible)


def rank(seed: str, month: str, purpose: str, case_no: str) -> str:
    return hmac.new(bytes.fromhex(seed), f"{month}|{purpose}|{case_no}".encode(),
                    hashlib.sha256).hexdigest()


def draw_cases(seed: str, month: str, purpose: str, share: float | str, eligible: list[str]) -> list[str]:
    """The documented procedure: the quota smallest ranks, returned in case-number order."""
    cases = sorted(set(eligible))
    ranked = sorted(cases, key=lambda case_no: rank(seed, month, purpose, case_no))
    return sorted(ranked[:quota(share, len(cases))])


def month_start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), 1, tzinfo=CHINA)


def next_month(month: str) -> str:
    return (month_start(month) + timedelta(days=32)).strftime("%Y-%m")


def month_closed(month: str, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= month_start(next_month(month))


@cache
def phone_rule() -> PhoneFollowUpRule:
    return load_rules().phone_follow_up or PhoneFollowUpRule(0.02, ("inpatient",))


def purposes() -> dict[str, str]:
    """Purpose → share as configured (text, as stored with the draw)."""
    shares = {group.name: str(group.share) for group in registry().spot_checks}
    return {**shares, PHONE: str(phone_rule().share)}


def commitment_of(session: Session, month: str) -> SpotCheckCommitment | None:
    return session.scalar(select(SpotCheckCommitment).where(SpotCheckCommitment.month == month))


def commit_month(session: Session, month: str, *, now: datetime | None = None) -> SpotCheckCommitment:
    """The month's commitment, made now if it has none (late if the month has begun)."""
    found = commitment_of(session, month)
    if found is not None:
        return found
    now = now or utcnow()
    nonce = secrets.token_hex(32)
    seed = sealed_seed(_seal_key(session), month, nonce)
    # Only the nonce and the hash are stored: the seed is revealed after the month (draw_month).
    made = SpotCheckCommitment(month=month, seed=None, nonce=nonce,
                               seed_sha256=hashlib.sha256(bytes.fromhex(seed)).hexdigest(),
                               late=now >= month_start(month), committed_at=now)
    try:
        with session.begin_nested():  # another process may commit the same month at once
            session.add(made)
    except IntegrityError:
        return commitment_of(session, month)
    audit.record(session, "spot_check.committed", target=None, details={
        "month": month, "seed_sha256": made.seed_sha256, "late": made.late})
    return made


def ensure_commitments(session: Session, now: datetime | None = None) -> None:
    """This month's and next month's commitments exist (next month's before it begins)."""
    now = now or utcnow()
    this = now.astimezone(CHINA).strftime("%Y-%m")
    for month in (this, next_month(this)):
        commit_month(session, month, now=now)


def eligible_cases(session: Session, month: str) -> dict[str, list[str]]:
    """Purpose → the case numbers eligible in `month`, sorted (from the database as it is)."""
    start, end = month_start(month), month_start(next_month(month))
    groups = registry().spot_checks
    paying = [d.name for d in registry().definitions.values() if d.done_status == "paid"]
    chains = [chain for group in groups for chain in group.chains] + paying
    rows = session.execute(
        select(Case.case_no, Case.claim_type, WorkflowInstance.definition)
        .join(Case, Case.id == WorkflowInstance.case_id)
        .where(WorkflowInstance.status == WorkflowStatus.APPROVED, WorkflowInstance.definition.in_(chains),
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end)).all()
    found: dict[str, set[str]] = {group.name: set() for group in groups} | {PHONE: set()}
    placed: set[str] = set()
    for group in groups:
        for case_no, _type, chain in rows:
            if chain in group.chains and case_no not in placed | found[group.name]:
                found[group.name].add(case_no)
        placed |= found[group.name]
    found[PHONE] = {case_no for case_no, claim_type, chain in rows
                    if chain in paying and claim_type in phone_rule().claim_types}
    return {purpose: sorted(cases) for purpose, cases in found.items()}


def draws_of(session: Session, month: str) -> dict[str, SpotCheckDraw]:
    return {draw.purpose: draw for draw in session.scalars(
        select(SpotCheckDraw).where(SpotCheckDraw.month == month))}


def draw_month(session: Session, month: str, *, now: datetime | None = None) -> dict[str, SpotCheckDraw]:
    """The month's draws, made (and the seed revealed) at the first need after it closed;
    {} while the month is open."""
    now = now or utcnow()
    if not month_closed(month, now):
        return {}
    stored = draws_of(session, month)
    if stored:
        return stored
    commitment = commit_month(session, month, now=now)  # late if none was made in time
    seed = revealed_seed(session, commitment)
    eligible = eligible_cases(session, month)
    made = {purpose: SpotCheckDraw(
        month=month, purpose=purpose, share=share, quota=quota(share, len(eligible[purpose])),
        eligible=eligible[purpose], drawn=draw_cases(seed, month, purpose, share,
                                                     eligible[purpose]), drawn_at=now)
        for purpose, share in purposes().items()}
    try:
        with session.begin_nested():
            session.add_all(made.values())
            commitment.seed = seed
            commitment.revealed_at = now
    except IntegrityError:
        return draws_of(session, month)
    audit.record(session, "spot_check.drawn", target=None, details={
        "month": month, "seed": commitment.seed, "seed_sha256": commitment.seed_sha256,
        "late_commitment": commitment.late,
        "draws": {p: {"share": d.share, "eligible": len(d.eligible), "quota": d.quota, "drawn": d.drawn}
                  for p, d in made.items()}})
    return made


def revealed_seed(session: Session, commitment: SpotCheckCommitment) -> str:
    """The month's seed, unsealed, checked against the hash committed before the month."""
    seed = commitment.seed
    if seed is None:
        seed = sealed_seed(_seal_key(session), commitment.month, commitment.nonce or "")
    if hashlib.sha256(bytes.fromhex(seed)).hexdigest() != commitment.seed_sha256:
        raise SealError(_("The spot-check seed of %(month)s does not match its commitment: the "
                          "installation's secret key changed since it was committed. Restore the "
                          "key to draw the month."), month=commitment.month)
    return seed


@dataclass(frozen=True)
class Verification:
    month: str
    seed_matches: bool  # sha256(revealed seed) is the committed hash
    late_commitment: bool
    mismatches: list[str]  # what does not recompute, in words

    @property
    def ok(self) -> bool:
        return self.seed_matches and not self.mismatches


def verify_month(session: Session, month: str) -> Verification:
    """Recompute the month's draws from the revealed seed and the cases as they are now."""
    commitment = commitment_of(session, month)
    draws = draws_of(session, month)
    if commitment is None or commitment.revealed_at is None or not draws:
        return Verification(month, False, False, [f"{month} has not been drawn yet"])
    seed_matches = hashlib.sha256(bytes.fromhex(commitment.seed)).hexdigest() == commitment.seed_sha256
    problems = []
    now_eligible = eligible_cases(session, month)
    for purpose, draw in sorted(draws.items()):
        if draw.quota != quota(draw.share, len(draw.eligible)):
            problems.append(f"{purpose}: quota {draw.quota} is not ceil({draw.share} x {len(draw.eligible)})")
        if draw_cases(commitment.seed, month, purpose, draw.share, draw.eligible) != draw.drawn:
            problems.append(f"{purpose}: the drawn cases do not recompute from the seed")
        if now_eligible.get(purpose, []) != draw.eligible:
            problems.append(f"{purpose}: the eligible cases differ from those approved in {month}")
    return Verification(month, seed_matches, commitment.late, problems)
