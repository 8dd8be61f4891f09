"""The intake unit of work on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive.access import NotFound
from archive.auth import Forbidden
from archive.intake import Incoming, Rejected, ingest, ingest_many
from archive.models import AuditEvent, Document, Page, StoredObject
from archive.records.reconcile import reconcile
from archive.storage import key_for_sha256
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def clerk(rt):
    return factories.users_for_all_roles(rt)["intake_clerk"]


def counts(rt) -> dict:
    with rt.sessions() as session:
        return {
            "documents": session.scalar(select(func.count(Document.id))),
            "objects": session.scalar(select(func.count(StoredObject.id))),
            "uploads": session.scalar(select(func.count(AuditEvent.id))
                                      .where(AuditEvent.action == "document.upload")),
            "stored": len(list(rt.store.iter_keys())),
            "tmp": len(list(rt.tmp_dir.iterdir())) if rt.tmp_dir.exists() else 0,
        }


def test_upload_is_stored_recorded_audited_and_processed(rt, clerk):
    case_no = factories.make_case(rt, clerk, claimant_name="李秀英")
    content = factories.invoice_pdf(pages=2)
    result = factories.upload(rt, clerk, case_no, content, filename="住院发票.pdf", kind="invoice")

    with rt.sessions() as session:
        document = session.get(Document, result.document_id)
        assert document.status == "processed"
        assert document.page_count == 2
        assert [p.number for p in document.pages] == [1, 2]
        assert document.filename == document.original_filename == "住院发票.pdf"
        assert document.stored_object.sha256 == hashlib.sha256(content).hexdigest()
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "document.upload"))
        assert event.actor_name == clerk.username
        assert event.details["sha256"] == document.stored_object.sha256
        assert event.details["case_no"] == case_no
    with rt.store.open(key_for_sha256(hashlib.sha256(content).hexdigest())) as stored:
        assert stored.read() == content
    assert counts(rt)["tmp"] == 0


def test_same_bytes_twice_are_stored_once_and_linked(rt, clerk):
    first_case = factories.make_case(rt, clerk)
    second_case = factories.make_case(rt, clerk, claimant_name="王芳")
    content = factories.invoice_pdf(seed=7)

    first = factories.upload(rt, clerk, first_case, content)
    again = factories.upload(rt, clerk, first_case, content, filename="copy.pdf")
    elsewhere = factories.upload(rt, clerk, second_case, content)

    assert again.duplicate == "same_case" and again.document_id == first.document_id
    assert elsewhere.duplicate == "other_case"
    with rt.sessions() as session:
        linked = session.get(Document, elsewhere.document_id)
        assert linked.duplicate_of_id == first.document_id
    assert counts(rt) | {"tmp": 0} == {"documents": 2, "objects": 1, "uploads": 2, "stored": 1,
                                       "tmp": 0}


def test_case_numbers_are_sequential_per_year(rt, clerk):
    numbers = [factories.make_case(rt, clerk) for _ in range(3)]
    suffixes = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert suffixes == [suffixes[0], suffixes[0] + 1, suffixes[0] + 2]


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (bad_files.zip_named_pdf(), "unsupported_type"),
    (bad_files.truncated(factories.invoice_pdf()), "truncated_pdf"),
    (bad_files.png_bomb(), "image_too_large"),
])
def test_bad_files_leave_nothing_behind(rt, clerk, content, code):
    case_no = factories.make_case(rt, clerk)
    before = counts(rt)
    with pytest.raises(Rejected) as refusal:
        factories.upload(rt, clerk, case_no, content, filename="scan.pdf")
    assert refusal.value.code == code
    assert counts(rt) == before


def test_oversized_upload_is_refused_while_streaming(make_rt, db_url):
    rt = make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_INTAKE_MAX_UPLOAD_MB="1")
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    before = counts(rt)
    with pytest.raises(Rejected) as refusal:
        ingest(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no=case_no,
               stream=bad_files.oversized_pdf(3), filename="big.pdf", kind=None, actor=clerk)
    assert refusal.value.status == 413
    assert counts(rt) == before


def test_unknown_case_is_refused_before_the_body_is_read(rt, clerk):
    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the upload body was read for an unknown case")

    with pytest.raises(NotFound):
        ingest(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no="AJ-1999-000001",
               stream=Unreadable(), filename="x.pdf", kind=None, actor=clerk)


def test_role_without_upload_right_is_refused(rt, clerk):
    from archive.auth import create_user, system_user

    case_no = factories.make_case(rt, clerk)
    with rt.sessions.begin() as session:
        cashier = create_user(session, username="c1", display_name="出纳", role="cashier",
                              password="cashier-pw-2026", actor=system_user(session))
    with pytest.raises(Forbidden):
        factories.upload(rt, cashier, case_no, factories.invoice_pdf())


def test_failure_after_storing_removes_the_object(rt, clerk, monkeypatch):
    """Fault injection: the transaction fails after the bytes were stored."""
    import archive.intake.service as service

    case_no = factories.make_case(rt, clerk)
    before = counts(rt)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service.audit, "record_many", broken_audit)
    with pytest.raises(RuntimeError):
        factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=3))
    assert counts(rt) == before
    assert reconcile(rt).orphan_objects == []


def test_reconcile_reports_orphans_and_missing_objects(rt, clerk, tmp_path):
    case_no = factories.make_case(rt, clerk)
    kept = factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=11))
    orphan = tmp_path / "orphan.pdf"
    orphan.write_bytes(factories.invoice_pdf(seed=12))
    orphan_key = key_for_sha256("f" * 64)
    rt.store.put_file(orphan_key, orphan, content_type="application/pdf", size=orphan.stat().st_size)
    with rt.sessions() as session:
        lost_key = session.get(Document, kept.document_id).stored_object.store_key
    rt.store.delete(lost_key)

    report = reconcile(rt)
    assert report.orphan_objects == [orphan_key]
    assert report.missing_objects == [lost_key]
    reconcile(rt, delete_orphans=True)  # written just now: perhaps an upload in flight
    assert rt.store.exists(orphan_key)
    reconcile(rt, delete_orphans=True, grace=timedelta(0))
    assert not rt.store.exists(orphan_key)


def test_processing_records_pages_once_even_if_run_again(rt, clerk):
    from archive.jobs import run_process_document

    case_no = factories.make_case(rt, clerk)
    result = factories.upload(rt, clerk, case_no, factories.invoice_pdf(pages=3), process=False)
    assert run_process_document(rt, result.document_id) == "processed"
    assert run_process_document(rt, result.document_id) == "skipped"
    with rt.sessions() as session:
        assert session.scalar(select(func.count(Page.id))) == 3
        assert session.scalar(select(func.count(AuditEvent.id))
                              .where(AuditEvent.action == "document.processed")) == 1


def test_processing_reads_pages_fields_and_findings(rt, clerk):
    import random

    from archive.demo import documents as gen

    case_no = factories.make_case(rt, clerk)
    invoice = gen.invoice(random.Random(21))
    typed = factories.upload(rt, clerk, case_no, invoice.content, filename="发票.pdf")
    blank = factories.upload(rt, clerk, case_no, bad_files.png(1240, 1754), filename="空白.png",
                             kind="daily_statement")
    with rt.sessions() as session:
        document = session.get(Document, typed.document_id)
        assert (document.kind, document.kind_guessed) == ("invoice", True)
        assert document.fields == invoice.truth
        assert document.checks == [] and document.needs_check is False
        assert [(p.number, p.source) for p in document.pages] == [(1, "text_layer")]
        assert invoice.truth["invoice_number"] in document.pages[0].text

        empty = session.get(Document, blank.document_id)
        assert (empty.kind, empty.kind_guessed, empty.fields) == ("daily_statement", False, {})
        assert empty.pages[0].source == "ocr"
        assert {c["code"] for c in empty.checks} >= {"missing_signature", "low_confidence"}
        assert empty.needs_check is True


def _incoming(content: bytes, filename: str) -> Incoming:
    return Incoming.from_stream(io.BytesIO(content), filename)


def test_a_batch_commits_the_accepted_files_and_reports_each_refusal_in_place(rt, clerk):
    case_no = factories.make_case(rt, clerk)
    first, second = factories.invoice_pdf(seed=21), factories.invoice_pdf(seed=22, pages=3)
    outcomes = ingest_many(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no=case_no,
                           files=[_incoming(first, "一.pdf"), _incoming(bad_files.zip_named_pdf(), "假.pdf"),
                                  _incoming(first, "一又一次.pdf"), _incoming(second, "二.pdf")],
                           kind="invoice", actor=clerk)

    one, refused, again, two = outcomes
    assert isinstance(refused, Rejected) and refused.code == "unsupported_type"
    assert (one.duplicate, again.duplicate, two.duplicate) == (None, "same_case", None)
    assert again.document_id == one.document_id  # the same bytes twice in one batch: one document
    assert counts(rt) == {"documents": 2, "objects": 2, "uploads": 2, "stored": 2, "tmp": 0}
    with rt.sessions() as session:
        pages = [session.get(Document, r.document_id).page_count for r in (one, two)]
        # (the reading the batch asked for may already have written its own events)
        actions = list(session.scalars(select(AuditEvent.action)
                                       .where(AuditEvent.action.like("document.upload%"))
                                       .order_by(AuditEvent.id)))
    assert pages == [1, 3]
    assert actions[-3:] == ["document.upload", "document.upload_duplicate", "document.upload"]
    for content in (first, second):
        with rt.store.open(key_for_sha256(hashlib.sha256(content).hexdigest())) as stored:
            assert stored.read() == content


def test_a_batch_whose_commit_fails_leaves_nothing_behind(rt, clerk, monkeypatch):
    import archive.intake.service as service

    case_no = factories.make_case(rt, clerk)
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=30))
    before = counts(rt)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service.audit, "record_many", broken_audit)
    with pytest.raises(RuntimeError):
        ingest_many(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no=case_no,
                    files=[_incoming(factories.invoice_pdf(seed=seed), f"{seed}.pdf")
                           for seed in (30, 31, 32)], kind=None, actor=clerk)
    # The object the earlier upload stored (seed 30) is still referenced and stays.
    assert counts(rt) == before
    assert reconcile(rt).orphan_objects == []


def test_a_file_that_cannot_be_read_fails_the_batch_before_anything_is_written(rt, clerk):
    case_no = factories.make_case(rt, clerk)
    before = counts(rt)

    def unreadable():
        raise OSError("the scanner's share went away")

    files = [_incoming(factories.invoice_pdf(seed=seed), f"{seed}.pdf") for seed in (40, 41, 42)]
    files.insert(1, Incoming("gone.pdf", unreadable))
    with pytest.raises(OSError, match="share went away"):
        ingest_many(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no=case_no,
                    files=files, kind=None, actor=clerk)
    assert counts(rt) == before  # no rows, no objects, no spooled files left in tmp


def test_processing_reads_a_document_with_what_its_case_states(rt, clerk, monkeypatch):
    """The reader gets the case's claimant facts, which confirm a doubtful reading of the same
    value (see [case_facts] in labels.toml and tests/unit/test_fields.py). A spy around the real
    reader records them; the reading itself is not replaced."""
    import archive.processing as processing

    seen = []
    real = processing.read_document

    def spy(*args, **kwargs):
        seen.append(kwargs.get("case"))
        return real(*args, **kwargs)

    monkeypatch.setattr(processing, "read_document", spy)
    case_no = factories.make_case(rt, clerk, claimant_name="李秀英", insurance_number="YB3301")
    result = factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=50), kind="invoice")
    with rt.sessions() as session:
        assert session.get_one(Document, result.document_id).status == "processed"
    assert seen == [{"claimant_name": "李秀英", "claimant_id_number": None, "insurance_number": "YB3301"}]
