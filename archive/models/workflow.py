from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.cases import Case
from archive.models.types import UTCDateTime, utcnow


class WorkflowStatus:
    ACTIVE = "active"  # waiting at `current_step`
    RETURNED = "returned"  # sent back to intake for correction (退回补正)
    REJECTED = "rejected"  # ended with a reason
    APPROVED = "approved"  # every step signed
    WAITING = "waiting"  # a follow-up chain whose predecessor was reopened

    OPEN = (ACTIVE, RETURNED, WAITING)


class WorkflowInstance(Base):
    """One sign-off chain run on one case (a case has at most one run of each chain).

    `signed` maps each step whose approval is in force to that sign-off's id; a reopen drops
    the entries from the reopened step on, while the sign-off rows themselves never change.
    `version` is the optimistic lock every decision is checked against.
    """

    __tablename__ = "workflow_instances"
    __table_args__ = (
        UniqueConstraint("case_id", "definition", name="uq_workflow_case_definition"),
        Index("ix_workflow_queue", "status", "current_role", "due_on"),
        Index("ix_workflow_instances_finished", "finished_at"),  # archive.statistics
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    definition: Mapped[str] = mapped_column(String(64))
    definition_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=WorkflowStatus.ACTIVE)
    current_step: Mapped[str | None] = mapped_column(String(64))
    current_role: Mapped[str | None] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(default=1)  # +1 on each resubmission or reopen
    signed: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    step_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chain_due_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # the current step's deadline
    calendar_estimated: Mapped[bool] = mapped_column(default=False)  # ran past the published calendar
    # The last return (list of what is missing), reopen or rejection, for the case page.
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}


class SignOff(Base):
    """One decision at one step (签字): immutable, with the content it was made on.

    `content_sha256` is the sha256 of the case's canonical content (fields and documents'
    sha256) at that moment, so a later change is visible against the signature. `seq` is the
    instance version the decision was made on: unique per instance, so two people deciding on
    the same version can never both be recorded.
    """

    __tablename__ = "sign_offs"
    __table_args__ = (
        UniqueConstraint("instance_id", "seq", name="uq_sign_off_instance_seq"),
        Index("ix_sign_offs_case_signer", "case_id", "signer_id"),
        # The dashboard's weekly counts (archive.dashboard).
        Index("ix_sign_offs_signer_signed", "signer_id", "signed_at"),
        Index("ix_sign_offs_role_signed", "role", "signed_at"),
        Index("ix_sign_offs_signed_at", "signed_at"),  # archive.statistics: a period's decisions
        Index("ix_sign_offs_step_signed", "step", "signed_at"),  # archive.statistics: audits handled
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int]
    round: Mapped[int]
    step: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))
    opinion: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


event.listen(SignOff, "before_update", _refuse_change)
event.listen(SignOff, "before_delete", _refuse_change)


class RecheckOutcome(Base):
    """The finding of one spot-check re-check (抽查复核) of a drawn case: append-only.

    A later row for the same case and month supersedes the earlier one as the current finding;
    both stay, so a changed finding is visible with who changed it and when.
    """

    __tablename__ = "recheck_outcomes"
    __table_args__ = (Index("ix_recheck_outcomes_case_month", "case_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the draw
    outcome: Mapped[str] = mapped_column(String(16))  # confirmed | discrepancy
    note: Mapped[str | None] = mapped_column(Text)
    difference_fen: Mapped[int | None] = mapped_column(BigInteger)  # overpaid (+) / underpaid (−)
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_by_name: Mapped[str] = mapped_column(String(128))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


event.listen(RecheckOutcome, "before_update", _refuse_change)
event.listen(RecheckOutcome, "before_delete", _refuse_change)
