"""The statistics page in headless Chromium at a desk's width (1366) and a phone's (390), in
Chinese and in English: the charts' text is legible (drawn at least 11 px high), the page never
scrolls sideways, labels are in the page's language. Screenshots go to $ARCHIVE_SCREENSHOTS if
set, else to the test's temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, live  # noqa: F401 - fixture
from tests.integration import statistics_data

pytestmark = pytest.mark.browser


def test_the_statistics_page_at_both_widths_in_both_languages(live, tmp_path):  # noqa: F811
    base, runtime, users = live
    statistics_data.build(runtime, users, cases=40, seed=5)
    shots = Path(os.environ.get("ARCHIVE_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "u_director")
        page.fill("input[name=password]", "pw-director")
        page.click("main button[type=submit]")
        expect(page.locator("main")).to_be_visible()
        languages = (("zh_CN", ("按乡镇", "住院", "未填")), ("en", ("By township", "Inpatient", "Not given")))
        for lang, words in languages:
            for width, height in ((1366, 900), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{base}/statistics?quarter=2026-Q1&lang={lang}")
                charts = page.locator("svg.chart.bars")
                expect(charts.first).to_be_visible()
                for word in words:
                    expect(page.locator("main")).to_contain_text(word)
                # The smallest chart text as drawn on the screen.
                smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
                    'svg.chart.bars text')].map(t => t.getBoundingClientRect().height))""")
                assert smallest >= 11, (lang, width, smallest)
                assert page.evaluate("document.scrollingElement.scrollWidth") <= width, (lang, width)
                page.screenshot(path=str(shots / f"statistics-{lang}-{width}.png"), full_page=True)
        browser.close()
