from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class SpotCheckCommitment(Base):
    """The month's random seed, committed before the month begins (抽查随机数承诺).

    Its sha256 is recorded (and shown, and written to the audit trail) when the row is made;
    the seed itself is kept back until the month has closed and is revealed with the draw.
    `late`: made after the month began (no commitment existed in time), shown as such.
    Only `revealed_at` and an empty `seed` may change, once (archive.workflows.spot_draws).
    """

    __tablename__ = "spot_check_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM, China time
    # The seed (32 bytes, hex): empty until revealed. Until then only `nonce` is stored, from
    # which the seed is computed with a key kept outside the database (archive.workflows.spot_draws).
    seed: Mapped[str | None] = mapped_column(String(64))
    nonce: Mapped[str | None] = mapped_column(String(64))
    seed_sha256: Mapped[str] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(default=False)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SpotCheckDraw(Base):
    """One purpose's draw of a closed month: the eligible cases and those drawn (immutable).

    `purpose`: a [[spot_check]] group name (re-check) or "phone_follow_up" (回访)."""

    __tablename__ = "spot_check_draws"
    __table_args__ = (UniqueConstraint("month", "purpose", name="uq_spot_check_draws_month_purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    purpose: Mapped[str] = mapped_column(String(64))
    share: Mapped[str] = mapped_column(String(16))  # as configured, e.g. "0.15"
    quota: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[list[str]] = mapped_column(JSON, default=list)  # case numbers, sorted
    drawn: Mapped[list[str]] = mapped_column(JSON, default=list)  # case numbers, sorted
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpotCheckFollowUp(Base):
    """What a discrepancy found in a re-check opened: recovery of the overpaid amount (追回) or
    an audit case (稽核). Append-only."""

    __tablename__ = "spot_check_follow_ups"
    __table_args__ = (Index("ix_spot_check_follow_ups_case", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    recheck_id: Mapped[int] = mapped_column(ForeignKey("recheck_outcomes.id"))
    kind: Mapped[str] = mapped_column(String(16))  # recovery | audit
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # to recover
    audit_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhoneFollowUp(Base):
    """The outcome of a monthly phone follow-up (回访) of a paid inpatient: append-only, the
    latest row of a case and month is the current one."""

    __tablename__ = "phone_follow_ups"
    __table_args__ = (Index("ix_phone_follow_ups_case_month", "case_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    month: Mapped[str] = mapped_column(String(7))
    outcome: Mapped[str] = mapped_column(String(16))  # confirmed | not_reached | discrepancy
    note: Mapped[str | None] = mapped_column(Text)
    called_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    called_by_name: Mapped[str] = mapped_column(String(128))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


def _reveal_only(_mapper, connection, target) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed - {"revealed_at", "seed"} or ("seed" in changed and any(state.attrs.seed.history.deleted)):
        raise PermissionError(f"spot_check_commitments row {target.id}: only revealed_at may change")


for _model in (SpotCheckDraw, SpotCheckFollowUp, PhoneFollowUp):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
event.listen(SpotCheckCommitment, "before_update", _reveal_only)
event.listen(SpotCheckCommitment, "before_delete", _refuse_change)
