"""The decision form in headless Chromium (issue 20, points 1 and 2): the opinion a step requires
is marked and checked before the confirmation dialog — by the buttons and by the `a`/`r` keys —
so a confirmed decision never fails for lack of it; the dialog's Cancel button can be seen; and a
decision the server refuses comes back on the case page with the reason beside the form and what
was typed kept. Screenshots at desktop and phone widths go to $ARCHIVE_SCREENSHOTS if set."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def luminance(css_color: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])
    channel = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_missing_opinion_is_said_before_the_confirmation_and_cancel_is_visible(
        live, browser, shots):  # noqa: F811
    base, runtime, users = live
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker"),
            "second_auditor": factories.make_user(runtime, "auditor", "u_second_auditor")}
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                    documents=("invoice",), seed=5)
    factories.walk(runtime, desk, case_no, until="initial_review")
    reviewer = sign_in(browser, base, desk["reviewer"].username)
    reviewer.set_viewport_size({"width": 1366, "height": 768})
    reviewer.goto(f"{base}/cases/{case_no}")
    expect(reviewer.locator("label[for=opinion] .required")).to_be_visible()

    reviewer.locator("h1").click()
    reviewer.keyboard.press("a")  # an empty opinion: no dialog, the reason beside the field
    expect(reviewer.locator("#opinion-error")).to_be_visible()
    expect(reviewer.locator("#opinion-error")).to_contain_text("意见")
    expect(reviewer.locator("#confirm-decision")).to_be_hidden()
    expect(reviewer.locator("#opinion")).to_be_focused()
    reviewer.screenshot(path=str(shots / "decision-opinion-missing-1366.png"), full_page=True)

    reviewer.fill("#opinion", "同意")
    reviewer.click(".decision-approve")
    dialog = reviewer.locator("#confirm-decision")
    expect(dialog).to_be_visible()
    expect(reviewer.locator("#opinion-error")).to_be_hidden()
    cancel = reviewer.locator("#confirm-no")
    colour = cancel.evaluate("b => getComputedStyle(b).color")
    behind = dialog.evaluate("d => getComputedStyle(d).backgroundColor")
    assert contrast(colour, behind) >= 4.5, (colour, behind)
    reviewer.set_viewport_size({"width": 390, "height": 844})
    reviewer.screenshot(path=str(shots / "decision-confirm-390.png"))
    cancel.click()
    expect(dialog).to_be_hidden()
    assert factories.active_step(runtime, case_no)[1] == "initial_review"  # nothing was decided

    reviewer.click(".decision-approve")
    reviewer.click("#confirm-yes")
    expect(reviewer.locator(".flash.success")).to_contain_text(case_no)
    assert factories.active_step(runtime, case_no)[1] == "re_review"


def test_a_refused_decision_keeps_what_was_typed_beside_the_reason(client, runtime):
    """Without JavaScript (or past it): the server's 422 is the case page again, not a bare page."""
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                    documents=("invoice",), seed=6)
    factories.walk(runtime, desk, case_no, until="initial_review")
    factories.login(client, desk["reviewer"])
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page)[1]
    response = client.post(f"/cases/{case_no}/decision", data={
        "csrf_token": factories.csrf_from(page), "decision": "return", "opinion": "",
        "missing": "身份证复印件", "expected_version": version, "step": "initial_review"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="decision"' in html and ">身份证复印件</textarea>" in html
    error = re.search(r'<p class="field-error" id="opinion-error" role="alert">([^<]+)</p>', html)
    assert error and "意见" in error[1]
    assert factories.active_step(runtime, case_no)[1] == "initial_review"
