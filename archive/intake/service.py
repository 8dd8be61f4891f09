"""Accepting files into a case: each accepted file is all or nothing.

Steps: spool each stream to disk while hashing → inspect type, size and pages (a file refused
here is reported and the others go on) → store the originals not stored yet under their sha256,
made durable together → add the database rows and the audit events in one transaction. If the
transaction fails, the objects it stored are removed again; `reconcile` reports anything a crash
left behind. One file is a batch of one; the CLI, scanner uploads and the browser send batches,
so the fsyncs and the transaction are shared (a group commit) instead of paid per file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.errors import _
from archive.files.filenames import safe_filename, visible_original
from archive.files.spool import SpooledFile, spool
from archive.files.validate import Limits, Rejected, inspect_file
from archive.follow_ups import follow_up
from archive.models import Case, Document, StoredObject
from archive.models.cases import DOCUMENT_KINDS, DocumentStatus
from archive.records.case_guard import ensure_changeable
from archive.storage import ObjectStore, PutItem, key_for_sha256
from archive.workflows import content_changed


@dataclass(frozen=True)
class IntakeResult:
    document_id: int
    case_no: str
    status: str
    # None, "same_case" (already in this case: nothing added) or "other_case" (linked)
    duplicate: str | None
    filename: str = ""  # the upload's safe name (files.filenames), to show in place of the sent one

    @property
    def needs_processing(self) -> bool:
        return self.duplicate != "same_case"


@dataclass(frozen=True)
class Incoming:
    """One file offered for intake: the name it was sent with and how to open its bytes."""

    filename: str | None
    open: Callable[[], AbstractContextManager[BinaryIO]]

    @classmethod
    def from_path(cls, path: Path) -> Incoming:
        # Unbuffered: spooling reads in chunks of its own, so a buffer would only copy them.
        return cls(path.name, lambda: open(path, "rb", buffering=0))

    @classmethod
    def from_stream(cls, stream: BinaryIO, filename: str | None) -> Incoming:
        return cls(filename, lambda: nullcontext(stream))


@dataclass(frozen=True)
class _Accepted:
    position: int
    filename: str | None
    spooled: SpooledFile
    content_type: str
    pages: int


def ingest(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
           tmp_dir: Path, case_no: str, stream: BinaryIO, filename: str | None,
           kind: str | None, actor) -> IntakeResult:
    """Accept one upload into case `case_no`; raises Rejected, NotFound or Forbidden."""
    [outcome] = ingest_many(sessions, store, limits, tmp_dir=tmp_dir, case_no=case_no,
                            files=[Incoming.from_stream(stream, filename)], kind=kind, actor=actor)
    if isinstance(outcome, Rejected):
        raise outcome
    return outcome


def ingest_many(sessions: sessionmaker[Session], store: ObjectStore, limits: Limits, *,
                tmp_dir: Path, case_no: str, files: Sequence[Incoming], kind: str | None,
                actor, permission: str = "document.upload") -> list[IntakeResult | Rejected]:
    """Accept `files` into case `case_no`: one outcome per file, in order.

    A file refused on inspection gets its Rejected in its place and does not stop the others.
    The accepted ones are committed together, and their reading is asked for in the same
    transaction (archive.follow_ups): callers queue nothing themselves. A refusal that concerns
    the case (unknown, forbidden, held, filed) or a failure of the commit is raised and leaves
    nothing behind.
    `permission` names the right asked for: back-scanning (archive.backscan) takes
    historical files in under the archivist's own right, through this same path.
    """
    require(actor, permission)
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise Rejected(_("unknown document kind %(kind)s; one of %(known)s"), code="invalid_kind",
                       status=400, kind=repr(kind), known=", ".join(DOCUMENT_KINDS))
    case_id = _changeable_case_id(sessions, actor, case_no)  # refused before any file is read
    outcomes: list[IntakeResult | Rejected | None] = [None] * len(files)
    accepted: list[_Accepted] = []
    try:
        for position, incoming in enumerate(files):
            prepared = _spool_and_inspect(position, incoming, limits, tmp_dir)
            if isinstance(prepared, Rejected):
                outcomes[position] = prepared
            else:
                accepted.append(prepared)
        if accepted:
            results = _record(sessions, store, accepted, case_id=case_id, kind=kind, actor=actor)
            for item, result in zip(accepted, results, strict=True):
                outcomes[item.position] = result
    finally:
        for item in accepted:
            item.spooled.discard()
    return [outcome for outcome in outcomes if outcome is not None]


def to_process(outcomes: list[IntakeResult | Rejected]) -> list[int]:
    """The documents of a batch that the processing jobs still have to read."""
    return [outcome.document_id for outcome in outcomes
            if isinstance(outcome, IntakeResult) and outcome.needs_processing]


def _changeable_case_id(sessions, actor, case_no: str) -> int:
    with sessions() as session:
        case = get_case(session, actor, case_no)
        # Checked again under the case's lock; this spares spooling files for a refused case.
        ensure_changeable(session, case, action="document.upload", lock=False)
        return case.id


def _spool_and_inspect(position: int, incoming: Incoming, limits: Limits,
                       tmp_dir: Path) -> _Accepted | Rejected:
    try:
        with incoming.open() as stream:
            spooled = spool(stream, max_bytes=limits.max_bytes, tmp_dir=tmp_dir)
        try:
            content_type, pages = inspect_file(spooled.path, spooled.size, limits,
                                               content=spooled.content)
        except BaseException:
            spooled.discard()
            raise
        spooled.content = None  # a batch waits for its commit on disk, not in memory
    except Rejected as refusal:
        return refusal
    return _Accepted(position, incoming.filename, spooled, content_type, pages)


def _record(sessions, store: ObjectStore, accepted: list[_Accepted], *, case_id: int,
            kind: str | None, actor) -> list[IntakeResult]:
    stored_here: list[str] = []  # keys this upload stored, removed again if it fails
    try:
        for attempt in (1, 2):
            try:
                return _record_once(sessions, store, accepted, stored_here, case_id=case_id,
                                    kind=kind, actor=actor)
            except IntegrityError:
                # The same bytes were committed by a concurrent upload; the retry links to them.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    except BaseException:
        _remove_if_unreferenced(sessions, store, stored_here)
        raise


def _record_once(sessions, store: ObjectStore, accepted: list[_Accepted], stored_here: list[str], *,
                 case_id: int, kind: str | None, actor) -> list[IntakeResult]:
    with sessions.begin() as session:
        case = session.get_one(Case, case_id)
        # Checked again under the case's lock (held to the commit): a hold placed since the
        # first check is seen, and none can be placed before this upload commits.
        ensure_changeable(session, case, action="document.upload")
        object_ids, restored = _store_objects(session, store, accepted, stored_here)
        holders = _holders(session, object_ids)
        # Each item's document: an earlier one of this case holding the same bytes, or a new one.
        new_rows: list[dict] = []
        in_case: dict[str, int | dict] = {}
        for item in accepted:
            sha256 = item.spooled.sha256
            if sha256 not in in_case:
                held = holders.get(sha256, [])
                same_case = next((d.id for d in held if d.case_id == case.id), None)
                in_case[sha256] = same_case or _document_row(item, case_id=case.id,
                                                             object_id=object_ids[sha256], kind=kind,
                                                             earlier=held[0].id if held else None,
                                                             actor=actor)
                if same_case is None:
                    new_rows.append(in_case[sha256])
        # Rows written directly, not through the unit of work: a batch of 64 documents costs a
        # third of the time, and nothing else in this transaction reads them as objects.
        if new_rows:
            # Mapped back by object (one new document per content in a batch), not by row
            # order: a RETURNING in parameter order is sent row by row on SQLite.
            documents = Document.__table__
            ids = dict(session.execute(insert(documents).returning(documents.c.object_id,
                                                                   documents.c.id),
                                       new_rows).all())
            for row in new_rows:
                row["id"] = ids[row["object_id"]]
            # A document added after sign-off sends the chain back (before the audit events:
            # the audit chain lock stays the last lock the transaction takes).
            content_changed(session, case, actor=actor,
                            reason=_added_reason([row["filename"] for row in new_rows]))
        events = [("object.restored", stored, {"sha256": stored.sha256}) for stored in restored]
        results, recorded = [], set()
        for item in accepted:
            document = in_case[item.spooled.sha256]
            if isinstance(document, dict) and document["id"] not in recorded:
                recorded.add(document["id"])
                events.append(("document.upload", audit.Ref("document", document["id"]), {
                    "case_no": case.case_no, "filename": document["filename"],
                    "sha256": item.spooled.sha256, "size": item.spooled.size,
                    "content_type": item.content_type, "pages": item.pages, "kind": kind,
                    "duplicate_of": document["duplicate_of_id"]}))
                duplicate = "other_case" if document["duplicate_of_id"] else None
                results.append(IntakeResult(document["id"], case.case_no, DocumentStatus.RECEIVED,
                                            duplicate, document["filename"]))
            else:
                document_id = document["id"] if isinstance(document, dict) else document
                name = safe_filename(item.filename, item.content_type)
                events.append(("document.upload_duplicate", audit.Ref("document", document_id),
                               {"case_no": case.case_no, "filename": name}))
                results.append(IntakeResult(document_id, case.case_no, _status(session, document_id),
                                            "same_case", name))
        audit.record_many(session, events, actor=actor)
        # Read once this commits, whoever uploaded (desk, API, CLI, back-scan, demo): the one
        # after-commit helper hands the documents to the jobs, and a rollback hands over nothing.
        for document_id in to_process(results):
            follow_up(session, "process_document", document_id)
        return results


def _document_row(item: _Accepted, *, case_id: int, object_id: int, kind: str | None,
                  earlier: int | None, actor) -> dict:
    return {"case_id": case_id, "object_id": object_id, "kind": kind,
            "original_filename": visible_original(item.filename),
            "filename": safe_filename(item.filename, item.content_type),
            "content_type": item.content_type, "page_count": item.pages,
            "duplicate_of_id": earlier, "uploaded_by_id": actor.id}


def _status(session: Session, document_id: int) -> str:
    return session.scalar(select(Document.status).where(Document.id == document_id))


def _store_objects(session: Session, store: ObjectStore, accepted: list[_Accepted],
                   stored_here: list[str]) -> tuple[dict[str, int], list[StoredObject]]:
    """The stored object's id for each sha256 in the batch, storing (durably, together) the bytes
    the store does not hold yet, and the objects healed by this upload. Keys this call stores are
    added to `stored_here` before the store is written, so the caller can remove them if
    anything fails; a key already there was stored by an earlier attempt of this upload and is
    not written again."""
    shas = {item.spooled.sha256 for item in accepted}
    found = {stored.sha256: stored for stored in session.scalars(
        select(StoredObject).where(StoredObject.sha256.in_(shas)))}
    puts: list[PutItem] = []
    new_rows: list[dict] = []
    restored: list[StoredObject] = []
    for item in _first_of_each_content(accepted):
        sha256, spooled = item.spooled.sha256, item.spooled
        stored = found.get(sha256)
        if stored is None:
            # Content-addressed: rewriting a key that a crash left behind stores the same bytes.
            key = key_for_sha256(sha256)
            new_rows.append({"sha256": sha256, "size": spooled.size, "store_key": key,
                             "content_type": item.content_type})
            if key not in stored_here:
                stored_here.append(key)
                # The spooled file is renamed into a local store rather than copied.
                puts.append(PutItem(key, spooled.path, item.content_type, spooled.size, movable=True))
        elif stored.destroyed_at is not None or not store.exists(stored.store_key):
            # The original was lost from the store, or destroyed with another case: the same
            # bytes heal it and are kept again for this one.
            stored.destroyed_at = None
            restored.append(stored)
            puts.append(PutItem(stored.store_key, spooled.path, item.content_type, spooled.size))
    store.put_files(puts)
    object_ids = {sha256: stored.id for sha256, stored in found.items()}
    if new_rows:
        objects = StoredObject.__table__
        object_ids.update(session.execute(insert(objects).returning(objects.c.sha256, objects.c.id),
                                          new_rows).all())
    return object_ids, restored


def _first_of_each_content(accepted: list[_Accepted]) -> list[_Accepted]:
    firsts: dict[str, _Accepted] = {}
    for item in accepted:
        firsts.setdefault(item.spooled.sha256, item)
    return list(firsts.values())


def _holders(session: Session, object_ids: dict[str, int]) -> dict[str, list[Document]]:
    """Documents already holding each stored object, oldest first."""
    sha_of = {object_id: sha256 for sha256, object_id in object_ids.items()}
    holders: dict[str, list[Document]] = {}
    for document in session.scalars(select(Document).where(Document.object_id.in_(sha_of))
                                    .order_by(Document.id)):
        holders.setdefault(sha_of[document.object_id], []).append(document)
    return holders


def _added_reason(names: list[str]) -> str:
    if len(names) == 1:
        return f"document added: {names[0]}"
    shown = ", ".join(names[:5])
    return f"{len(names)} documents added: {shown}" + (", …" if len(names) > 5 else "")


def _remove_if_unreferenced(sessions, store: ObjectStore, keys: list[str]) -> None:
    if not keys:
        return
    with sessions() as session:
        referenced = set(session.scalars(select(StoredObject.store_key)
                                         .where(StoredObject.store_key.in_(keys))))
    for key in keys:
        if key not in referenced:
            store.delete(key)
