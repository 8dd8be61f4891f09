"""Back-scanning historical paper (著录回溯): the runs and the volumes and boxes they registered.

A volume (卷, 案卷) is one historical case file registered from a manifest row; it sits in a box
(盒). Its row is the run's idempotency record: the key (全宗号 + 年度 + 原档号, or the row's own
description where it has no old number) is unique, so a resumed run finds what it did before.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class BackscanRun(Base):
    """One run over a manifest (from the CLI or the archive desk), with its progress."""

    __tablename__ = "backscan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_name: Mapped[str] = mapped_column(String(255))
    folder: Mapped[str] = mapped_column(Text)
    # The validated rows, so a job (or a resume) runs from the database, not from a request.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # rows filed (now or by an earlier run)
    skipped: Mapped[int] = mapped_column(default=0)  # of `done`: already filed before this run
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|finished|failed
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VolumeState:
    PENDING = "pending"  # case opened, documents being taken in
    FILED = "filed"  # filed in the archive with its archive number


class ArchiveVolume(Base):
    """A volume (卷) registered by back-scanning, in its box (盒)."""

    __tablename__ = "archive_volumes"
    __table_args__ = (Index("ix_archive_volumes_box", "fonds_code", "archive_year", "box_no"),
                      Index("ix_archive_volumes_closed", "closed_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("backscan_runs.id"))
    row_number: Mapped[int | None]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    fonds_code: Mapped[str] = mapped_column(String(16))
    archive_year: Mapped[int]
    retention_code: Mapped[str] = mapped_column(String(8))
    original_no: Mapped[str | None] = mapped_column(String(64))  # 原档号, kept where given
    title: Mapped[str] = mapped_column(Text)  # 案卷题名
    box_no: Mapped[str] = mapped_column(String(32))  # 盒号
    pages: Mapped[int]  # 页数 of the paper volume
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date] = mapped_column(Date)
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default=VolumeState.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
