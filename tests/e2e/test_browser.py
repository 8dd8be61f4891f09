"""The case desk in headless Chromium (Debian's package, driven by Playwright) against a live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.fixtures import bad_files

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live(make_rt):
    # The in-process thread runner, as in the run command: processing happens after the response.
    runtime = make_rt(ARCHIVE_JOBS_BACKEND="thread", ARCHIVE_JOBS_FAULT_DELAY_SECONDS="1")
    users = factories.users_for_all_roles(runtime)
    with factories.serving(runtime) as base:
        yield base, runtime, users
    runtime.queue._executor.shutdown(wait=True)


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_upload_and_watch_status_change_without_reloading(live, page, tmp_path):
    base, runtime, users = live
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="钱秀兰")
    invoice = tmp_path / "住院发票.pdf"
    invoice.write_bytes(factories.invoice_pdf(pages=3))
    fake = tmp_path / "假的.pdf"
    fake.write_bytes(bad_files.zip_named_pdf())

    page.goto(f"{base}/cases/{case_no}")
    page.fill("input[name=username]", "u_intake_clerk")
    page.fill("input[name=password]", "pw-intake_clerk")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(case_no)
    expect(page.get_by_text("钱秀兰")).to_be_visible()  # Chinese by default

    page.set_input_files("input[type=file]", [str(invoice), str(fake)])
    page.click("#upload button[type=submit]")

    row = page.locator("#documents tbody tr", has_text="住院发票.pdf")
    expect(row).to_be_visible(timeout=15000)
    expect(row.locator(".status")).to_have_text("已处理", timeout=20000)
    expect(row.locator(".pages")).to_have_text("3")
    # The fake PDF was not accepted (counted by document rows: the invoice's fields, shown live
    # now, bring their own rows and tables).
    assert page.locator("#documents tr[data-id]").count() == 1


def test_refusal_is_shown_next_to_the_file(live, page, tmp_path):
    base, runtime, users = live
    case_no = factories.make_case(runtime, users["intake_clerk"])
    fake = tmp_path / "发票.pdf"
    fake.write_bytes(b"not a pdf at all")
    page.goto(f"{base}/login?lang=en")
    page.fill("input[name=username]", "u_intake_clerk")
    page.fill("input[name=password]", "pw-intake_clerk")
    page.click("button[type=submit]")
    page.goto(f"{base}/cases/{case_no}")
    page.set_input_files("input[type=file]", str(fake))
    page.click("#upload button[type=submit]")
    expect(page.locator("#progress li.error")).to_contain_text("unsupported file type", timeout=10000)
    expect(page.locator("h1")).to_contain_text("Case")  # English stayed chosen across sign-in


def test_id_number_is_checked_as_it_is_typed(live, page):
    base, runtime, users = live
    page.goto(f"{base}/cases/new")
    page.fill("input[name=username]", "u_intake_clerk")
    page.fill("input[name=password]", "pw-intake_clerk")
    page.click("button[type=submit]")
    field = page.locator("input[name=claimant_id_number]")
    field.fill("110105194912310021")  # wrong check digit
    assert "身份证号" in field.evaluate("e => e.validationMessage")
    field.fill("11010519491231002X")
    assert field.evaluate("e => e.validationMessage") == ""
