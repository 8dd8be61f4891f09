"""Accessibility of every desk page (issue 20, point 15), in headless Chromium.

axe-core (bundled with axe-playwright-python, no network) runs over each HTML page a role may
open, in Chinese and English: no critical or serious violation. Roles that see the same page are
grouped, so each page is loaded once per group and language. Then the keyboard: the scan frame can
be reached and scrolled by keyboard, `?` opens the list of keys, the single-key shortcuts can be
turned off (WCAG 2.1.4, kept per browser), and no key means two things (the viewer turns the page
with `t`, `r` stays "return for correction" on the case page). Screenshots go to
$ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from archive.models import Case, Document
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_case_page_browser import processed_case
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

HARMFUL = ("critical", "serious")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# A field whose only label is its placeholder (gone as soon as one types; axe accepts it as a
# name, WCAG 3.3.2 does not): no <label> around or for it and no aria-labelledby.
PLACEHOLDER_ONLY = """() => Array.from(document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    .filter(f => !(f.labels && f.labels.length) && !f.getAttribute('aria-labelledby'))
    .map(f => 'placeholder-only label: ' + f.name)"""


# The header's two language links on different lines (the first ending one line, the second
# alone on the next) read as two unrelated links.
LANGUAGES_SPLIT = """() => {
  const [first, second] = Array.from(document.querySelectorAll('header a.lang'));
  return first.getBoundingClientRect().top === second.getBoundingClientRect().top
    ? [] : ['the language links are split over two lines'];
}"""


def desk_pages(runtime, users) -> tuple[dict[str, list[str]], str, int]:
    """Every desk page, by the role group that opens it (one role stands for roles that see the
    same page): a case at intake with a processed daily statement, one waiting at the reviewer."""
    case_no = processed_case(runtime, users)
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker"),
            "second_auditor": factories.make_user(runtime, "auditor", "u_second_auditor")}
    at_review = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                      documents=("invoice",), seed=5)
    factories.walk(runtime, desk, at_review, until="initial_review")
    with runtime.sessions() as session:
        document_id = session.scalar(select(Document.id).join(Case).where(Case.case_no == case_no))
    admin_id = users["admin"].id
    pages = {
        # The window: opening cases, uploading, the objection register at the counter.
        "intake_clerk": ["/dashboard", "/cases", "/cases/new", f"/cases/{case_no}",
                         f"/documents/{document_id}", "/queue", "/search?q=石磊", "/loans",
                         "/objections", "/account/tokens"],
        # The review steps (re_reviewer, audit_chief sign the same form): the decision form.
        "reviewer": [f"/cases/{at_review}", f"/documents/{document_id}", "/queue", "/providers"],
        # The archive desk and the loans it grants.
        "archivist": ["/records", "/records/backscan", "/loans", f"/cases/{case_no}"],
        # The audit desks: spot checks, follow-ups, publications and the fund report.
        "auditor": ["/spot-checks", "/follow-ups", "/publication", "/publications", "/fund-report",
                    "/statistics", "/records"],
        # Finance posts the notice.
        "finance_chief": ["/publications", "/fund-report", "/dashboard"],
        "admin": ["/admin/users", f"/admin/users/{admin_id}", "/admin/workflows", "/admin/retention",
                  "/admin/calendar", "/statistics/insured", "/providers"],
        # Outside the agency: scoped and masked.
        "hospital_clerk": ["/dashboard", "/cases", f"/cases/{case_no}"],
    }
    return pages, case_no, document_id


def harmful(results) -> list[str]:
    return [f"{v['impact']} {v['id']}: {v['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                        for node in v["nodes"][:4])
            for v in results.response["violations"] if v["impact"] in HARMFUL]


def test_no_serious_axe_violation_on_any_desk(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    pages, _, _ = desk_pages(runtime, users)
    axe = Axe()
    found: dict[str, list[str]] = {}
    anonymous = browser.new_context().new_page()
    for lang in ("zh_CN", "en"):
        anonymous.goto(f"{base}/login?lang={lang}")
        found.update({f"anonymous /login {lang}": harmful(axe.run(anonymous))})
    for role, paths in pages.items():
        page = sign_in(browser, base, f"u_{role}")
        for lang in ("zh_CN", "en"):
            for path in paths:
                page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                expect(page.locator("main")).to_be_visible()
                found[f"{role} {path} {lang}"] = (harmful(axe.run(page)) + page.evaluate(PLACEHOLDER_ONLY)
                                                  + page.evaluate(LANGUAGES_SPLIT))
                if lang == "en":
                    name = path.strip("/").replace("/", "-").split("?")[0] or "home"
                    page.screenshot(path=str(shots / f"a11y-{role}-{name}.png"), full_page=True)
        page.context.close()
    failures = {where: problems for where, problems in found.items() if problems}
    report = "\n".join(f"{where}\n  " + "\n  ".join(problems) for where, problems in failures.items())
    print(report)
    assert not failures, f"{len(failures)} of {len(found)} pages fail axe:\n{report}"


def test_no_template_labels_a_field_by_its_placeholder_alone():
    """The forms the desk test cannot reach without their data (a hold to lift, a loan to end, a
    settlement to deduct from) are checked in the templates: a field with a placeholder sits in a
    <label> or is named by one's `for`."""
    lonely = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        named = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', text))
        for match in re.finditer(r"<(input|textarea)\b[^>]*\bplaceholder=", text):
            before = text[:match.start()]
            inside = before.count("<label") > before.count("</label>")
            tag = text[match.start():text.index(">", match.start())]
            ident = re.search(r'\bid="([^"]+)"', tag)
            if not inside and not (ident and ident.group(1) in named) and "aria-labelledby" not in tag:
                lonely.append(f"{template.relative_to(TEMPLATES)}: {tag[:80]}")
    assert not lonely, "\n".join(lonely)


def test_keys_are_listed_can_be_turned_off_and_mean_one_thing(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    case_no = processed_case(runtime, users)
    with runtime.sessions() as session:
        document_id = session.scalar(select(Document.id).join(Case).where(Case.case_no == case_no))
    page = sign_in(browser, base, "u_reviewer")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/documents/{document_id}?lang=en")
    expect(page.locator("#page-tools")).to_be_visible()
    sheet = page.locator("#sheet")

    def turned() -> bool:
        return "rotate(90deg)" in (sheet.get_attribute("style") or "")

    # The scan frame is reached by Tab like any control (it scrolls with the arrow keys).
    assert page.locator("#frame").evaluate("f => f.tabIndex") == 0
    # `r` is "return for correction" on the case page: in the viewer it does nothing; `t` turns.
    page.locator("h1").click()
    page.keyboard.press("r")
    assert not turned()
    page.keyboard.press("t")
    assert turned()

    # `?` lists the keys, in the page's language.
    page.keyboard.press("?")
    help_dialog = page.locator("#keys-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Turn the page")
    page.screenshot(path=str(shots / "a11y-keys-help-en.png"))
    # Turned off: no single key does anything, and it stays off on the next page (this browser).
    page.uncheck("#keys-enabled")
    page.click("#keys-close")
    expect(help_dialog).to_be_hidden()
    page.reload()
    expect(page.locator("#zoom-level")).to_have_text("100%")
    page.locator("h1").click()
    for key in ("+", "t", "?"):
        page.keyboard.press(key)
    expect(page.locator("#zoom-level")).to_have_text("100%")
    assert not turned()
    expect(help_dialog).to_be_hidden()
    # The button beside the hint still opens the list, to turn them back on.
    page.click("#keys-open")
    expect(page.locator("#keys-enabled")).not_to_be_checked()
    page.check("#keys-enabled")
    page.click("#keys-close")
    page.locator("h1").click()
    page.keyboard.press("+")
    expect(page.locator("#zoom-level")).to_have_text("125%")

    # On the case page the list is in Chinese by default and `?` opens it there too.
    page.goto(f"{base}/cases/{case_no}?lang=zh_CN")
    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_contain_text("键盘快捷键")
