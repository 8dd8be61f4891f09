"""The document viewer and server-rendered page images (cached, never the original)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from archive.demo import documents as gen
from archive.models import AuditEvent
from archive.previews import SIZES
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def reviewer(client, users):
    assert factories.login(client, "reviewer").status_code == 302
    return client


def upload(runtime, users, content: bytes, filename: str) -> int:
    case_no = factories.make_case(runtime, users["intake_clerk"])
    return factories.upload(runtime, users["intake_clerk"], case_no, content, filename).document_id


def jpeg(response) -> Image.Image:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG"
    return image


def test_pdf_pages_render_at_each_size_and_are_cached(reviewer, runtime, users):
    document_id = upload(runtime, users, factories.invoice_pdf(seed=3, pages=2), "票据.pdf")
    first = reviewer.get(f"/documents/{document_id}/pages/2/view.jpg")
    assert jpeg(first).width == SIZES["view"]
    assert "private" in first.headers["Cache-Control"]
    assert jpeg(reviewer.get(f"/documents/{document_id}/pages/1/thumb.jpg")).width == SIZES["thumb"]
    cached = sorted(runtime.preview_dir.rglob("*.jpg"))
    assert [p.name.split("-", 1)[1] for p in cached] == ["p1-thumb.jpg", "p2-view.jpg"]
    stamp = cached[1].stat().st_mtime_ns
    assert reviewer.get(f"/documents/{document_id}/pages/2/view.jpg").data == first.data
    assert cached[1].stat().st_mtime_ns == stamp  # served from the cache, not drawn again


def test_a_large_scan_is_never_sent_whole(reviewer, runtime, users):
    # An uncompressed A4 colour scan at 200 dpi, ~11.6 MB, as scanners write them.
    scan = Image.effect_noise((1654, 2339), 40).convert("RGB")
    buffer = io.BytesIO()
    scan.save(buffer, "TIFF", dpi=(200, 200))
    original = buffer.getvalue()
    document_id = upload(runtime, users, original, "扫描件.tif")
    preview = reviewer.get(f"/documents/{document_id}/pages/1/view.jpg")
    assert jpeg(preview).width == 1400
    assert len(preview.data) < len(original) / 5


def test_every_frame_of_a_tiff_is_a_page(reviewer, runtime, users):
    document_id = upload(runtime, users, bad_files.multipage_tiff(pages=3), "三页.tif")
    for number in (1, 2, 3):
        jpeg(reviewer.get(f"/documents/{document_id}/pages/{number}/thumb.jpg"))
    assert reviewer.get(f"/documents/{document_id}/pages/4/thumb.jpg").status_code == 404


@pytest.mark.parametrize("path", ["pages/0/view.jpg", "pages/9/view.jpg", "pages/1/huge.jpg"])
def test_unknown_pages_and_sizes_are_404(reviewer, runtime, users, path):
    document_id = upload(runtime, users, factories.invoice_pdf(seed=4), "票据.pdf")
    assert reviewer.get(f"/documents/{document_id}/{path}").status_code == 404
    assert reviewer.get("/documents/999999/pages/1/view.jpg").status_code == 404


def test_viewer_shows_the_page_text_escaped_and_records_the_view(reviewer, runtime, users):
    hostile = gen._pdf([["交款人：<script>alert(1)</script>", "合计（小写）：￥10.00"],
                        ["第二页 住院费用明细", "床位费 120.00 元，护理费 60.00 元，检查费 380.00 元"]],
                       "医疗收费票据")
    document_id = upload(runtime, users, hostile, "<img src=x onerror=alert(1)>.pdf")
    first = reviewer.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first and "<script>alert(1)" not in first
    assert "<img src=x" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = reviewer.get(f"/documents/{document_id}?page=2").get_data(as_text=True)
    assert "第二页" in second and 'rel="prev"' in second
    assert reviewer.get(f"/documents/{document_id}?page=3").status_code == 404
    with runtime.sessions() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.view")).all()
    assert [(v.target_id, v.details["page"], v.actor_name) for v in views] == [
        (str(document_id), 1, "u_reviewer"), (str(document_id), 2, "u_reviewer")]


def test_signed_out_users_see_no_page(client, runtime, users):
    document_id = upload(runtime, users, factories.invoice_pdf(seed=5), "票据.pdf")
    for path in (f"/documents/{document_id}", f"/documents/{document_id}/pages/1/thumb.jpg"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_page_links_each_document_to_the_viewer(reviewer, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    result = factories.upload(runtime, users["intake_clerk"], case_no, factories.invoice_pdf(seed=6))
    page = reviewer.get(f"/cases/{case_no}").get_data(as_text=True)
    assert f'href="/documents/{result.document_id}"' in page
    assert f"/documents/{result.document_id}/pages/1/thumb.jpg" in page


def test_auditor_exports_the_case_file_from_the_case_page(client, runtime, users, tmp_path):
    from archive.case_export import verify_bag

    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="孙丽")
    for seed in (21, 22):
        factories.upload(runtime, users["intake_clerk"], case_no, factories.invoice_pdf(seed=seed),
                         f"票据{seed}.pdf")
    factories.login(client, "auditor")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert f'href="/cases/{case_no}/case-file.zip"' in page
    response = client.get(f"/cases/{case_no}/case-file.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"{case_no}.zip" in response.headers["Content-Disposition"]
    bag = tmp_path / "downloaded.zip"
    bag.write_bytes(response.data)
    response.close()
    verify_bag(bag)  # raises if a checksum or the manifest is off
    with runtime.sessions() as session:
        exports = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.export")).all()
    assert [(e.target_id, e.actor_name) for e in exports] == [(case_no, "u_auditor")]
    assert not list(runtime.tmp_dir.glob("case-file-*"))  # nothing left behind


def test_roles_without_export_see_no_button_and_get_403(reviewer, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    assert "case-file.zip" not in reviewer.get(f"/cases/{case_no}").get_data(as_text=True)
    assert reviewer.get(f"/cases/{case_no}/case-file.zip").status_code == 403
