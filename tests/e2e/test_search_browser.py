"""The search desk in headless Chromium: an archivist finds a processed upload by a
two-character name and by its invoice number, and opens it at the matching page."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from playwright.sync_api import expect

from archive.demo import documents as gen
from tests import factories
from tests.e2e.test_browser import live, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_archivist_finds_a_case_by_name_and_invoice_number(live, page, tmp_path):  # noqa: F811
    base, runtime, users = live
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="欧阳娜娜")
    made = gen.invoice(random.Random(31), patient="欧阳娜娜")
    factories.upload(runtime, users["intake_clerk"], case_no, made.content, filename="发票.pdf",
                     kind="invoice")  # processed and indexed by the in-process job thread

    page.goto(f"{base}/search")
    page.fill("input[name=username]", "u_archivist")
    page.fill("input[name=password]", "pw-archivist")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("档案检索")
    for _ in range(30):  # processing happens after the upload returns
        page.fill("input[name=q]", "欧阳")
        page.click("#search-form button[type=submit]")
        if page.locator(".hit").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator(".hit").first).to_contain_text(case_no)
    expect(page.locator(".snippet mark").first).to_have_text("欧阳")
    page.screenshot(path=str(Path(tmp_path) / "search-desk.png"), full_page=True)

    page.fill("input[name=q]", made.truth["invoice_number"])
    page.click("#search-form button[type=submit]")
    expect(page.locator("#total")).to_contain_text("1")
    page.locator(".hit a.open-page").first.click()  # the document, opened at the matching page
    expect(page.locator("h1")).to_contain_text("发票.pdf")
    expect(page.locator(".page-text")).to_contain_text(made.truth["invoice_number"])


def test_an_id_number_typed_in_the_box_finds_the_case(live, page):  # noqa: F811
    """Issue 20, point 5: the hint promises any two characters; an 18-digit ID number typed as it
    is (no `id:`) finds the case's documents although no page of them shows it."""
    base, runtime, users = live
    id_number = gen.id_number(random.Random(5))
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="欧阳娜娜",
                                  claimant_id_number=id_number)
    factories.upload(runtime, users["intake_clerk"], case_no, factories.statement_pdf(5, "欧阳娜娜"),
                     filename="清单.pdf", kind="daily_statement")
    page.goto(f"{base}/search")
    page.fill("input[name=username]", "u_reviewer")
    page.fill("input[name=password]", "pw-reviewer")
    page.click("button[type=submit]")
    for _ in range(30):  # processing and indexing happen after the upload returns
        page.fill("input[name=q]", id_number)
        page.click("#search-form button[type=submit]")
        if page.locator(".hit").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator(".hit").first).to_contain_text(case_no)
