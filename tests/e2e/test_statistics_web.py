"""The statistics desk over HTTP: the page (zh and en, numbers in the reader's locale, SVG
charts), CSV and XLSX with formula-looking names neutralised, who may see it and what a scoped
officer sees, refused periods, and the insured counts page (issue 19, point 3)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import pytest
from flask_babel import format_decimal
from openpyxl import load_workbook
from sqlalchemy import select, update

from archive import create_app
from archive.models import AuditEvent, Case
from archive.statistics import parse_period, statistics_report
from tests import factories
from tests.integration import statistics_data

FORMULA_TOWNSHIP = "=HYPERLINK(\"http://x\")"


@pytest.fixture
def app(runtime, users):
    statistics_data.build(runtime, users, cases=25, seed=7)
    case_no = factories.make_case(runtime, users["intake_clerk"], township=FORMULA_TOWNSHIP)
    with runtime.sessions.begin() as session:
        session.execute(update(Case).where(Case.case_no == case_no)
                        .values(created_at=datetime(2026, 3, 10, tzinfo=UTC)))
    made = create_app(runtime)
    made.config["TESTING"] = True
    return made


def test_the_quarterly_page_shows_the_figures_in_the_readers_language(runtime, app, users):
    client = app.test_client()
    factories.login(client, "director")
    page = client.get("/statistics?quarter=2026-Q1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2026-Q1 季度分析" in html and "按乡镇" in html and "实际补偿比" in html
    assert html.count('<svg class="chart bars"') >= 3 and 'data-table="township"' in html
    # The page's CSP (style-src/script-src 'self') drops inline styles and handlers: none here.
    assert "<style" not in html and "onclick=" not in html and 'style="' not in html
    with runtime.sessions() as session:
        report = statistics_report(session, session.merge(users["director"]), parse_period(quarter="2026-Q1"))
    paid = report.claims.total.paid_fen
    with app.test_request_context():
        shown = format_decimal(paid / 100, format="#,##0.00")
    assert f'data-figure="paid_yuan"><strong>{shown}</strong>' in html
    english = client.get("/statistics?quarter=2026-Q1&lang=en").get_data(as_text=True)
    assert "Quarterly analysis 2026-Q1" in english and "By township" in english


def test_csv_and_xlsx_carry_the_tables_with_formulas_neutralised(app):
    client = app.test_client()
    factories.login(client, "director")
    sheet = client.get("/statistics.csv?month=2026-03")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    text = sheet.get_data(as_text=True)
    assert text.startswith("\ufeff2026-03 按报销类别")
    assert "'=HYPERLINK" in text and "\r\n=HYPERLINK" not in text
    book = client.get("/statistics.xlsx?month=2026-03")
    assert book.status_code == 200 and book.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(book.data))
    assert "按乡镇" in workbook.sheetnames and "抽查与稽核" in workbook.sheetnames
    townships = workbook["按乡镇"]
    cells = [row[0] for row in townships.iter_rows(min_row=2)]
    formula = [c for c in cells if str(c.value).startswith("'=")]
    assert formula and all(c.data_type == "s" for c in formula)
    assert cells[-1].value == "合计"


def test_who_may_see_the_statistics(app, users):
    client = app.test_client()
    factories.login(client, "reviewer")
    assert client.get("/statistics?month=2026-03").status_code == 403
    assert client.get("/statistics.csv?month=2026-03").status_code == 403
    officer = app.test_client()
    factories.login(officer, "township_officer")
    page = officer.get("/statistics?quarter=2026-Q1").get_data(as_text=True)
    assert "只统计您所辖范围内的案卷" in page
    assert FORMULA_TOWNSHIP.replace('"', "&#34;") not in page and "河西乡" not in page


@pytest.mark.parametrize("query", ["month=2026-13", "quarter=2026-Q5", "month=2026-03&quarter=2026-Q1",
                                   "month=x"])
def test_a_period_that_cannot_be_read_is_a_clear_400(app, query):
    client = app.test_client()
    factories.login(client, "director")
    answer = client.get(f"/statistics?{query}", headers={"X-Requested-With": "fetch"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "bad_request" and answer.get_json()["message"]


def test_insured_counts_are_entered_on_their_page(runtime, app):
    client = app.test_client()
    factories.login(client, "admin")
    page = client.get("/statistics/insured?year=2026").get_data(as_text=True)
    token = factories.csrf_from(page)
    saved = client.post("/statistics/insured", data={"csrf_token": token, "year": "2026",
                                                      "township": "河西乡", "insured": "1234"})
    assert saved.status_code == 302
    assert 'data-township="河西乡"' in client.get("/statistics/insured?year=2026").get_data(as_text=True)
    refused = client.post("/statistics/insured", data={"csrf_token": token, "year": "2026",
                                                        "township": "河西乡", "insured": "-5"},
                          headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 422
    with runtime.sessions() as session:
        events = session.scalars(select(AuditEvent)
                                 .where(AuditEvent.action == "statistics.insured_set")).all()
    assert [e.details["insured"] for e in events] == [1234]
    reviewer = app.test_client()
    factories.login(reviewer, "reviewer")
    assert reviewer.get("/statistics/insured").status_code == 403
    # The director's report divides by it.
    director = app.test_client()
    factories.login(director, "director")
    assert "1,234" in director.get("/statistics?quarter=2026-Q1").get_data(as_text=True)


def _same(value) -> str:
    """A cell as the page, the CSV and the sheet may each write it: "1,234.50" and 1234.5 are
    one figure; "—" and an empty cell are none; a neutralised formula is the text it guards."""
    import html as html_

    text = html_.unescape("" if value is None else str(value)).strip()
    if text in ("—", ""):
        return ""
    if text[:2] in ("'=", "'+", "'-", "'@"):
        text = text[1:]
    plain = text.replace(",", "")
    try:
        return str(Decimal(plain).normalize())
    except InvalidOperation:
        return text


def _page_tables(page: str) -> dict[str, list[list[str]]]:
    tables = {}
    for name, body in re.findall(r'<table class="stat-table" data-table="(\w+)">(.*?)</table>', page, re.S):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        tables[name] = [[_same(re.sub(r"<[^>]+>", "", cell))
                         for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]
    return tables


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_page_its_print_csv_and_xlsx_carry_the_same_figures(app, lang):
    """The page (which prints as it shows: the print sheet only hides the desk around it), the
    CSV and the XLSX are one report: every table, header and cell the same."""
    client = app.test_client()
    factories.login(client, "director")
    client.get(f"/dashboard?lang={lang}")
    page = client.get("/statistics?quarter=2026-Q1").get_data(as_text=True)
    shown = _page_tables(page)
    assert set(shown) == {"claim_type", "township", "village", "hospital", "hospital_level", "steps",
                          "chains", "oversight"}
    text = client.get("/statistics.csv?quarter=2026-Q1").get_data(as_text=True).lstrip("\ufeff")
    sections = [list(csv.reader(io.StringIO(part))) for part in text.split("\r\n\r\n")]
    assert [[[_same(c) for c in row] for row in rows[1:]] for rows in sections] == list(shown.values())
    book = load_workbook(io.BytesIO(client.get("/statistics.xlsx?quarter=2026-Q1").data))
    sheets = [[[_same(c) for c in row] for row in sheet.iter_rows(values_only=True)] for sheet in book]
    assert sheets == list(shown.values())
    # The tiles over the tables say what the total line says.
    total = dict(zip(shown["claim_type"][0], shown["claim_type"][-1], strict=True))
    received = re.search(r'data-figure="received"><strong>([^<]+)</strong>', page).group(1)
    assert _same(received) == total[shown["claim_type"][0][1]]
