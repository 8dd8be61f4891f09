"""Claims and payouts of a period by claim type, township, village, hospital and hospital level.

Two queries — claims received (cases opened in the period) and payouts (payments whose chain was
approved in the period) — each one UNION ALL of a GROUP BY per dimension (and the total) over a
CTE of the period's rows, so every figure, the distinct beneficiaries included (a person paid
twice in a township is one beneficiary), is an SQL aggregate; only the lines come back. The
hospital lines come back per name as written and are counted as their registered provider, and
at its level, after (archive.statistics.hospitals).

The cost of a paid claim (医疗总费用) is its claimed amount as archive.claims.money defines it:
the totals of its read invoices, each invoice number once per case, else the amount typed at
intake; the self-funded part (个人自费) is that of the same invoices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    cast,
    distinct,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from archive.claims.service import AMOUNT_PAID
from archive.models import Case, Document, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff.definitions import registry
from archive.statistics.hospitals import by_provider
from archive.statistics.period import Period
from archive.statistics.sql import fen

INVOICE_KINDS = ("invoice", "vat_invoice")
DIMENSIONS = ("claim_type", "township", "village", "hospital", "hospital_level")
NOT_CLAIMS = ("audit",)  # an audit case file is no claim
BENEFICIARY_LINES = ("township", "total")  # where distinct people paid are shown (受益率)


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole to four places (a share), None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Line:
    """One row of a dimension: `key` is the claim type, township, (township, village), hospital
    or level."""

    key: object
    received: int = 0  # claims opened in the period
    paid: int = 0  # claims paid in the period
    paid_fen: int = 0
    cost_fen: int = 0  # their total cost (医疗总费用)
    costed: int = 0  # paid claims whose cost is known
    self_funded_fen: int = 0
    beneficiaries: int | None = None  # distinct people paid (townships and the total)
    insured: int | None = None  # 参合人数 of the year (townships and the total)

    @property
    def compensation_ratio(self) -> Decimal | None:  # 实际补偿比
        return ratio(self.paid_fen, self.cost_fen)

    @property
    def average_cost_fen(self) -> int | None:  # 次均费用
        if not self.costed:
            return None
        return int((Decimal(self.cost_fen) / self.costed).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def self_funded_ratio(self) -> Decimal | None:  # 自费比例
        return ratio(self.self_funded_fen, self.cost_fen)

    @property
    def beneficiary_rate(self) -> Decimal | None:  # 受益率
        if self.beneficiaries is None or not self.insured:
            return None
        return ratio(self.beneficiaries, self.insured)


@dataclass
class ClaimFigures:
    dimensions: dict[str, list[Line]] = field(default_factory=dict)
    total: Line = field(default_factory=lambda: Line("total"))


def paying_steps() -> tuple[list[str], list[str]]:
    """The chains that pay (done_status "paid") and their steps recording `amount_paid`."""
    paying = [d for d in registry().definitions.values() if d.done_status == "paid"]
    steps = [s.id for d in paying for s in d.steps if any(f.name == AMOUNT_PAID for f in s.findings)]
    return [d.name for d in paying], steps


def claim_figures(session: Session, period: Period, visible: ColumnElement[bool],
                  insured: dict[str, int]) -> ClaimFigures:
    dialect = session.get_bind().dialect.name
    opened = (select(Case.claim_type, Case.township, Case.village, Case.hospital)
              .where(Case.created_at >= period.start, Case.created_at < period.end,
                     Case.claim_type.not_in(NOT_CLAIMS), visible).cte("opened"))
    received = by_dimension(session, opened, lambda _source: [func.count()])
    paid = _paid_claims(period, dialect)
    costs = invoice_costs(select(paid.c.case_id), dialect)
    person = func.coalesce(func.nullif(Case.claimant_id_number, ""), func.nullif(Case.insurance_number, ""),
                           Case.case_no)
    joined = (select(Case.claim_type, Case.township, Case.village, Case.hospital, paid.c.paid_fen,
                     func.coalesce(costs.c.total_fen, Case.amount_fen).label("cost"),
                     costs.c.self_funded_fen.label("self_funded"), person.label("person"))
              .select_from(paid).join(Case, Case.id == paid.c.case_id)
              .outerjoin(costs, costs.c.case_id == Case.id)
              .where(Case.claim_type.not_in(NOT_CLAIMS), visible).cte("joined"))
    payouts = by_dimension(session, joined, lambda c: [
        func.count(), func.coalesce(func.sum(c.paid_fen), 0), func.coalesce(func.sum(c.cost), 0),
        func.count(c.cost), func.coalesce(func.sum(c.self_funded), 0), func.count(distinct(c.person))])
    return roll_up(by_provider(session, received), by_provider(session, payouts), insured)


def by_dimension(session: Session, source, measures) -> list:
    """(dimension, key, key2, *measures) for each dimension and "total": one UNION ALL of
    GROUP BYs over `source` (a CTE, so its rows are worked out once). The hospital rows are per
    name as written (archive.statistics.hospitals.by_provider counts them as their provider and
    gives the hospital level rows)."""
    c = source.c
    blank = literal_column("''")
    keys = {"claim_type": (c.claim_type, None), "township": (func.coalesce(c.township, blank), None),
            "village": (func.coalesce(c.township, blank), func.coalesce(c.village, blank)),
            "hospital": (func.coalesce(c.hospital, blank), None), "total": (None, None)}
    branches = []
    for name, (first, second) in keys.items():
        columns = [literal_column(f"'{name}'").label("dimension"),
                   (first if first is not None else cast(literal_column("NULL"), String)).label("k1"),
                   (second if second is not None else cast(literal_column("NULL"), String)).label("k2")]
        query = select(*columns, *measures(c)).select_from(source)
        grouped = [text(label) for label, key in (("k1", first), ("k2", second)) if key is not None]
        branches.append(query.group_by(*grouped) if grouped else query)
    return session.execute(union_all(*branches)).all()


def _paid_claims(period: Period, dialect: str):
    """(case_id, paid_fen) of each payment approved in the period: the latest amount the cashier
    recorded on it (a payment returned and entered again counts once, as last entered)."""
    definitions, steps = paying_steps()
    # Looked up per payment run through its (instance_id, seq) index: never a scan of every sign-off.
    entered = (select(SignOff.findings[AMOUNT_PAID].as_string())
               .where(SignOff.instance_id == WorkflowInstance.id, SignOff.step.in_(steps),
                      SignOff.decision == "approve")
               .order_by(SignOff.seq.desc()).limit(1).scalar_subquery())
    return (select(WorkflowInstance.case_id.label("case_id"), fen(entered, dialect).label("paid_fen"))
            .where(WorkflowInstance.definition.in_(definitions),
                   WorkflowInstance.status == WorkflowStatus.APPROVED,
                   WorkflowInstance.finished_at >= period.start, WorkflowInstance.finished_at < period.end,
                   exists_entry(steps))
            .cte("paid"))  # used twice: worked out once


def exists_entry(steps):
    """A payment run counts once its amount was entered (an approved run always has it)."""
    return (select(SignOff.id).where(SignOff.instance_id == WorkflowInstance.id, SignOff.step.in_(steps),
                                     SignOff.decision == "approve").exists())


def invoice_costs(case_ids, dialect: str):
    """(case_id, total_fen, self_funded_fen) over the read invoices of the cases, an invoice
    number (code + number) counted once per case, as archive.claims.money.claimed_amount does."""
    fields = Document.fields
    # Each JSON field read once per document (OFFSET 0 keeps PostgreSQL from folding this
    # subquery into the next, which would parse the JSON again for every use of a field).
    read = (select(Document.id, Document.case_id,
                   fen(fields["total_amount"].as_string(), dialect).label("total"),
                   fen(fields["self_funded"].as_string(), dialect).label("self_funded"),
                   fields["invoice_number"].as_string().label("number"),
                   fields["invoice_code"].as_string().label("code"))
            .where(Document.case_id.in_(case_ids), Document.kind.in_(INVOICE_KINDS),
                   Document.status == "processed").offset(0).subquery("read"))
    number = func.trim(func.coalesce(read.c.number, ""), type_=String)
    code = func.trim(func.coalesce(read.c.code, ""), type_=String)
    # An invoice without a number is only ever itself.
    key = case((number == "", literal("#").op("||")(cast(read.c.id, String))),
               else_=code.op("||")(literal("|")).op("||")(number))
    first = func.row_number().over(partition_by=(read.c.case_id, key), order_by=read.c.id)
    ranked = (select(read.c.case_id, read.c.total, read.c.self_funded, first.label("n"))
              .where(read.c.total.is_not(None)).subquery("ranked"))
    return (select(ranked.c.case_id, func.sum(ranked.c.total).label("total_fen"),
                   func.sum(ranked.c.self_funded).label("self_funded_fen"))
            .where(ranked.c.n == 1).group_by(ranked.c.case_id).subquery("costs"))


def roll_up(received: Iterable, payouts: Iterable, insured: dict[str, int]) -> ClaimFigures:
    figures = ClaimFigures({name: [] for name in DIMENSIONS})
    lines: dict[str, dict[object, Line]] = {name: {} for name in DIMENSIONS}

    def line(dimension: str, first, second) -> Line:
        if dimension == "total":
            return figures.total
        key = (first, second) if dimension == "village" else first
        return lines[dimension].setdefault(key, Line(key))

    # A line may come in several rows (a hospital in several writings): they add up.
    for dimension, first, second, count in received:
        line(dimension, first, second).received += count
    for dimension, first, second, count, paid, cost, costed, self_funded, people in payouts:
        shown = line(dimension, first, second)
        shown.paid += count
        shown.paid_fen += int(paid)
        shown.cost_fen += int(cost)
        shown.costed += costed
        shown.self_funded_fen += int(self_funded)
        if dimension in BENEFICIARY_LINES:
            shown.beneficiaries = people
    figures.total.beneficiaries = figures.total.beneficiaries or 0
    for township, shown in lines["township"].items():
        shown.beneficiaries = shown.beneficiaries or 0
        shown.insured = insured.get(township)
    for township, count in insured.items():  # a township with insured people and no claims
        if township not in lines["township"]:
            lines["township"][township] = Line(township, beneficiaries=0, insured=count)
    figures.total.insured = sum(insured.values()) or None
    for name in DIMENSIONS:
        figures.dimensions[name] = sorted(
            lines[name].values(), key=lambda line: (-line.paid_fen, -line.received, str(line.key)))
    return figures

