"""The desks on a 390 px phone (issue 20, point 4), in headless Chromium: the header stays two
lines (the brand, then one line of links that scrolls in its own box), the case, queue, admin and
list pages never scroll sideways (wide tables scroll in their own box), and the viewer stacks
the page over its fields. Screenshots at 1366 and 390 px, in Chinese and English, go to
$ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from archive.models import Case, Document
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_case_page_browser import processed_case
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def test_desks_fit_a_phone(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    case_no = processed_case(runtime, users)
    factories.make_case(runtime, users["intake_clerk"], claimant_name="石磊", township="城关镇")
    with runtime.sessions() as session:
        document_id = session.scalar(select(Document.id).join(Case).where(Case.case_no == case_no))
    pages = {"intake_clerk": ["/dashboard", "/cases", f"/cases/{case_no}", "/queue"],
             "admin": ["/admin/users"],
             "reviewer": [f"/documents/{document_id}"]}
    for role, paths in pages.items():
        page = sign_in(browser, base, f"u_{role}")
        for lang in ("zh_CN", "en"):
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                for path in paths:
                    page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                    expect(page.locator("main")).to_be_visible()
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= width, (path, lang, size, wide)
                    header = page.locator("header.top").bounding_box()["height"]
                    assert header <= 100, (path, lang, size, header)  # two lines at most
                    name = path.strip("/").replace("/", "-").split("?")[0]
                    page.screenshot(path=str(shots / f"layout-{name}-{lang}-{size}.png"), full_page=True)
                    if path.startswith("/documents/") and size == "phone":
                        # The scan above its fields, at the width of the screen.
                        image = page.locator(".page-image").bounding_box()
                        reading = page.locator(".page-reading").bounding_box()
                        assert image["width"] >= width - 60
                        assert reading["y"] >= image["y"] + image["height"] - 1
