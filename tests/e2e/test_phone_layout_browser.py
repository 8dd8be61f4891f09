"""The desks from a 360 px phone to a 1920 px screen (issue 20, point 4), in headless Chromium: the
header stays two lines (the brand, then one line of links that scrolls in its own box, with a cue
at the edge that hides links), the case, queue, admin, list and provider pages never scroll
sideways (wide tables scroll in their own box), the viewer stacks the page over its fields, and on
a wide screen the desk stays a readable column. Screenshots at 1920, 1366 and 390 px, in Chinese
and English, go to $ARCHIVE_SCREENSHOTS if set, else to the test's temporary directory."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import Case, Document
from archive.providers.register import add_alias, record_sanction, register_provider
from archive.records.filing import set_record_class
from tests import factories
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_case_page_browser import processed_case, wait_processed
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures
from tests.e2e.test_page_language_browser import stray_on
from tests.e2e.test_payment_flags import HOSPITAL
from tests.e2e.test_providers_http import USCC

pytestmark = pytest.mark.browser

SIZES = {"wide": (1920, 1080), "desktop": (1366, 768), "phone": (390, 844),
         "small-phone": (360, 740)}


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


# On a wide screen the desk stays a column in the middle and a paragraph keeps a line one reads
# without losing it (at most ~90 Latin characters, ~50 Chinese): not stretched over 1920 px.
STRETCHED = """() => {
  const out = [], main = document.querySelector('main').getBoundingClientRect();
  if (main.width > 1240) out.push(`main ${Math.round(main.width)}`);
  const em = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const own = el => [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
    .map(n => n.textContent).join('').trim().length;  // running text of its own, not a card's parts
  for (const el of document.querySelectorAll('main p, main li, main dd, main label, main .hint')) {
    const r = el.getBoundingClientRect(), size = parseFloat(getComputedStyle(el).fontSize);
    if (r.width > 46 * Math.max(size, em) && own(el) > 90)
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(r.width)}`);
  }
  return out.slice(0, 8);
}"""


def stretched(page) -> list[str]:
    return page.evaluate(STRETCHED)


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
                if size == "wide":
                    assert not stretched(page), (path, lang, stretched(page))
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


CUE = """nav => ({classes: [...nav.classList].filter(c => c.startsWith('more-')),
  left: getComputedStyle(nav, '::before').opacity, right: getComputedStyle(nav, '::after').opacity,
  arrow: getComputedStyle(nav, '::after').content, hidden: nav.scrollWidth - nav.clientWidth})"""


def test_the_phone_header_row_shows_that_it_scrolls(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    page = sign_in(browser, base, "u_admin")  # the most links of any desk
    nav = page.locator("header.top nav")
    for lang in ("zh_CN", "en"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/dashboard?lang={lang}")
        cue = nav.evaluate(CUE)
        assert cue["hidden"] > 0 and cue["classes"] == ["more-right"], (lang, cue)
        assert (cue["left"], cue["right"]) == ("0", "1"), (lang, cue)  # an arrow at the hiding edge
        page.screenshot(path=str(shots / f"header-cue-{lang}-phone.png"))
        nav.evaluate("nav => nav.scrollTo({left: nav.scrollWidth})")
        page.wait_for_function("() => document.querySelector('header.top nav')"
                               ".classList.contains('more-left')")
        cue = nav.evaluate(CUE)
        assert cue["classes"] == ["more-left"] and (cue["left"], cue["right"]) == ("1", "0"), (lang, cue)
        page.screenshot(path=str(shots / f"header-cue-{lang}-phone-scrolled.png"))
        page.set_viewport_size({"width": 1366, "height": 768})  # the links fit: no cue
        page.wait_for_function("() => !document.querySelector('header.top nav')"
                               ".className.includes('more-')")
        cue = nav.evaluate(CUE)
        assert cue["hidden"] <= 0 and not cue["classes"] and cue["arrow"] == "none", (lang, cue)
    clerk = sign_in(browser, base, "u_intake_clerk")  # fewer links: the phone row fits at 700 px
    clerk.set_viewport_size({"width": 700, "height": 900})
    clerk.goto(f"{base}/dashboard?lang=zh_CN")
    cue = clerk.locator("header.top nav").evaluate(CUE)
    assert cue["hidden"] <= 0 and not cue["classes"] and cue["right"] == "0", cue


def provider_with_agreements(runtime, users) -> tuple[int, str, str]:
    """A provider with two agreements in the archive: one in a case the reviewer may open, one
    filed as audit material (grade 3) that the register shows without its case."""
    cases = []
    for first, last in ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2027, 12, 31))):
        lines = ["协议编号：XY-2026-0042", "甲方：县医疗保障事务中心", f"乙方：{HOSPITAL}",
                 f"统一社会信用代码：{USCC}",
                 f"有效期：{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日",
                 "签订日期：2024年12月20日"]
        case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name=HOSPITAL,
                                      claim_type="other")
        made = factories.upload(runtime, users["intake_clerk"], case_no,
                                gen._pdf([lines], "定点医疗机构服务协议"), "协议.pdf", kind="agreement")
        wait_processed(runtime, made.document_id)
        cases.append(case_no)
    with runtime.sessions.begin() as session:
        admin = session.merge(users["admin"])
        provider = register_provider(session, admin, name=HOSPITAL, level="county", kind="hospital",
                                     uscc=USCC, insurance_code="H34012300001", township="城关镇")
        add_alias(session, admin, provider.id, alias=f"{HOSPITAL}（城关院区）")
        record_sanction(session, admin, provider.id, kind="warning", starts_on="2026-03-02",
                        description="超标准收取床位费，已责令退还参保人多收费用并限期整改", case_no=cases[0])
        set_record_class(session, cases[1], actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
        return provider.id, cases[0], cases[1]


def test_the_provider_page_fits_every_screen_in_one_language(live, browser, shots):  # noqa: F811
    base, runtime, users = live
    provider, open_case, hidden_case = provider_with_agreements(runtime, users)
    page = sign_in(browser, base, "u_reviewer")
    found = {}
    for lang in ("zh_CN", "en"):
        for size in ("wide", "desktop", "phone"):
            width, height = SIZES[size]
            page.set_viewport_size({"width": width, "height": height})
            assert page.goto(f"{base}/providers/{provider}?lang={lang}").status == 200
            agreements = page.locator("#agreements li")
            expect(agreements).to_have_count(2)
            expect(agreements.nth(0).locator("a")).to_have_text(open_case)
            expect(agreements.nth(1)).to_contain_text("—")  # a case this reader may not open
            assert hidden_case not in page.content()
            for empty in ("#assessments", "#settlements", "#year-ends"):  # a table with nothing says so
                expect(page.locator(f"{empty} td.empty")).to_be_visible()
            assert not overflow(page), (lang, size, overflow(page))
            if size == "wide":
                assert not stretched(page), (lang, stretched(page))
            assert page.locator("header.top").bounding_box()["height"] <= 100, (lang, size)
            page.screenshot(path=str(shots / f"provider-{lang}-{size}.png"), full_page=True)
            if stray := stray_on(page, lang):
                found[f"{lang} {size}"] = stray[:8]
    assert not found, found
