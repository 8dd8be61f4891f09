"""The desks on a 390 and a 360 px phone (issue 20, point 4), in headless Chromium: the header stays two
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

SIZES = {"desktop": (1366, 768), "phone": (390, 844), "small-phone": (360, 740)}


OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const out = root.scrollWidth > width ? [`page ${root.scrollWidth}`] : [];
  const clipped = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return p !== document.body && p !== root;
    }
    return false;
  };
  for (const el of document.querySelectorAll('main *, header *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !clipped(el))
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(r.right)}`);
  }
  return out.slice(0, 8);
}"""


def overflow(page) -> list[str]:
    """What sticks out of the page sideways: the page's own scroll width beyond the window, and
    the elements whose right edge passes it (a wide table scrolling in its own box does not)."""
    return page.evaluate(OVERFLOW)


# Every desk page, by the role group that works at it ({case}, {document}, {admin} filled in).
# The section chief, director and cashier sign from the same queue and dashboard; the director
# and auditor also read the statistics.
DESKS = {"intake_clerk": ["/dashboard", "/cases", "/cases/{case}", "/cases/new", "/queue", "/loans",
                          "/account/tokens"],
         "reviewer": ["/documents/{document}", "/queue"],
         "archivist": ["/records", "/records/backscan"],
         "finance_chief": ["/dashboard", "/queue", "/fund-report"],
         "director": ["/dashboard", "/statistics"],
         "cashier": ["/dashboard", "/queue"],
         "auditor": ["/records", "/statistics", "/search?q=石磊"],
         "audit_chief": ["/spot-checks", "/follow-ups", "/publication", "/publications", "/objections",
                         "/fund-report"],
         "admin": ["/admin/users", "/admin/users/{admin}", "/admin/workflows", "/admin/calendar",
                   "/admin/retention"]}


@pytest.mark.parametrize("role", DESKS)
def test_desks_fit_a_phone(live, browser, shots, role):  # noqa: F811
    base, runtime, users = live
    case_no = processed_case(runtime, users)
    factories.make_case(runtime, users["intake_clerk"], claimant_name="石磊", township="城关镇")
    with runtime.sessions() as session:
        document_id = session.scalar(select(Document.id).join(Case).where(Case.case_no == case_no))
    paths = [path.format(case=case_no, document=document_id, admin=users["admin"].id)
             for path in DESKS[role]]
    page = sign_in(browser, base, f"u_{role}")
    for lang in ("zh_CN", "en"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            for path in paths:
                reply = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                assert reply.status == 200, (role, path, reply.status)
                expect(page.locator("main")).to_be_visible()
                assert not overflow(page), (path, lang, size, overflow(page))
                header = page.locator("header.top").bounding_box()["height"]
                assert header <= 100, (path, lang, size, header)  # two lines at most
                name = path.strip("/").replace("/", "-").split("?")[0]
                if size != "small-phone":
                    shot = shots / f"layout-{role}-{name}-{lang}-{size}.png"
                    page.screenshot(path=str(shot), full_page=True)
                if path.startswith("/documents/") and size == "phone":
                    # The scan above its fields, at the width of the screen.
                    image = page.locator(".page-image").bounding_box()
                    reading = page.locator(".page-reading").bounding_box()
                    assert image["width"] >= width - 60
                    assert reading["y"] >= image["y"] + image["height"] - 1
                if path == f"/cases/{case_no}":
                    # A thumbnail below the fold (loaded lazily) holds its shape, not a 2 px line.
                    thumb = page.locator("#documents .thumb-link img").first.bounding_box()
                    assert thumb["height"] >= 40, (lang, size, thumb)
                if path == f"/cases/{case_no}" and size != "desktop":
                    # A document's name is read in lines of several characters, not one a line.
                    name_box = page.locator("#documents td:first-child span[translate]").first
                    name_box = name_box.bounding_box()
                    assert name_box["width"] >= 60, (lang, size, name_box)
