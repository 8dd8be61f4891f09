"""The quarterly fund report (基金收支情况, seed 000: 每季度定期将基金使用情况进行分析并…向社会公示):
income, expense and balance by quarter of a year, China time.

Income is the fund income ledger (contributions and subsidies the accountant books, `FundIncome`);
expense is what the fund paid — the amount the cashier recorded on each payment approved in the
quarter — split into benefits paid to claimants and settlements paid to designated providers.
The opening balance of the year is everything booked and paid before it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.claims.money import fen_of
from archive.claims.policy import yuan_text
from archive.claims.service import AMOUNT_PAID
from archive.models import Case, FundIncome, SignOff, WorkflowInstance, WorkflowStatus
from archive.signoff import BadRequest, Incomplete, registry
from archive.signoff.errors import _
from archive.signoff.workdays import CHINA, today_in_china
from archive.tabular import write_csv

PROVIDER_TYPES = ("settlement",)
ZH_LABELS = {"quarter": "季度", "opening": "期初结余（元）", "income": "本期收入（元）",
             "claimants": "参合人员补偿支出（元）", "providers": "定点机构结算支出（元）",
             "expense": "本期支出合计（元）", "closing": "期末结余（元）", "year": "全年"}


@dataclass(frozen=True)
class Quarter:
    label: str  # 2026-Q1
    opening_fen: int
    income_fen: int
    claimants_fen: int
    providers_fen: int

    @property
    def expense_fen(self) -> int:
        return self.claimants_fen + self.providers_fen

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.income_fen - self.expense_fen

    def as_json(self) -> dict:
        return {"quarter": self.label, "opening": yuan_text(self.opening_fen),
                "income": yuan_text(self.income_fen),
                "expense_claimants": yuan_text(self.claimants_fen),
                "expense_providers": yuan_text(self.providers_fen), "expense": yuan_text(self.expense_fen),
                "closing": yuan_text(self.closing_fen)}


@dataclass(frozen=True)
class FundReport:
    year: int
    quarters: list[Quarter]

    def as_json(self) -> dict:
        return {"year": self.year, "quarters": [q.as_json() for q in self.quarters],
                "income": yuan_text(sum(q.income_fen for q in self.quarters)),
                "expense": yuan_text(sum(q.expense_fen for q in self.quarters)),
                "closing": yuan_text(self.quarters[-1].closing_fen)}


def fund_report(session: Session, user, year=None) -> FundReport:
    require(user, "fund_report.view")
    year = _year(year)
    bounds = [date(year, month, 1) for month in (1, 4, 7, 10)] + [date(year + 1, 1, 1)]
    income = _income_before(session, bounds)
    expense = _expense_before(session, bounds)
    quarters, opening = [], income[0] - expense[0][0] - expense[0][1]
    for number in range(4):
        q = Quarter(f"{year}-Q{number + 1}", opening, income[number + 1] - income[number],
                    expense[number + 1][0] - expense[number][0], expense[number + 1][1] - expense[number][1])
        quarters.append(q)
        opening = q.closing_fen
    return FundReport(year, quarters)


def _income_before(session: Session, bounds: list[date]) -> list[int]:
    return [int(session.scalar(select(func.coalesce(func.sum(FundIncome.amount_fen), 0))
                               .where(FundIncome.received_on < bound)) or 0) for bound in bounds]


def _expense_before(session: Session, bounds: list[date]) -> list[tuple[int, int]]:
    """(claimants, providers) paid before each bound: one pass over the payments up to the last."""
    paying = [d for d in registry().definitions.values() if d.done_status == "paid"]
    steps = [s.id for d in paying for s in d.steps if any(f.name == AMOUNT_PAID for f in s.findings)]
    moments = [datetime(b.year, b.month, b.day, tzinfo=CHINA) for b in bounds]
    done = select(WorkflowInstance.id).where(
        WorkflowInstance.definition.in_([d.name for d in paying]),
        WorkflowInstance.status == WorkflowStatus.APPROVED, WorkflowInstance.finished_at < moments[-1])
    latest = (select(func.max(SignOff.id)).where(SignOff.instance_id.in_(done), SignOff.step.in_(steps),
                                                  SignOff.decision == "approve")
              .group_by(SignOff.instance_id))
    totals = [[0, 0] for _ in bounds]
    for finished, claim_type, findings in session.execute(
            select(WorkflowInstance.finished_at, Case.claim_type, SignOff.findings)
            .join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id)
            .join(Case, Case.id == SignOff.case_id).where(SignOff.id.in_(latest))):
        amount = fen_of((findings or {}).get(AMOUNT_PAID)) or 0
        column = 1 if claim_type in PROVIDER_TYPES else 0
        for index, moment in enumerate(moments):
            if finished < moment:
                totals[index][column] += amount
    return [(a, b) for a, b in totals]


def record_income(session: Session, user, *, received_on, amount, source: str | None,
                  note: str | None = None) -> FundIncome:
    """Book an income of the fund (基金收入); a negative amount corrects an earlier entry and needs a note."""
    require(user, "fund_income.record")
    try:
        day = date.fromisoformat(str(received_on or "").strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a date as YYYY-MM-DD."), what="received_on") from None
    if day > today_in_china():
        raise Incomplete(_("Income is booked when received, not before."))
    text = str(amount or "").strip()
    fen = fen_of(text.removeprefix("-"))
    if fen is None or fen == 0:
        raise Incomplete(_("The amount must be in yuan with at most two decimals, e.g. 1234.50."))
    if text.startswith("-"):
        fen = -fen
    source, note = (source or "").strip(), (note or "").strip() or None
    if not source or len(source) > 128:
        raise Incomplete(_("Say where the income came from (e.g. 个人缴费, 中央财政补助)."))
    if fen < 0 and not note:
        raise Incomplete(_("A correction (a negative amount) needs a note saying what it corrects."))
    entry = FundIncome(received_on=day, amount_fen=fen, source=source, note=note, recorded_by_id=user.id,
                       recorded_by_name=user.display_name or user.username)
    session.add(entry)
    session.flush()
    audit.record(session, "fund.income_recorded", actor=user, target=None, details={
        "entry": entry.id, "received_on": day.isoformat(), "amount": yuan_text(fen), "source": source,
        "note": note})
    return entry


def income_entries(session: Session, user, year=None) -> list[FundIncome]:
    require(user, "fund_report.view")
    year = _year(year)
    return list(session.scalars(select(FundIncome).where(
        FundIncome.received_on >= date(year, 1, 1), FundIncome.received_on < date(year + 1, 1, 1))
        .order_by(FundIncome.received_on, FundIncome.id)))


def fund_report_csv(report: FundReport, labels: Mapping[str, str] = ZH_LABELS) -> str:
    rows = [[q.label, yuan_text(q.opening_fen), yuan_text(q.income_fen), yuan_text(q.claimants_fen),
             yuan_text(q.providers_fen), yuan_text(q.expense_fen), yuan_text(q.closing_fen)]
            for q in report.quarters]
    first, last = report.quarters[0], report.quarters[-1]
    rows.append([f"{report.year} {labels['year']}", yuan_text(first.opening_fen),
                 yuan_text(sum(q.income_fen for q in report.quarters)),
                 yuan_text(sum(q.claimants_fen for q in report.quarters)),
                 yuan_text(sum(q.providers_fen for q in report.quarters)),
                 yuan_text(sum(q.expense_fen for q in report.quarters)), yuan_text(last.closing_fen)])
    out = io.StringIO()
    write_csv(out, [labels[k] for k in ("quarter", "opening", "income", "claimants", "providers", "expense",
                                         "closing")], rows)
    return out.getvalue()


def _year(value) -> int:
    if value in (None, ""):
        return today_in_china().year
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
        raise BadRequest(_("The year must be given as YYYY (e.g. 2026), not %(year)s."), year=text[:20])
    return int(text)
