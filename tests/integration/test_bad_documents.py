"""Bad input through processing: each bad file fails its own document with a clear reason, the
other documents of the case are read as usual, and nothing is retried forever.

Intake already refuses these files (tests/integration/test_intake.py). Here they reach processing
the way a file does that intake accepted under other rules, or that changed in the store since:
a good upload whose stored original is then replaced by the bad bytes.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from archive import processing
from archive.demo import documents as gen
from archive.jobs import run_process_document
from archive.models import AuditEvent, Document
from archive.models.cases import DocumentStatus
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def clerk(rt):
    return factories.users_for_all_roles(rt)["intake_clerk"]


def replace_original(rt, document_id: int, content: bytes, tmp_path) -> None:
    with rt.sessions() as session:
        key = session.get_one(Document, document_id).stored_object.store_key
    path = tmp_path / "replacement"
    path.write_bytes(content)
    rt.store.put_file(key, path, content_type="application/octet-stream", size=len(content))


@pytest.mark.parametrize(("content", "reason"), [
    (bad_files.encrypted_pdf("secret"), "protected by a password"),
    (bad_files.truncated_jpeg(), "the image cannot be read"),
    (bad_files.word_document(), "unsupported file type"),
    (bad_files.zero_page_pdf(), "the PDF has no pages"),
    (bad_files.flate_bomb_pdf(1024), "decompresses to more than 64 MB"),
], ids=["encrypted_pdf", "corrupt_image", "word_renamed_pdf", "zero_page_pdf", "pdf_bomb"])
def test_bad_file_fails_its_document_only(rt, clerk, tmp_path, content, reason):
    case_no = factories.make_case(rt, clerk)
    invoice = gen.invoice(random.Random(5))
    good = factories.upload(rt, clerk, case_no, invoice.content, filename="发票.pdf", process=False)
    bad = factories.upload(rt, clerk, case_no, factories.invoice_pdf(pages=1), filename="坏.pdf",
                           process=False)
    replace_original(rt, bad.document_id, content, tmp_path)

    assert run_process_document(rt, bad.document_id) == "failed"
    assert run_process_document(rt, good.document_id) == "processed"
    assert run_process_document(rt, bad.document_id) == "skipped"  # failed is final: no retry
    with rt.sessions() as session:
        failed = session.get_one(Document, bad.document_id)
        assert failed.status == DocumentStatus.FAILED
        assert reason in failed.failure_reason
        assert failed.attempts == 1 and not failed.pages
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.failed")).all()
        assert [e.details["reason"] for e in events] == [failed.failure_reason]
        read = session.get_one(Document, good.document_id)
        assert read.status == DocumentStatus.PROCESSED and read.fields == invoice.truth


@pytest.mark.ocr
def test_pdf_with_an_empty_user_password_is_read(rt, clerk):
    case_no = factories.make_case(rt, clerk)
    upload = factories.upload(rt, clerk, case_no, bad_files.encrypted_pdf(""), process=False)
    assert run_process_document(rt, upload.document_id) == "processed"
    with rt.sessions() as session:
        document = session.get_one(Document, upload.document_id)
        # One short line is too little text for a page, so it is OCRed as well: either way it reads.
        assert [(p.text, p.error) for p in document.pages] == [("invoice 0023", None)]


@pytest.mark.ocr
def test_page_that_is_a_20000_pixel_image_is_read_at_a_bounded_size(rt, clerk):
    # At 300 dpi the page would be 83,000 pixels square (27 GB): it is rendered within
    # MAX_OCR_PIXELS instead, else rendering would fail and the page carry an error.
    case_no = factories.make_case(rt, clerk)
    upload = factories.upload(rt, clerk, case_no, bad_files.huge_image_page_pdf(20000),
                              filename="海报.pdf", kind="invoice", process=False)
    assert run_process_document(rt, upload.document_id) == "processed"
    with rt.sessions() as session:
        document = session.get_one(Document, upload.document_id)
        [page] = document.pages
        assert page.source == "ocr" and page.error is None and page.confidence == 0.0
        assert document.needs_check is True  # a blank page read at confidence 0 is not accepted
        assert "low_confidence" in {c["code"] for c in document.checks}


def test_document_whose_worker_keeps_dying_is_given_up(rt, clerk):
    case_no = factories.make_case(rt, clerk)
    upload = factories.upload(rt, clerk, case_no, factories.invoice_pdf(pages=1), process=False)
    # A worker that dies mid-job (killed by a crashing reader) leaves its claim to run out.
    for _ in range(processing.MAX_ATTEMPTS):
        assert processing.claim(rt.sessions, upload.document_id, lease_seconds=-1)
    assert run_process_document(rt, upload.document_id) == "skipped"
    with rt.sessions() as session:
        document = session.get_one(Document, upload.document_id)
        assert document.status == DocumentStatus.FAILED
        assert document.attempts == processing.MAX_ATTEMPTS
        assert "not retried" in document.failure_reason
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "document.failed")).all() == ["document.failed"]


def test_a_lease_is_renewed_only_by_the_job_that_holds_it(rt, clerk):
    """The lease's end is the job's fencing token: a job that lost its document to another (it
    paused past its lease) stops renewing rather than extend the other job's lease."""
    case_no = factories.make_case(rt, clerk)
    upload = factories.upload(rt, clerk, case_no, factories.invoice_pdf(pages=1), process=False)
    first_end = processing.claim(rt.sessions, upload.document_id, lease_seconds=-1)
    keeper = processing.LeaseKeeper(rt.sessions, upload.document_id, 60, first_end)
    assert keeper.renew() and keeper.lease_until > first_end

    # The job pauses past its lease, and another job claims the document.
    with rt.sessions.begin() as session:
        session.get_one(Document, upload.document_id).lease_until = first_end
    second_end = processing.claim(rt.sessions, upload.document_id, lease_seconds=60)
    assert second_end is not None
    assert keeper.renew() is False
    with rt.sessions() as session:
        assert session.get_one(Document, upload.document_id).lease_until == second_end
