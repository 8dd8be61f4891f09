"""Hostile files at intake and after: decompression bombs, page floods, disguised names, and
what a killed upload leaves behind."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from archive.files.validate import Limits, Rejected, inspect_file
from archive.jobs import run_process_document
from archive.models import AuditEvent, Document, StoredObject
from tests import factories
from tests.fixtures import bad_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clerk_client(client, users):
    assert factories.login(client, "intake_clerk").status_code == 302
    return client


def post_files(client, case_no: str, files: list[tuple[str, bytes]]):
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    fields = MultiDict([("kind", "")] + [
        ("files", FileStorage(io.BytesIO(content), filename=name)) for name, content in files])
    boundary, body = encode_multipart(fields)
    return client.post(f"/cases/{case_no}/documents", data=body,
                       headers={"X-Requested-With": "fetch", "X-CSRFToken": factories.csrf_from(page)},
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def counts(runtime) -> tuple:
    with runtime.sessions() as session:
        return (session.scalar(select(func.count(Document.id))),
                session.scalar(select(func.count(StoredObject.id))),
                session.scalar(select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "document.upload")),
                len(list(runtime.store.iter_keys())), len(list(runtime.tmp_dir.iterdir())))


def test_pdf_bomb_upload_is_refused_with_a_reason_and_nothing_is_kept(clerk_client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    bomb = bad_files.flate_bomb_pdf(1024)  # a 1 MB file, a 1 GiB page content stream
    assert len(bomb) < 1.1 * 1024 * 1024
    response = post_files(clerk_client, case_no, [("发票.pdf", bomb)])
    assert response.status_code == 422
    [result] = response.json["results"]
    assert result["code"] == "pdf_stream_too_large"
    assert "解压后超过 64 MB" in result["error"]  # in the reader's language (Chinese by default)
    assert counts(runtime) == (0, 0, 0, 0, 0)


# The intake check in a process of its own, and then what the system does with an accepted PDF
# next (processing reads the page's text layer), so the peak is the whole cost of the upload.
# The process's own peak: VmHWM, not getrusage's ru_maxrss, which after exec still holds the
# high-water mark of the forked parent (this test process).
_PEAK = """
def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
"""

_INTAKE = _PEAK + """
import json, sys
from pathlib import Path

import pdfplumber

from archive.files.validate import Limits, Rejected, inspect_file

path = Path(sys.argv[1])
limits = Limits(max_bytes=50 << 20, max_pages=2000, max_image_pixels=89478485)
try:
    inspect_file(path, path.stat().st_size, limits)
except Rejected as refusal:
    outcome = refusal.code
else:
    with pdfplumber.open(path) as pdf:
        pdf.pages[0].extract_text()
    outcome = "accepted"
