"""Every way a document comes in asks for its reading the same way: the intake service asks for
it on its session (archive.follow_ups.follow_up), and the one after-commit helper hands it to
the queue once the upload has committed. The desk, the API, `archive ingest`, back-scanning and
an e-invoice upload cannot differ, and an upload that rolls back queues nothing."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select

from archive import backscan, follow_ups
from archive.cli import cli
from archive.config import REPO_ROOT
from archive.models import Document
from archive.queue import InlineQueue
from tests import factories
from tests.fixtures.einvoices import digital_invoice_xml
from tests.integration.test_backscan import csv_bytes, rows_for, scans


@pytest.fixture
def queued(runtime, monkeypatch):
    """Each job handed to any in-process queue (this runtime's and the CLI's), with whether the
    document it names was already committed when it was handed over. Nothing runs."""
    handed: list[tuple[str, tuple[int, ...], bool]] = []

    def submit(queue, job: str, *args: int) -> None:
        with queue.runtime.sessions() as session:  # a new session sees committed rows only
            committed = job != "process_document" or session.get(Document, args[0]) is not None
        handed.append((job, args, committed))

    monkeypatch.setattr(InlineQueue, "submit", submit)
    return handed


def readings(handed) -> list[tuple[int, bool]]:
    return [(args[0], committed) for job, args, committed in handed if job == "process_document"]


def document_ids(runtime) -> list[int]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Document.id).order_by(Document.id)))


def test_a_desk_upload_is_read_after_it_commits(client, runtime, users, queued):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    response = client.post(f"/cases/{case_no}/documents", headers={
        "X-CSRFToken": factories.csrf_from(page), "X-Requested-With": "fetch"},
        data={"files": [(io.BytesIO(factories.invoice_pdf(seed=1)), "a.pdf"),
                        (io.BytesIO(factories.invoice_pdf(seed=2)), "b.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert readings(queued) == [(document_id, True) for document_id in document_ids(runtime)]
    assert len(queued) >= 2


@pytest.mark.parametrize("content,filename", [
    (lambda: factories.invoice_pdf(seed=3), "票据.pdf"),
    (lambda: digital_invoice_xml(), "数电票.xml"),  # an e-invoice comes in the same way
])
def test_an_api_upload_is_read_after_it_commits(client, runtime, users, queued, content, filename):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    token = factories.api_token(runtime, users["intake_clerk"])
    response = client.post(f"/api/cases/{case_no}/documents",
                           headers={"Authorization": f"Bearer {token}"},
                           data={"files": [(io.BytesIO(content()), filename)]},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    [document_id] = document_ids(runtime)
    assert readings(queued) == [(document_id, True)]


def test_archive_ingest_is_read_after_it_commits(runtime, environ, monkeypatch, tmp_path, queued):
    for name, value in environ.items():  # the command builds its own runtime, on the same data
        monkeypatch.setenv(name, value)
    (tmp_path / "发票.pdf").write_bytes(factories.invoice_pdf(seed=4))
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "发票.pdf"), "--kind", "invoice"])
    assert result.exit_code == 0, result.output
    [document_id] = document_ids(runtime)
    assert readings(queued) == [(document_id, True)]


def test_a_back_scanned_volume_is_read_after_it_commits(runtime, users, tmp_path, queued):
    folder = tmp_path / "scans"
    actor = users["archivist"]
    with runtime.sessions.begin() as session:
        content = csv_bytes(rows_for(scans(folder, 4)))
        prepared = backscan.prepare(session, actor, manifest_name="m.csv", content=content,
                                    folder=folder, limits=runtime.limits)
        run_id = backscan.start_run(session, actor, manifest_name="m.csv", folder=folder,
                                    prepared=prepared).id
    backscan.run_backscan(runtime, run_id)
    assert sorted(readings(queued)) == [(document_id, True) for document_id in document_ids(runtime)]
    assert len(readings(queued)) == 4


def test_an_upload_that_rolls_back_queues_nothing(runtime, users, queued):
    case_no = factories.make_case(runtime, users["intake_clerk"])

    def fail(session):
        if session.info.get(follow_ups.KEY):  # the upload, after it asked for its reading
            raise RuntimeError("the commit fails")

    event.listen(runtime.sessions, "before_commit", fail)
    with pytest.raises(RuntimeError, match="the commit fails"):
        factories.upload(runtime, users["intake_clerk"], case_no, factories.invoice_pdf(seed=5))
    event.remove(runtime.sessions, "before_commit", fail)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert readings(queued) == []


def test_only_the_after_commit_helper_hands_documents_to_the_queue():
    """No entry point enqueues a reading itself: `enqueue_processing` is the queue's own, called
    by its after-commit hand-over and its sweep."""
    callers = []
    for path in sorted((REPO_ROOT / "archive").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "enqueue_processing":
                callers.append(str(Path(path).relative_to(REPO_ROOT)))
    assert sorted(set(callers)) == ["archive/queue.py"]


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
