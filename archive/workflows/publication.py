"""The monthly publication list (公示, seeds 000/003): payouts per township and village.

A payout is a case whose payment chain (a chain with done_status "paid") was approved in the
month, China time; its amount is the `amount_paid` the cashier recorded with the payment (the
latest such finding of that chain), or the amount claimed for payments recorded before the
cashier entered it. The list is
aggregated (number of payouts and their sum per village, a subtotal per township, a total), so
it can be posted publicly without naming anyone. A designated provider's settlement (内报, claim
type "settlement": the hospital settled at discharge and is paid back) is the provider's, listed
under the provider's name apart from the villages, not as a payout to the village it was opened
under.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import visible_cases
from archive.auth import require
from archive.models import Case, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.signoff.months import month_bounds, parse_month
from archive.tabular import write_csv

AMOUNT_PAID = "amount_paid"  # the payment chain's finding (definitions/payment.toml)
PROVIDER_TYPES = ("settlement",)  # 内报: paid to the provider, not to anyone in a village

# Column and row names of the CSV for the notice board; the web passes translated ones.
ZH_LABELS = {"township": "乡镇", "village": "村", "payouts": "支付件数", "amount": "支付金额（元）",
             "subtotal": "小计", "total": "合计", "not_recorded": "（未登记）", "month": "月份",
             "provider": "定点医疗机构结算"}


@dataclass(frozen=True)
class VillageRow:
    village: str | None
    payouts: int
    amount: Decimal


@dataclass
class TownshipBlock:
    township: str | None
    villages: list[VillageRow] = field(default_factory=list)

    @property
    def payouts(self) -> int:
        return sum(v.payouts for v in self.villages)

    @property
    def amount(self) -> Decimal:
        return sum((v.amount for v in self.villages), Decimal("0.00"))


@dataclass(frozen=True)
class ProviderRow:
    provider: str
    payouts: int
    amount: Decimal


@dataclass(frozen=True)
class Publication:
    month: str
    townships: list[TownshipBlock]
    providers: list[ProviderRow] = field(default_factory=list)

    @property
    def payouts(self) -> int:
        return sum(t.payouts for t in self.townships) + sum(p.payouts for p in self.providers)

    @property
    def amount(self) -> Decimal:
        return (sum((t.amount for t in self.townships), Decimal("0.00"))
                + sum((p.amount for p in self.providers), Decimal("0.00")))


def monthly_payouts(session: Session, user, month: str | None = None) -> Publication:
    """Payouts of `month` (YYYY-MM; default this month) per township and village."""
    require(user, "publication.view")
    month = parse_month(month)
    start, end = month_bounds(month)
    paying = [d.name for d in registry().definitions.values() if d.done_status == "paid"]
    payments = session.execute(
        select(WorkflowInstance.id, Case.township, Case.village, Case.amount_fen, Case.claim_type,
               Case.claimant_name)
        .join(Case, WorkflowInstance.case_id == Case.id)
        .where(WorkflowInstance.definition.in_(paying),
               WorkflowInstance.status == WorkflowStatus.APPROVED,
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end,
               Case.id.in_(visible_cases(user).with_only_columns(Case.id)))).all()
    paid = _amounts_paid(session, [payment.id for payment in payments])
    totals: dict[tuple[str | None, str | None], list] = {}
    providers: dict[str, list] = {}
    for instance_id, township, village, claimed_fen, claim_type, name in payments:
        amount = paid.get(instance_id)
        if amount is None:
            amount = Decimal(claimed_fen or 0).scaleb(-2)
        if claim_type in PROVIDER_TYPES:
            total = providers.setdefault(name, [0, Decimal("0.00")])
        else:
            total = totals.setdefault((township, village), [0, Decimal("0.00")])
        total[0] += 1
        total[1] += amount
    blocks: dict[str | None, TownshipBlock] = {}
    for (township, village), (payouts, amount) in sorted(
            totals.items(), key=lambda r: (r[0][0] is None, r[0][0] or "", r[0][1] is None, r[0][1] or "")):
        block = blocks.setdefault(township, TownshipBlock(township))
        block.villages.append(VillageRow(village, payouts, amount))
    settled = [ProviderRow(name, count, amount) for name, (count, amount) in sorted(providers.items())]
    return Publication(month, list(blocks.values()), settled)


def _amounts_paid(session: Session, instance_ids: list[int]) -> dict[int, Decimal]:
    """The latest `amount_paid` recorded in each payment chain, by instance."""
    paid: dict[int, Decimal] = {}
    for start in range(0, len(instance_ids), 500):  # bounded IN lists
        for instance_id, findings in session.execute(
                select(SignOff.instance_id, SignOff.findings)
                .where(SignOff.instance_id.in_(instance_ids[start:start + 500]))
                .order_by(SignOff.instance_id, SignOff.seq)):
            if findings and findings.get(AMOUNT_PAID):
                paid[instance_id] = Decimal(findings[AMOUNT_PAID])
    return paid


def publication_csv(publication: Publication, labels: Mapping[str, str] = ZH_LABELS) -> str:
    """The list as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese correctly)."""
    blank = labels["not_recorded"]
    rows = []
    for block in publication.townships:
        for row in block.villages:
            rows.append([publication.month, block.township or blank, row.village or blank,
                         row.payouts, f"{row.amount:.2f}"])
        rows.append([publication.month, block.township or blank, labels["subtotal"],
                     block.payouts, f"{block.amount:.2f}"])
    for row in publication.providers:
        rows.append([publication.month, labels.get("provider", ZH_LABELS["provider"]), row.provider,
                     row.payouts, f"{row.amount:.2f}"])
    rows.append([publication.month, labels["total"], "", publication.payouts, f"{publication.amount:.2f}"])
    out = io.StringIO()
    write_csv(out, [labels["month"], labels["township"], labels["village"], labels["payouts"],
                    labels["amount"]], rows)
    return out.getvalue()
