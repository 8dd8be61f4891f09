"""What the archive keeps about a case: its class, archive number, retention, holds, disposition."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.cases import Case
from archive.models.types import UTCDateTime, utcnow


class RecordState:
    OPEN = "open"  # class chosen by an archivist, case not yet filed
    ARCHIVED = "archived"  # filed (归档), with its archive number
    DESTROYED = "destroyed"  # appraised, approved and destroyed: only this metadata stub remains


class ArchiveRecord(Base):
    """A case's place in the archive (归档记录): record class, 档号 and retention.

    The archive number parts are set when the case is filed; `item_number` is gap-free per
    (fonds, year, retention code). `retention_ends_on` is the first day after retention (None:
    permanent); an appraisal may move it later.
    """

    __tablename__ = "archive_records"
    __table_args__ = (
        UniqueConstraint("fonds_code", "archive_year", "retention_code", "item_number",
                         name="uq_archive_item"),
        Index("ix_archive_records_due", "state", "retention_ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    record_class: Mapped[str] = mapped_column(String(32))
    class_overridden: Mapped[bool] = mapped_column(default=False)
    access_grade: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default=RecordState.OPEN)
    closed_on: Mapped[date | None] = mapped_column(Date)
    archive_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    fonds_code: Mapped[str | None] = mapped_column(String(16))
    archive_year: Mapped[int | None]
    retention_code: Mapped[str | None] = mapped_column(String(8))
    department_code: Mapped[str | None] = mapped_column(String(16))
    item_number: Mapped[int | None]
    retention_years: Mapped[int | None]  # None: permanent
    retention_ends_on: Mapped[date | None] = mapped_column(Date)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def permanent(self) -> bool:
        return self.state != RecordState.OPEN and self.retention_ends_on is None


class LegalHold(Base):
    """A legal hold (诉讼保全 / 冻结): while any hold on a case is not lifted, the case is frozen."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_case", "case_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_by_name: Mapped[str] = mapped_column(String(128))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_by_name: Mapped[str | None] = mapped_column(String(128))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class AppraisalStatus:
    APPLIED = "applied"  # extend / keep permanently: took effect when decided
    PENDING = "pending"  # destroy: waiting for approvals
    APPROVED = "approved"  # destroy: approved, not yet carried out
    EXECUTED = "executed"  # destroyed
    WITHDRAWN = "withdrawn"  # superseded by a later decision


class Appraisal(Base):
    """An appraisal decision (鉴定意见) on a case whose retention has ended."""

    __tablename__ = "appraisals"
    __table_args__ = (Index("ix_appraisals_record", "record_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("archive_records.id"))
    decision: Mapped[str] = mapped_column(String(16))  # destroy | extend | permanent
    extend_years: Mapped[int | None]
    opinion: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retention_ended_on: Mapped[date | None] = mapped_column(Date)  # before the decision
    version: Mapped[int] = mapped_column(default=1)

    record: Mapped[ArchiveRecord] = relationship()
    approvals: Mapped[list[DestructionApproval]] = relationship(order_by="DestructionApproval.id")

    __mapper_args__ = {"version_id_col": version}


class DestructionApproval(Base):
    """One person's approval of a destroy decision; one per person per decision."""

    __tablename__ = "destruction_approvals"
    __table_args__ = (UniqueConstraint("appraisal_id", "approver_id", name="uq_destruction_approver"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_name: Mapped[str] = mapped_column(String(128))
    approver_role: Mapped[str] = mapped_column(String(32))
    opinion: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DestructionEntry(Base):
    """One line of the destruction register (销毁清册), kept permanently and never changed."""

    __tablename__ = "destruction_register"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32))
    archive_no: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    record_class: Mapped[str] = mapped_column(String(32))
    archive_year: Mapped[int]
    retention: Mapped[str] = mapped_column(String(16))  # the retention code, e.g. D10
    retention_ended_on: Mapped[date] = mapped_column(Date)
    documents: Mapped[int]
    pages: Mapped[int]
    objects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # sha256, size
    appraisal_opinion: Mapped[str] = mapped_column(Text)
    appraised_by: Mapped[str] = mapped_column(String(128))
    approved_by: Mapped[str] = mapped_column(Text)  # names, in the order they approved
    destroyed_by: Mapped[str] = mapped_column(String(128))
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target: DestructionEntry) -> None:
    raise PermissionError(f"destruction register entry {target.id} is permanent")


event.listen(DestructionEntry, "before_update", _refuse_change)
event.listen(DestructionEntry, "before_delete", _refuse_change)
