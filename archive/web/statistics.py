"""The statistics desk (统计): the monthly report and quarterly analysis as a printable page,
CSV and XLSX, and the insured counts per township behind the beneficiary rate. Thin views over
archive.statistics; the CLI (archive/cli/statistics.py) serves the same report."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from archive.auth import require
from archive.errors import Refusal
from archive.signoff.workdays import today_in_china
from archive.statistics import (
    insured_counts,
    parse_period,
    report_csv,
    report_tables,
    report_xlsx,
    set_insured_count,
    statistics_report,
)
from archive.statistics.insured import MAX_INSURED
from archive.statistics.tables import KEY_NAMES, Named, place_text, step_name
from archive.web.context import db
from archive.web.desk_forms import (
    again,
    at_most,
    count_between,
    keep,
    refusal_text,
    required,
    share_with_templates,
    whole_number,
)
from archive.web.i18n import claim_type_label, label
from archive.web.statistics_rows import number_text, symbols, tables_html

statistics = Blueprint("statistics", __name__)
share_with_templates(statistics)


class InsuredForm(FlaskForm):
    year = StringField("year", validators=[required(), count_between(2000, 2100)])
    township = StringField("township", validators=[required(), at_most(64)])
    insured = StringField("insured", validators=[required(), count_between(1, MAX_INSURED)])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@statistics.app_template_filter("stat")
def stat_number(value, places: int = 0) -> str:
    """A figure as the reader's locale writes it ("#,##0.00" with its symbols, rounded half to
    even as babel rounds); "—" for none (e.g. a rate without a base). A quarter's page shows
    over a thousand figures: babel's format_decimal for each took a third of the page's time."""
    return number_text(value, places, symbols(str(get_locale())))


@statistics.app_template_filter("bar_label")
def bar_label(text, room: int = 16) -> str:
    """`text` cut to fit a chart's label column: `room` half-width characters, a Chinese (wide)
    character counting two, with "…" where it was cut."""
    text, used = str(text), 0
    for at, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > room:
            return text[:at].rstrip() + "…"
    return text


@statistics.app_template_test("named")
def is_named(value) -> bool:
    """A place or hospital as the cases name it (archive.statistics.tables.Named): data, which
    the page marks translate="no"."""
    return isinstance(value, Named)


def _report():
    args = request.args
    month, quarter = args.get("month"), args.get("quarter")
    if not month and not quarter:
        month = today_in_china().strftime("%Y-%m")
    return statistics_report(db(), current_user, parse_period(month, quarter))


def _period_args(report) -> dict:
    return {report.period.kind: report.period.label}


@statistics.route("/statistics")
@login_required
def page():
    report = _report()
    locale = str(get_locale())
    tables = report_tables(report, _, locale)
    return render_template("statistics/index.html", report=report, tables=tables,
                           rows=tables_html(tables, locale), charts=_charts(report),
                           period_args=_period_args(report))


def _charts(report) -> list[tuple[str, str, list]]:
    """(name, caption, [(label, value, shown)]) for the page's bar charts."""
    claims, steps = report.claims.dimensions, report.processing.steps
    paid = [line for line in claims["township"] if line.paid][:12]
    return [
        ("township", f'{_("Paid (yuan)")} · {_("By township")}',
         [(place_text(line.key, _), line.paid_fen, _yuan(line.paid_fen)) for line in paid]),
        ("claim_type", f'{_("Claims received")} · {_("By claim type")}',
         [(claim_type_label(line.key), line.received, stat_number(line.received))
          for line in claims["claim_type"]]),
        ("hospital_level", f'{_("Paid (yuan)")} · {_("By hospital level")}',
         [(label(_(KEY_NAMES.get(line.key, line.key))), line.paid_fen, _yuan(line.paid_fen))
          for line in claims["hospital_level"]]),
        ("steps", f'{_("Mean hours")} · {_("Processing time per step")}',
         [(step_name(step.definition, step.step, str(get_locale())), step.mean_hours,
           stat_number(step.mean_hours, 1)) for step in steps[:15]]),
    ]


@statistics.route("/statistics.csv")
@login_required
def csv():
    report = _report()
    content = report_csv(report, _, str(get_locale()))
    return _download(content, "text/csv", f"statistics-{report.period.label}.csv")


@statistics.route("/statistics.xlsx")
@login_required
def xlsx():
    report = _report()
    content = report_xlsx(report, _, str(get_locale()))
    return _download(content, XLSX, f"statistics-{report.period.label}.xlsx")


@statistics.route("/statistics/insured")
@login_required
def insured_page():
    require(current_user, "statistics.insured")
    year = request.args.get("year", "").strip()
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today_in_china().year
    counts = insured_counts(db(), current_user, year)
    return render_template("statistics/insured.html", year=year, counts=counts)


@statistics.post("/statistics/insured")
@login_required
def insured_form():
    require(current_user, "statistics.insured")
    form = InsuredForm()
    if form.validate_on_submit():
        try:
            row = set_insured_count(db(), current_user, year=whole_number(form.year.data),
                                    township=form.township.data,
                                    insured=whole_number(form.insured.data))
        except Refusal as refused:
            keep("insured", form, problem=refusal_text(refused))
            return again(insured_page(), refused.status)
        year, township, insured = row.year, row.township, row.insured
        db().commit()
        flash(_("Insured count of %(township)s for %(year)s: %(insured)s.", township=township, year=year,
                insured=format_decimal(insured)), "success")
        return redirect(url_for("statistics.insured_page", year=year))
    keep("insured", form)
    return again(insured_page())


def _yuan(fen: int) -> str:
    return stat_number(Decimal(fen).scaleb(-2), 2)


def _download(content, mimetype: str, name: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={name}", "Cache-Control": "private, no-store"})