print(json.dumps({"outcome": outcome, "peak_mb": peak_mb()}))
"""


def _intake_in_a_process(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _INTAKE, str(path)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_intake_of_a_1_gib_bomb_stays_within_a_memory_bound(tmp_path):
    ordinary, bomb = tmp_path / "invoice.pdf", tmp_path / "bomb.pdf"
    ordinary.write_bytes(factories.invoice_pdf())
    bomb.write_bytes(bad_files.flate_bomb_pdf(1024))
    baseline = _intake_in_a_process(ordinary)
    assert baseline["outcome"] == "accepted"
    refused = _intake_in_a_process(bomb)
    # Measured: no more than an ordinary invoice (126 MB, the interpreter and its libraries);
    # before the check, the text layer of the accepted file took the process past 1 GB.
    assert refused["peak_mb"] < baseline["peak_mb"] + 48, (refused, baseline)
    assert refused["outcome"] == "pdf_stream_too_large"


def test_viewer_refuses_to_draw_a_stored_bomb(clerk_client, runtime, users, tmp_path):
    # An original accepted before intake measured streams (or changed in the store since).
    case_no = factories.make_case(runtime, users["intake_clerk"])
    upload = factories.upload(runtime, users["intake_clerk"], case_no, factories.invoice_pdf(),
                              process=False)
    with runtime.sessions() as session:
        key = session.get_one(Document, upload.document_id).stored_object.store_key
    replacement = tmp_path / "bomb.pdf"
    replacement.write_bytes(bad_files.flate_bomb_pdf(1024))
    runtime.store.put_file(key, replacement, content_type="application/pdf",
                           size=replacement.stat().st_size)
    factories.login(clerk_client, "reviewer")
    response = clerk_client.get(f"/documents/{upload.document_id}/pages/1/view.jpg")
    assert response.status_code == 404
    assert "decompression bomb" in response.get_data(as_text=True)


def test_a_disguised_name_is_stored_and_served_by_what_the_file_is(clerk_client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    sent = "发票\u202efdp.exe"  # shown as "发票exe.pdf" by anything that honours the override
    response = post_files(clerk_client, case_no, [(sent, factories.invoice_pdf())])
    assert response.status_code == 201, response.json
    [result] = response.json["results"]
    assert result["filename"] == "发票fdp.pdf"
    with runtime.sessions() as session:
        document = session.get_one(Document, result["document_id"])
        assert (document.filename, document.original_filename) == ("发票fdp.pdf", "发票<U+202E>fdp.exe")
    download = clerk_client.get(f"/documents/{result['document_id']}/original")
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8fdp.pdf" in disposition
    assert "%E2%80%AE" not in disposition and ".exe" not in disposition


def test_tiff_frames_are_counted_as_pages_before_any_is_decoded(tmp_path):
    limits = Limits(max_bytes=50 * 1024 * 1024, max_pages=10, max_image_pixels=89_478_485)
    path = tmp_path / "scan.tif"
    # The first frame cannot be decoded: the refusal names the page count, so no frame was.
    path.write_bytes(bad_files.many_frame_tiff(1200, broken_first=True))
    with pytest.raises(Rejected) as refusal:
        inspect_file(path, path.stat().st_size, limits)
    assert refusal.value.code == "too_many_pages"
    assert "more than 10 frames" in refusal.value.reason


@pytest.mark.ocr
def test_only_the_ocr_page_budget_of_a_many_frame_tiff_is_read(make_rt):
    rt = make_rt(ARCHIVE_OCR_MAX_PAGES="2")
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    upload = factories.upload(rt, clerk, case_no, bad_files.many_frame_tiff(6), filename="扫描.tif",
                              kind="invoice", process=False)
    assert run_process_document(rt, upload.document_id) == "processed"
    with rt.sessions() as session:
        document = session.get_one(Document, upload.document_id)
        assert [(p.number, p.error is None) for p in document.pages] == [
            (1, True), (2, True), (3, False), (4, False), (5, False), (6, False)]
        assert "only the first 2 scanned pages" in document.pages[2].error
        assert document.needs_check is True
        assert "page_failed" in {c["code"] for c in document.checks}


_SPOOLER = """
import sys
from pathlib import Path

from archive.files.spool import spool

