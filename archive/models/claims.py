from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class AmountAdjustment(Base):
    """A reviewer's adjustment of a case's approved amount (核定金额调整), with its reason.

    Append-only: the latest row of a case is in force; a row without an amount returns the case
    to the computed amount. The adjustment is part of what a signature covers
    (archive.claims.service.money_content), so the signature that follows it covers it too.
    """

    __tablename__ = "amount_adjustments"
    __table_args__ = (Index("ix_amount_adjustments_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    approved_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: back to the computed amount
    computed_fen: Mapped[int | None] = mapped_column(BigInteger)  # what the policy gave at the time
    reason: Mapped[str] = mapped_column(Text)
    adjusted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    adjusted_by_name: Mapped[str] = mapped_column(String(128))
    adjusted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _refuse_change(_mapper, _connection, target) -> None:
    raise PermissionError(f"{target.__tablename__} row {target.id} is immutable")


event.listen(AmountAdjustment, "before_update", _refuse_change)
event.listen(AmountAdjustment, "before_delete", _refuse_change)


class PaymentBatch(Base):
    """A closed month's payments bound as one batch of vouchers (支付凭单装订成册): immutable.

    `list_sha256` is the sha256 of the batch's canonical list (archive.claims.batches), so a
    payment that changes after binding shows as a batch that no longer matches its binding.
    """

    __tablename__ = "payment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM, China time
    payments: Mapped[int]
    total_fen: Mapped[int] = mapped_column(BigInteger)
    list_sha256: Mapped[str] = mapped_column(String(64))
    bound_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bound_by_name: Mapped[str] = mapped_column(String(128))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


event.listen(PaymentBatch, "before_update", _refuse_change)
event.listen(PaymentBatch, "before_delete", _refuse_change)
