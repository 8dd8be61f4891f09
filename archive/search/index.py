"""The search index on disk: a view of the database, rebuilt whenever it cannot be trusted.

All writes go through `index_documents` / `remove_documents` / `rebuild`, which hold one
process-wide lock and Whoosh's own directory lock — never an AsyncWriter. Readers open a new
searcher per query and never wait for a writer.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index

from archive.models import Document, WorkflowInstance, WorkflowStatus
from archive.models.cases import DocumentStatus
from archive.records.masking import mask_text
from archive.search.hiding import PAGE_BREAK, masking_fingerprint
from archive.search.schema import SCHEMA_VERSION, build_schema, fold

log = logging.getLogger(__name__)

VERSION_FILE = "archive_schema.json"
WRITE_TIMEOUT = 30.0  # seconds to wait for the directory lock held by another process
MERGE_AFTER_SEGMENTS = 12
BULK_PROCS_FROM = 2000  # documents; below this a single process is faster than forking
_write_lock = threading.Lock()

_DATE_FIELDS = ("issue_date", "statement_date", "referral_date", "signed_date", "valid_from")
_AMOUNT_FIELDS = ("total_amount", "daily_total")
_CODE_FIELDS = ("invoice_code", "inpatient_number", "agreement_number", "credit_code",
                "provider_code", "buyer_tax_id", "seller_tax_id", "check_code")


class IndexUnavailable(Exception):
    """The index is missing, from another schema version, or unreadable; rebuild it."""


@dataclass
class SearchIndex:
    """An open index and the directory it lives in."""

    path: Path
    whoosh: whoosh_index.Index


def index_status(index_dir: Path) -> dict:
    """For health checks: {"status": "ok" | "missing" | "stale" | "corrupt", ...}."""
    try:
        index = open_index(index_dir)
    except IndexUnavailable as problem:
        return {"status": problem.args[1] if len(problem.args) > 1 else "corrupt",
                "detail": str(problem.args[0])}
    with index.whoosh.searcher() as searcher:
        return {"status": "ok", "documents": searcher.doc_count(),
                "schema_version": SCHEMA_VERSION}


def open_index(index_dir: Path) -> SearchIndex:
    """Open an existing index built with this schema version; IndexUnavailable otherwise."""
    index_dir = Path(index_dir)
    version_file = index_dir / VERSION_FILE
    if not index_dir.is_dir() or not any(index_dir.glob("_MAIN_*.toc")):
        raise IndexUnavailable(f"no index in {index_dir}", "missing")
    try:
        stamp = json.loads(version_file.read_text())
        version = stamp["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexUnavailable(f"no readable {VERSION_FILE} in {index_dir}", "corrupt") from None
    if version != SCHEMA_VERSION:
        raise IndexUnavailable(f"index schema {version}, code expects {SCHEMA_VERSION}", "stale")
    if stamp.get("masking") != masking_fingerprint():  # what is hidden must be found again
        raise IndexUnavailable("index built under other masking rules", "stale")
    failure = None
    # Whoosh leaves the table-of-contents file open when it cannot parse it; the handle is
    # closed when the traceback goes, inside this block, so its ResourceWarning is not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            opened = whoosh_index.open_dir(str(index_dir))
            with opened.searcher() as searcher:
                searcher.doc_count()
        except Exception as error:  # Whoosh raises many kinds on damaged files
            failure = repr(error)
    if failure is not None:
        raise IndexUnavailable(f"index unreadable: {failure}", "corrupt")
    return SearchIndex(index_dir, opened)


def open_or_rebuild(sessions, index_dir: Path) -> SearchIndex:
    """Open the index, rebuilding it from the database first if it cannot be used."""
    try:
        return open_index(index_dir)
    except IndexUnavailable as problem:
        log.warning("search index: %s; rebuilding from the database", problem.args[0])
    with sessions() as session:
        return rebuild(session, index_dir)


def rebuild(session: Session, index_dir: Path, *, procs: int | None = None) -> SearchIndex:
    """Build a fresh index of every processed document beside the old one, then swap it in.

    Searchers open on the old directory keep their files (POSIX); the old copy is removed only
    after the new one is in place, so a failed rebuild leaves the old index untouched.
    """
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    fresh, retired = index_dir.with_name(f"{index_dir.name}.new-{stamp}"), None
    fresh.mkdir()
    with _write_lock:
        try:
            created = whoosh_index.create_in(str(fresh), build_schema())
            from archive.search.marks import current_mark, write_mark

            write_mark(fresh, current_mark(session))  # changes after this are caught up later
            ids = session.scalars(select(Document.id).where(
                Document.status == DocumentStatus.PROCESSED).order_by(Document.id)).all()
            procs = procs or (min(2, os.cpu_count() or 1) if len(ids) >= BULK_PROCS_FROM else 1)
            writer = created.writer(procs=procs, limitmb=128, multisegment=procs > 1) \
                if procs > 1 else created.writer(limitmb=128)
            try:
                for chunk in _chunks(ids, 500):
                    for record in _records(session, chunk):
                        writer.add_document(**record)
                    session.expunge_all()
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            (fresh / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION,
                                                          "masking": masking_fingerprint()}))
            if index_dir.exists():
                retired = index_dir.with_name(f"{index_dir.name}.old-{stamp}")
                index_dir.rename(retired)
            fresh.rename(index_dir)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    log.info("search index rebuilt: %d documents", len(ids))
    return open_index(index_dir)


def index_documents(index: SearchIndex, session: Session, document_ids: Iterable[int]) -> int:
    """Add or replace these documents; ids no longer processed (or gone) are removed.
    Returns how many were (re)indexed."""
    if getattr(index, "name", None) == "postgres":
        from archive.search import pg_index

        return pg_index.index_documents(index, session, document_ids)
    ids = sorted(set(document_ids))
    records = _records(session, ids)
    with _write_lock:
        writer = index.whoosh.writer(timeout=WRITE_TIMEOUT)
        try:
            for record in records:
                writer.update_document(**record)
            for gone in set(map(str, ids)) - {record["document_id"] for record in records}:
                writer.delete_by_term("document_id", gone)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=_merge_due(writer))
    return len(records)


def remove_documents(index: SearchIndex, document_ids: Iterable[int]) -> None:
    """Drop these documents from the index (after they are deleted from the database)."""
    if getattr(index, "name", None) == "postgres":
        from archive.search import pg_index

        return pg_index.remove_documents(index, document_ids)
    with _write_lock:
        writer = index.whoosh.writer(timeout=WRITE_TIMEOUT)
        try:
            for document_id in document_ids:
                writer.delete_by_term("document_id", str(document_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=_merge_due(writer))


def _merge_due(writer) -> bool:
    """Small commits add a segment each; merging on every commit rewrites the small segments
    each time (most of an incremental add's time), so they are merged once enough pile up."""
    return len(writer.segments) >= MERGE_AFTER_SEGMENTS


def reindex_case(index: SearchIndex, session: Session, case_id: int) -> int:
    """Re-index every document of a case, e.g. after its status or claimant changed."""
    ids = session.scalars(select(Document.id).where(Document.case_id == case_id)).all()
    return index_documents(index, session, ids)


def document_text(document: Document) -> str:
    """The text indexed for a document: its pages, one line break apart."""
    return "\n".join(page.text or "" for page in document.pages)


def case_line(case) -> str:
    """The case's own fields, indexed with each of its documents (issue 20 point 5), so typing a
    case number, the claimant's name or their ID number finds the case's documents although no
    page shows them: "AJ-2026-000001 王芳 110101199912246213". It is one more page of the text
    (hiding masks it like any page, so without "identifiers.view" only the shown part of the ID
    is found). An ID that masking does not recognise would stay searchable in full, so it is left
    out (`id:` still finds it for those who may see it). A change to the case is a "case.update"
    event, which re-indexes its documents (archive.search.sync)."""
    parts = [case.case_no, case.claimant_name]
    number = (case.claimant_id_number or "").strip()
    if number and mask_text(number) != number:
        parts.append(number)
    return " ".join(part.strip() for part in parts if part and part.strip())


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _records(session: Session, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    documents = session.scalars(
        select(Document).where(Document.id.in_(ids), Document.status == DocumentStatus.PROCESSED)
        .options(selectinload(Document.pages), selectinload(Document.case))).all()
    steps: dict[int, list[str]] = {}
    for case_id, step in session.execute(
            select(WorkflowInstance.case_id, WorkflowInstance.current_step).where(
                WorkflowInstance.case_id.in_({document.case_id for document in documents}),
                WorkflowInstance.status == WorkflowStatus.ACTIVE)):
        if step:
            steps.setdefault(case_id, []).append(step)
    return [_record(document, steps.get(document.case_id, [])) for document in documents]


def _record(document: Document, steps: list[str]) -> dict:
    fields, case = document.fields or {}, document.case
    first = _first(fields, "payer_name", "patient_name", "signed_by", "buyer_name") or case.claimant_name
    document_date = _first_date(fields)
    record = {
        "document_id": str(document.id), "case_id": case.id, "case_no": fold(case.case_no),
        "text": document_text(document) + "\n" + case_line(case), "kind": fold(document.kind or "other"),
        "status": fold(case.status), "patient_name": fold(first or ""),
        "hospital": fold(_first(fields, "hospital", "provider_name", "to_hospital",
                                 "seller_name") or ""),
        "id_number": fold(_first(fields, "id_number") or case.claimant_id_number or ""),
        "insurance_number": fold(_first(fields, "insurance_number") or case.insurance_number or ""),
        "invoice_number": fold(_first(fields, "invoice_number") or ""),
        "codes": " ".join(fold(str(fields[name])) for name in _CODE_FIELDS if fields.get(name)),
        "step": " ".join(steps),
        "case_opened": _naive_utc(case.created_at),
        "year": str((document_date or case.created_at).year),
        "page_count": document.page_count,
    }
    record["digits"] = record["text"]  # analysed into four-digit grams (schema.digit_grams)
    # Analysed into the positions of masked characters, page by page (archive.search.hiding).
    record["hidden"] = PAGE_BREAK.join([*(page.text or "" for page in document.pages), case_line(case)])
    if document_date is not None:
        record["document_date"] = document_date
    if (amount := _fen(_first(fields, *_AMOUNT_FIELDS))) is not None:
        record["amount_fen"] = amount
    return {name: value for name, value in record.items() if value != ""}


def _first(fields: dict, *names: str):
    return next((fields[name] for name in names if fields.get(name)), None)


def _first_date(fields: dict) -> datetime | None:
    raw = _first(fields, *_DATE_FIELDS)
    try:
        day = raw if isinstance(raw, date) else date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    return None if day is None else datetime(day.year, day.month, day.day)


def _fen(raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int((Decimal(str(raw).replace(",", "")) * 100).to_integral_value())
    except InvalidOperation:
        return None


def _naive_utc(moment: datetime) -> datetime:
    # Whoosh DATETIME stores naive datetimes; ours are UTC.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