spool(sys.stdin.buffer, max_bytes=1 << 30, tmp_dir=Path(sys.argv[1]))
"""


def test_startup_removes_what_a_killed_upload_left_spooled(make_rt, environ):
    tmp_dir = Path(environ["ARCHIVE_DATA_DIR"]) / "tmp"
    tmp_dir.mkdir(parents=True)
    uploading = subprocess.Popen([sys.executable, "-c", _SPOOLER, str(tmp_dir)], cwd=ROOT,
                                 stdin=subprocess.PIPE)
    try:
        uploading.stdin.write(b"%PDF-1.4 " + b"0" * (4 * 1024 * 1024))  # mid-upload: still reading
        uploading.stdin.flush()
        [partial] = _wait_for_files(tmp_dir)
        unowned = tmp_dir / "upload-0123456789abcdef"  # named before owners were: by age only
        unowned.write_bytes(b"old")
        young = tmp_dir / "case-file-x.zip"
        young.write_bytes(b"recent")
        _make_old(unowned, hours=25)

        make_rt()  # a start while the upload is running keeps its file
        assert sorted(tmp_dir.iterdir()) == sorted([partial, young])

        uploading.kill()  # kill -9 right in the upload
        uploading.wait(timeout=30)
        assert partial.stat().st_size >= 4 * 1024 * 1024
        make_rt()  # the next start (serve, worker, init all build their runtime this way)
        assert list(tmp_dir.iterdir()) == [young]
    finally:
        uploading.kill()
        uploading.wait(timeout=30)
        uploading.stdin.close()


def _wait_for_files(directory: Path) -> list[Path]:
    import time

    for _ in range(600):
        found = [p for p in directory.iterdir() if p.stat().st_size >= 4 * 1024 * 1024]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("the upload never reached the spool")


def _make_old(path: Path, *, hours: float) -> None:
    import os
    import time

    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_orphans_show_in_healthz_and_only_old_unreferenced_ones_are_swept(make_rt, db_url, tmp_path):
    from archive import create_app
    from archive.queue import schedule_periodic
    from archive.storage import key_for_sha256

    rt = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_RECORDS_ORPHAN_SWEEP_EVERY_HOURS="1")

    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    kept = factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=21), process=False)
    with rt.sessions() as session:
        kept_key = session.get_one(Document, kept.document_id).stored_object.store_key
    # What a kill -9 between storing the bytes and committing the row leaves, a day ago and now.
    source = tmp_path / "bytes.pdf"
    source.write_bytes(factories.invoice_pdf(seed=22))
    old_orphan, young_orphan = key_for_sha256("a" * 64), key_for_sha256("b" * 64)
    for key in (old_orphan, young_orphan):
        rt.store.put_file(key, source, content_type="application/pdf", size=source.stat().st_size)
    for key in (old_orphan, kept_key):  # an old original that a record refers to stays
        _make_old(rt.store.local_path(key), hours=25)

    schedule_periodic(rt)  # due: the sweep never ran (inline job runner)

    assert sorted(rt.store.iter_keys("sha256/")) == sorted([kept_key, young_orphan])
    with rt.sessions() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "object.orphan_swept")).all()
        assert event.actor_name == "system"
        assert event.details["store_key"] == old_orphan and event.details["age_hours"] >= 25
    health = create_app(rt).test_client().get("/healthz").json
    assert health["checks"]["orphans"]["ok"] is True
    assert health["checks"]["orphans"]["orphans"] == 1  # the young one: perhaps an upload in flight
    assert health["checks"]["orphans"]["swept_at"]

    schedule_periodic(rt)  # not due again within the period
    assert rt.store.exists(young_orphan)


_DRAW = _PEAK + """
import json, sys
from pathlib import Path

from archive.previews import SIZES, _draw_pdf

image = _draw_pdf(Path(sys.argv[1]), 0, SIZES["view"])
print(json.dumps({"size": list(image.size), "peak_mb": peak_mb()}))
"""


def test_viewer_draws_a_five_metre_page_within_a_pixel_budget(tmp_path):
    ordinary, sliver = tmp_path / "invoice.pdf", tmp_path / "sliver.pdf"
    ordinary.write_bytes(factories.invoice_pdf())
    sliver.write_bytes(bad_files.sliver_page_pdf())
    runs = []
    for path in (ordinary, sliver):
        done = subprocess.run([sys.executable, "-c", _DRAW, str(path)], capture_output=True,
                              text=True, timeout=300, cwd=ROOT, check=True)
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    baseline, drawn = runs
    # Drawn at a lower scale: the bitmap stays within four times the width squared (31 MB).
    # Before, the page was drawn at full width: 1,400 × 100,800 pixels, over 1.5 GB in all.
    assert drawn["peak_mb"] < baseline["peak_mb"] + 64, (drawn, baseline)
    width, height = drawn["size"]
    assert height <= 4 * 1400 and width >= 1
