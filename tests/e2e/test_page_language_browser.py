"""One language per page as Chromium draws it (issue 20, point 9): the text a clerk and a reviewer
see — after scripts have run, hidden elements left out — on a case page with findings, a search
with a query it cannot use, the intake desk's refusal of an empty upload and their other desks holds
no Chinese on an English page and no English words on a Chinese page, data and codes aside (the
same check as tests/e2e/test_page_language.py, over the rendered text instead of the HTML).
Screenshots go to $ARCHIVE_SCREENSHOTS if set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_case_page_browser import wait_processed
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures
from tests.e2e.test_page_language import stray_text

pytestmark = pytest.mark.browser

# The visible text of the page without what templates mark as data (translate="no", or a lang of
# its own) and without keys (<kbd>), as the HTML check leaves them out.
VISIBLE_APP_TEXT = """() => {
  document.querySelectorAll('body [translate=no], body [lang], script, style, template, kbd')
    .forEach(element => element.remove());
  return document.body.innerText;
}"""
BAD_SEARCH = "/search?q=%E5%BC%A0%E4%BC%9F&date_from=2026-13-45&amount_min=abc&sort=zz"
EMPTY_UPLOAD = {"name": "x.pdf", "mimeType": "application/pdf", "buffer": b""}


def case_with_findings(runtime, clerk) -> str:
    """A case whose daily statements are of two patients: a finding drawn in the reader's language
    with the names it holds marked as data."""
    case_no = factories.make_case(runtime, clerk, claimant_name="张伟")
    for seed, patient in ((31, "张伟"), (77, "王芳")):
        made = factories.upload(runtime, clerk, case_no, factories.statement_pdf(seed, patient),
                                filename=f"statement-{seed}.pdf", kind="daily_statement")
        wait_processed(runtime, made.document_id)
    return case_no


def stray_on(page, lang: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    text = " ".join(page.evaluate(VISIBLE_APP_TEXT).split())
    own, other = ("en", "zh") if lang == "en" else ("zh", "en")
    assert stray_text(text, other), (page.url, text[:200])  # the page was read, in its language
    return stray_text(text, own)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_what_a_clerk_and_a_reviewer_see_is_in_one_language(live, browser, shots, lang):  # noqa: F811
    base, runtime, users = live
    case_no = case_with_findings(runtime, users["intake_clerk"])
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker")}
    waiting = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                    documents=("invoice",), seed=7)
    factories.walk(runtime, desk, waiting, until="initial_review")
    found = {}
    for role, pages in (("intake_clerk", ("/dashboard", "/cases/new", "/cases")),
                        ("reviewer", ("/dashboard", "/queue", "/cases"))):
        page = sign_in(browser, base, f"u_{role}")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{base}/dashboard?lang={lang}")
        for path in (*pages, f"/cases/{case_no}", BAD_SEARCH):
            page.goto(base + path)
            if path.startswith("/cases/AJ"):
                expect(page.locator('.finding[data-code="patient_name_mismatch"]')).to_be_visible()
            if path == BAD_SEARCH:
                page.screenshot(path=str(shots / f"language-search-refused-{role}-{lang}.png"),
                                full_page=True)
            if stray := stray_on(page, lang):
                found[f"{role} {path}"] = stray[:8]
        if role == "intake_clerk":
            page.goto(f"{base}/cases/{case_no}")
            page.screenshot(path=str(shots / f"language-case-findings-{lang}.png"), full_page=True)
            page.set_input_files("#upload input[type=file]", EMPTY_UPLOAD)
            page.click("#upload button[type=submit]")
            expect(page.locator("main")).to_contain_text("the file is empty" if lang == "en" else "文件为空")
            page.screenshot(path=str(shots / f"language-upload-refused-{lang}.png"), full_page=True)
            if stray := stray_on(page, lang):
                found["intake_clerk upload refusal"] = stray[:8]
        if role == "reviewer":  # what the decision form's script draws: the opinion's reason, the dialog
            page.goto(f"{base}/cases/{waiting}")
            page.locator("h1").click()
            page.keyboard.press("a")
            expect(page.locator("#opinion-error")).to_be_visible()
            if stray := stray_on(page, lang):
                found["reviewer opinion missing"] = stray[:8]
            page.goto(f"{base}/cases/{waiting}")
            page.fill("#opinion", "同意")
            page.click(".decision-approve")
            expect(page.locator("#confirm-decision")).to_be_visible()
            page.screenshot(path=str(shots / f"language-decision-confirm-{lang}.png"), full_page=True)
            if stray := stray_on(page, lang):
                found["reviewer decision dialog"] = stray[:8]
        page.context.close()
    assert not found, "\n".join(f"{page}: {item}" for page, items in found.items() for item in items)
