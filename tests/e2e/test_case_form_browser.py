"""The new-case form in headless Chromium (issue 20, point 14): an amount typed as the bill says it
— with ￥ and 元, or in full-width digits — is read and shown as the amount; one that cannot be
read is refused with its error inside the amount field's label, the typed value kept. Screenshots
go to $ARCHIVE_SCREENSHOTS if set."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def open_case(page, base: str, amount: str) -> None:
    page.goto(f"{base}/cases/new")
    page.fill("input[name=claimant_name]", "石磊")
    page.select_option("select[name=claim_type]", "outpatient")
    page.fill("input[name=amount]", amount)
    page.click("main button[type=submit]")


@pytest.mark.parametrize("typed", ["￥3,521.78元", "３５２１．７８"])
def test_an_amount_as_the_bill_writes_it_is_read(live, browser, shots, typed):  # noqa: F811
    base, runtime, _users = live
    clerk = sign_in(browser, base, "u_intake_clerk")
    open_case(clerk, base, typed)
    expect(clerk.locator("h1")).to_contain_text("AJ-")
    case_no = clerk.locator("h1").inner_text().split()[-1]
    amount = clerk.locator("dt", has_text="申报金额").locator("xpath=following-sibling::dd[1]")
    expect(amount).to_contain_text("3,521.78")
    assert factories.case_amount(runtime, case_no) == Decimal("3521.78")
    clerk.screenshot(path=str(shots / f"new-case-amount-{len(typed)}-1366.png"), full_page=True)


def test_an_amount_that_cannot_be_read_is_said_beside_its_field(live, browser, shots):  # noqa: F811
    base, _runtime, _users = live
    clerk = sign_in(browser, base, "u_intake_clerk")
    open_case(clerk, base, "12.345元")
    field = clerk.locator("label", has=clerk.locator("input[name=amount]"))
    error = field.locator("#amount-error")
    expect(error).to_be_visible()
    expect(error).not_to_have_text("")
    assert "amount:" not in error.inner_text()
    expect(field.locator("input[name=amount]")).to_have_value("12.345元")
    expect(clerk.locator("input[name=claimant_name]")).to_have_value("石磊")
    # The message is drawn next to the field, not at the top or bottom of the form.
    box, beside = field.bounding_box(), error.bounding_box()
    assert box["y"] <= beside["y"] <= box["y"] + box["height"]
    assert clerk.locator("[id$=-error]:visible").count() == 1  # no error on the fields typed well
    clerk.screenshot(path=str(shots / "new-case-amount-error-1366.png"), full_page=True)
