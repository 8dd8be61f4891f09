"""Checks of the audit trail's hash chain and their outcome, kept in the trail itself.

Each run — `archive verify`, or the job an auditor queues from the desk ("verify now") —
appends an `audit.verified` event with what it found: events checked, the head hash, and the
first broken link if any. The audit desk shows the latest. Keeping results as audit events needs
no table of its own, and they are as tamper-evident as everything else there: a forged
"all is well" would itself break the chain the next run checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.audit import ChainReport, verify_chain
from archive.audit.checkpoints import check_against_checkpoints, write_checkpoint
from archive.auth import require
from archive.models import AuditEvent

VERIFIED = "audit.verified"
REQUESTED = "audit.verification_requested"


@dataclass(frozen=True)
class VerificationStatus:
    """The latest verification as the desk shows it."""

    event_id: int
    verified_at: datetime
    checked: int
    ok: bool
    head_hash: str
    broken_at: int | None
    problem: str | None
    channel: str  # cli, job, …
    requested_by: str | None

    @classmethod
    def from_event(cls, event: AuditEvent) -> VerificationStatus:
        details = event.details
        return cls(event.id, event.occurred_at, int(details.get("checked", 0)), bool(details.get("ok")),
                   str(details.get("head_hash", "")), details.get("broken_at"), details.get("problem"),
                   str(details.get("channel", "")), details.get("requested_by"))


def verify_and_record(runtime, *, actor=None, requested_by: str | None = None) -> ChainReport:
    """Recompute the chain and check it against the checkpoints kept outside the database, then
    append the outcome (its own short transaction) and, when all holds, sign a new checkpoint."""
    anchored = 0
    with runtime.sessions() as session:
        report = verify_chain(session)
        if report.ok:
            anchored, disagreement = check_against_checkpoints(session, runtime)
            if disagreement is not None:
                report = ChainReport(report.checked, report.head_hash, disagreement.event_id,
                                     disagreement.problem)
    with runtime.sessions.begin() as session:
        audit.record(session, VERIFIED, actor=actor, details={
            "checked": report.checked, "ok": report.ok, "head_hash": report.head_hash,
            "broken_at": report.broken_at, "problem": report.problem, "requested_by": requested_by,
            "checkpoints": anchored})
    if report.ok:
        write_checkpoint(runtime)
    return report


def request_verification(session: Session, *, actor) -> None:
    """An auditor asks for a check now; the caller queues the job after committing."""
    require(actor, "audit.verify")
    audit.record(session, REQUESTED, actor=actor)


def latest_verification(session: Session) -> VerificationStatus | None:
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == VERIFIED)
                           .order_by(AuditEvent.id.desc()).limit(1))
    return None if event is None else VerificationStatus.from_event(event)


def verification_pending(session: Session) -> bool:
    """A request newer than the latest result: the job has not run yet (or is running)."""
    last = dict(session.execute(
        select(AuditEvent.action, AuditEvent.id).where(AuditEvent.action.in_([VERIFIED, REQUESTED]))
        .order_by(AuditEvent.id.desc()).limit(1)).all())
    return REQUESTED in last

