"""The back-scanning page (著录回溯) in headless Chromium: an archivist picks a manifest and the
folder of scans, a bad manifest is answered with its problems row by row and nothing written, a
good one starts a run whose progress the page follows to the end; in Chinese and in English, at
desk and phone widths. Screenshots go to $ARCHIVE_SCREENSHOTS if set, else to the test's
temporary directory."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from archive.models import BackscanRun, Case
from tests.e2e.test_browser import live  # noqa: F401 - fixture
from tests.e2e.test_desks_browser import browser, shots, sign_in  # noqa: F401 - fixtures
from tests.integration.test_backscan import csv_bytes, rows_for, scans

pytestmark = pytest.mark.browser
WIDTHS = {"desk": 1366, "phone": 390}


def counts(runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count(model.id))) for model in (Case, BackscanRun))


def submit(page, base: str, manifest, folder) -> None:
    page.goto(f"{base}/records/backscan")
    page.set_input_files("#backscan-form input[name=manifest]", str(manifest))
    page.set_input_files("#backscan-form input[name=files]", str(folder))
    page.click("#backscan-form button[type=submit]")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_manifest_through_the_page(live, browser, shots, tmp_path, lang):  # noqa: F811
    base, runtime, _users = live
    folder = tmp_path / "scans"
    files = scans(folder, 4)
    page = sign_in(browser, base, "u_archivist")
    page.goto(f"{base}/dashboard?lang={lang}")
    before = counts(runtime)

    # A bad manifest: a file not in the folder, a date that is none, an unknown claim type.
    bad = [list(row) for row in rows_for(files)]
    bad[0][12] = "box1/missing.pdf"
    bad[1][9] = "2015-13-40"
    bad[2][7] = "飞行"
    manifest = tmp_path / "坏清单.csv"
    manifest.write_bytes(csv_bytes(bad))
    submit(page, base, manifest, folder)
    errors = page.locator("#backscan-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(page.locator("#backscan-errors tbody tr[data-row='2']")).to_contain_text("box1/missing.pdf")
    expect(page.locator("#backscan-errors tbody tr[data-row='3']")).to_contain_text("2015-13-40")
    expect(page.locator("#backscan-errors tbody tr[data-row='4']")).to_contain_text("飞行")
    reason = "没有这个文件" if lang == "zh_CN" else "no such file"
    expect(page.locator("#backscan-errors tbody tr[data-row='2']")).to_contain_text(reason)
    assert counts(runtime) == before  # nothing written
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"backscan-errors-{lang}-{name}.png"), full_page=True)

    # The good manifest: the run is started and the page follows it to the end.
    manifest = tmp_path / "清单.csv"
    manifest.write_bytes(csv_bytes(rows_for(files)))
    page.set_viewport_size({"width": 1366, "height": 900})
    submit(page, base, manifest, folder)
    expect(page.locator("#backscan-errors")).to_have_count(0)
    row = page.locator("#backscan-runs tbody tr").first
    expect(row).to_contain_text("清单.csv")
    expect(row.locator(".status")).to_have_attribute("data-status", "finished", timeout=60_000)
    expect(row.locator(".count")).to_have_text("3 / 3")
    expect(row.locator(".status")).to_have_text("已完成" if lang == "zh_CN" else "finished")
    expect(row.locator("form")).to_have_count(0)  # nothing left to resume
    assert counts(runtime) == (before[0] + 3, before[1] + 1)
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"backscan-finished-{lang}-{name}.png"), full_page=True)
