"""Monthly payment batches (支付凭单装订成册, seed 002): the payments approved in a month with
their vouchers, and — once the month has closed — the batch bound: its list's sha256, count
and total recorded once, so a payment changed afterwards shows against the binding."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.claims.money import fen_of
from archive.claims.policy import yuan_text
from archive.claims.service import AMOUNT_PAID
from archive.models import Case, PaymentBatch, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.signoff.errors import Conflict, Incomplete, _
from archive.signoff.months import month_bounds, parse_month
from archive.signoff.workdays import today_in_china


@dataclass(frozen=True)
class BatchLine:
    case_no: str
    claimant_name: str
    township: str | None
    village: str | None
    voucher: str | None
    approved_fen: int | None
    paid_fen: int
    partial: bool
    paid_at: datetime

    def canonical(self) -> dict[str, Any]:
        return {"case_no": self.case_no, "voucher": self.voucher, "approved": yuan_text(self.approved_fen),
                "paid": yuan_text(self.paid_fen)}

    def as_json(self) -> dict[str, Any]:
        return {**self.canonical(), "claimant_name": self.claimant_name, "township": self.township,
                "village": self.village, "partial": self.partial, "paid_at": self.paid_at.isoformat()}


@dataclass(frozen=True)
class Batch:
    month: str
    lines: list[BatchLine]
    binding: PaymentBatch | None

    @property
    def total_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    @property
    def sha256(self) -> str:
        text = json.dumps([line.canonical() for line in self.lines], ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def matches_binding(self) -> bool | None:
        return None if self.binding is None else self.binding.list_sha256 == self.sha256

    def as_json(self) -> dict[str, Any]:
        bound = self.binding
        return {"month": self.month, "payments": len(self.lines), "total": yuan_text(self.total_fen),
                "sha256": self.sha256, "lines": [line.as_json() for line in self.lines],
                "bound": None if bound is None else {
                    "payments": bound.payments, "total": yuan_text(bound.total_fen),
                    "sha256": bound.list_sha256, "by": bound.bound_by_name, "at": bound.bound_at.isoformat()},
                "matches_binding": self.matches_binding}


def payment_batch(session: Session, user, month: str | None) -> Batch:
    """The payments approved in `month` (China time), by voucher number."""
    require(user, "payment.batch.view")
    month = parse_month(month)
    start, end = month_bounds(month)
    paying = [d for d in registry().definitions.values() if d.done_status == "paid"]
    entry_steps = [s.id for d in paying for s in d.steps if any(f.name == AMOUNT_PAID for f in s.findings)]
    rows = session.execute(
        select(WorkflowInstance.id, WorkflowInstance.finished_at, Case.case_no, Case.claimant_name,
               Case.township, Case.village)
        .join(Case, Case.id == WorkflowInstance.case_id)
        .where(WorkflowInstance.definition.in_([d.name for d in paying]),
               WorkflowInstance.status == WorkflowStatus.APPROVED,
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end)).all()
    entries = _entries(session, [row.id for row in rows], entry_steps)
    lines = []
    for row in rows:
        findings = entries.get(row.id, {})
        lines.append(BatchLine(row.case_no, row.claimant_name, row.township, row.village,
                               findings.get("voucher_number"), fen_of(findings.get("approved_amount")),
                               fen_of(findings.get(AMOUNT_PAID)) or 0, bool(findings.get("partial")),
                               row.finished_at))
    lines.sort(key=lambda line: (line.voucher or "", line.case_no))
    binding = session.scalar(select(PaymentBatch).where(PaymentBatch.month == month))
    return Batch(month, lines, binding)


def bind_batch(session: Session, user, month: str | None) -> Batch:
    """Bind a closed month's batch (once): its count, total and list sha256 are kept."""
    require(user, "payment.batch.bind")
    batch = payment_batch(session, user, month)
    if batch.month >= today_in_china().strftime("%Y-%m"):
        raise Conflict(_("The payments of %(month)s are bound after the month has closed."),
                       month=batch.month)
    if batch.binding is not None:
        raise Conflict(_("The payments of %(month)s were already bound by %(name)s."), month=batch.month,
                       name=batch.binding.bound_by_name)
    if not batch.lines:
        raise Incomplete(_("No payment was approved in %(month)s."), month=batch.month)
    binding = PaymentBatch(month=batch.month, payments=len(batch.lines), total_fen=batch.total_fen,
                           list_sha256=batch.sha256, bound_by_id=user.id,
                           bound_by_name=user.display_name or user.username)
    session.add(binding)
    session.flush()
    audit.record(session, "payment.batch_bound", actor=user, target=None, details={
        "month": batch.month, "payments": binding.payments, "total": yuan_text(binding.total_fen),
        "sha256": binding.list_sha256})
    return Batch(batch.month, batch.lines, binding)


def _entries(session: Session, instance_ids: list[int], steps: list[str]) -> dict[int, dict]:
    """The findings of the cashier's approval in force (the latest) of each payment."""
    found: dict[int, dict] = {}
    for start in range(0, len(instance_ids), 500):  # bounded IN lists
        chunk = instance_ids[start:start + 500]
        latest = (select(func.max(SignOff.id)).where(SignOff.instance_id.in_(chunk), SignOff.step.in_(steps),
                                                      SignOff.decision == "approve")
                  .group_by(SignOff.instance_id))
        for instance_id, findings in session.execute(
                select(SignOff.instance_id, SignOff.findings).where(SignOff.id.in_(latest))):
            found[instance_id] = findings or {}
    return found
