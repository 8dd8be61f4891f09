"""The report as tables (title, header, rows) in the reader's language, and as CSV or XLSX
through the one spreadsheet writer (archive.tabular)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from archive.signoff.definitions import registry
from archive.signoff.errors import _
from archive.statistics.claims import DIMENSIONS, Line
from archive.statistics.report import Report
from archive.tabular import write_csv, write_xlsx

DIMENSION_TITLES = {"claim_type": _("By claim type"), "township": _("By township"),
                    "village": _("By village"), "hospital": _("By hospital"),
                    "hospital_level": _("By hospital level")}
DIMENSION_NAMES = {"claim_type": _("Claim type"), "township": _("Township"), "village": _("Village"),
                   "hospital": _("Hospital"), "hospital_level": _("Hospital level")}
KEY_NAMES = {"outpatient": _("outpatient"), "inpatient": _("inpatient"), "maternity": _("maternity"),
             "trauma": _("trauma"), "referral": _("out-of-area referral"),
             "settlement": _("provider settlement"), "other": _("other"), "audit": _("audit"),
             "province": _("province"),
             "city": _("city"), "county": _("county"), "township": _("township"), "village": _("village")}
NOT_GIVEN = _("Not given")
LINE_HEADER = (_("Claims received"), _("Claims paid"), _("Paid (yuan)"), _("Total cost (yuan)"),
               _("Actual compensation ratio (%)"), _("Average cost per claim (yuan)"),
               _("Self-funded share (%)"))
TOWNSHIP_HEADER = (_("Beneficiaries"), _("Insured"), _("Beneficiary rate (%)"))


@dataclass(frozen=True)
class Table:
    name: str  # stable id: claim_type, …, steps, chains, oversight
    title: str
    header: list[str]
    rows: list[list[object]]


def percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).quantize(Decimal("0.01"))


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


class Named(str):
    """A place or hospital as the cases name it: data, shown as written in either language
    (the page marks it so; CSV and XLSX take it as the text it is)."""


def place_text(name, translate: Callable[[str], str]) -> str:
    """A township, village or hospital as written, or "Not given" (未填) for a case without one."""
    return Named(name) if name not in ("", None) else translate(NOT_GIVEN)


def key_text(dimension: str, key, translate: Callable[[str], str]) -> str:
    if dimension == "village":
        township, village = key
        if township in ("", None) and village in ("", None):
            return translate(NOT_GIVEN)
        return Named(f"{township or translate(NOT_GIVEN)} {village or translate(NOT_GIVEN)}")
    if dimension in ("claim_type", "hospital_level"):
        if key not in KEY_NAMES:
            return str(key)
        name = translate(KEY_NAMES[key])  # a row's label: with a capital in English
        return name[:1].upper() + name[1:]
    return place_text(key, translate)


def line_cells(line: Line) -> list[object]:
    return [line.received, line.paid, yuan(line.paid_fen), yuan(line.cost_fen),
            percent(line.compensation_ratio), yuan(line.average_cost_fen), percent(line.self_funded_ratio)]


def township_cells(line: Line) -> list[object]:
    return [line.beneficiaries, line.insured, percent(line.beneficiary_rate)]


def report_tables(report: Report, translate: Callable[[str], str], locale: str = "zh") -> list[Table]:
    tables = []
    for dimension in DIMENSIONS:
        header = [translate(DIMENSION_NAMES[dimension])] + [translate(h) for h in LINE_HEADER]
        township = dimension == "township"
        if township:
            header += [translate(h) for h in TOWNSHIP_HEADER]
        rows = [[key_text(dimension, line.key, translate)] + line_cells(line)
                + (township_cells(line) if township else []) for line in report.claims.dimensions[dimension]]
        total = report.claims.total
        rows.append([translate(_("Total"))] + line_cells(total) + (township_cells(total) if township else []))
        tables.append(Table(dimension, translate(DIMENSION_TITLES[dimension]), header, rows))
    tables.append(Table("steps", translate(_("Processing time per step")), [
        translate(_("Chain")), translate(_("Step")), translate(_("Decisions")),
        translate(_("Returns for correction")), translate(_("Mean hours")), translate(_("Longest hours"))],
        [[chain_name(s.definition, locale), step_name(s.definition, s.step, locale), s.decisions, s.returns,
          Decimal(str(s.mean_hours)), Decimal(str(s.max_hours))] for s in report.processing.steps]))
    processing = report.processing
    tables.append(Table("chains", translate(_("Deadlines")), [
        translate(_("Chain")), translate(_("Finished")), translate(_("Finished late")),
        translate(_("Overdue rate (%)"))],
        [[chain_name(c.definition, locale), c.finished, c.late, percent(c.late_ratio)]
         for c in processing.chains]
        + [[translate(_("Total")), processing.finished, processing.late, percent(processing.late_ratio)]]))
    o = report.oversight
    tables.append(Table("oversight", translate(_("Spot checks and audits")),
                        [translate(_("Figure")), translate(_("Value"))], [
        [translate(_("Returns for correction")), processing.returns],
        [translate(_("Cases returned for correction")), processing.returned_cases],
        [translate(_("Cases re-checked")), o.rechecked], [translate(_("Confirmed")), o.confirmed],
        [translate(_("Discrepancies")), o.discrepancies],
        [translate(_("Difference found (yuan)")), yuan(o.difference_fen)],
        [translate(_("Recoveries opened")), o.recoveries],
        [translate(_("Amount to recover (yuan)")), yuan(o.recovery_fen)],
        [translate(_("Audits opened from spot checks")), o.audits_opened],
        [translate(_("Audits handled")), o.audits_handled],
        [translate(_("Audits with deductions")), o.audits_with_deductions],
        [translate(_("Deductions (yuan)")), yuan(o.deduction_fen)]]))
    return tables


def report_csv(report: Report, translate: Callable[[str], str], locale: str = "zh") -> str:
    """Every table one after the other, each under its title, a blank line between."""
    out = io.StringIO()
    for number, table in enumerate(report_tables(report, translate, locale)):
        if number:
            out.write("\r\n")
        write_csv(out, [f"{report.period.label} {table.title}"], [table.header, *table.rows], bom=number == 0)
    return out.getvalue()


def report_xlsx(report: Report, translate: Callable[[str], str], locale: str = "zh") -> bytes:
    """One sheet per table."""
    out = io.BytesIO()
    write_xlsx(out, [(table.title, table.header, table.rows)
                     for table in report_tables(report, translate, locale)])
    return out.getvalue()


def chain_name(name: str, locale: str) -> str:
    definition = registry().definitions.get(name)
    return definition.label.pick(locale) if definition is not None else name


def step_name(chain: str, step: str, locale: str) -> str:
    definition = registry().definitions.get(chain)
    try:
        return definition.step(step).label.pick(locale) if definition is not None else step
    except LookupError:  # a step since removed from the definition
        return step
