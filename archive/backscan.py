"""Back-scanning historical paper (著录回溯): cases registered from a manifest as filed records.

An archivist scans boxes of old case files and lists them in a manifest (archive.records.manifest).
Each row becomes a case with its original dates, filed directly — no sign-off chain runs for a
case that closed years ago — with its archive number (档号) by the original year, or the old
number where the row gives one, retention counted from the original closing date, and its
volume and box (卷/盒) recorded (ArchiveVolume). The files go through the normal intake
(archive.intake.ingest_many: storage, hashing, the reading jobs, indexing) like any upload.

Every row is checked before anything is written (`prepare`). A row is then registered in three
steps, each its own transaction: open the case and its volume row (keyed by the row's
idempotency key), take the files in, file the case. A run stopped anywhere is resumed by
running the manifest again: a filed volume is skipped, a pending one goes on from where it
stopped (files already in the case are recognised by their sha256 and not added twice).

A module of its own, not part of records or intake: it builds on both, and records (the case
guard, filing) sits below intake (tests/unit/test_import_layers.py).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from archive import audit
from archive.access import NotFound
from archive.auth import require
from archive.follow_ups import follow_up
from archive.intake import Incoming, Rejected, ingest_many
from archive.models import ArchiveRecord, ArchiveVolume, BackscanRun, Case, RecordState, User, VolumeState
from archive.models.sequences import NumberSequence, next_in_sequence
from archive.models.types import utcnow
from archive.records.errors import RecordCheckFailed, _
from archive.records.four_properties import check_case, filed_package, record_report
from archive.records.manifest import CaseRow, RowError, check_rows, read_table
from archive.retention import CHINA, RecordClass, retention_ends_on, schedule

PERMISSION = "records.backscan"
FILED_STATUS = "filed"  # Case.status of a case registered by back-scanning
TRAILING_NUMBER = re.compile(r"(\d+)\D*$")


@dataclass
class Prepared:
    rows: list[CaseRow]  # the good rows, in the order they will be registered
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def prepare(session: Session, actor, *, manifest_name: str, content: bytes, folder: Path,
            limits) -> Prepared:
    """Read and check every row of a manifest; nothing is written."""
    require(actor, PERMISSION)
    good, errors = check_rows(read_table(manifest_name, content), folder, limits)
    errors.extend(_against_archive(session, good))
    bad = {error.row for error in errors}
    # Rows keeping an old number first: they move each series' counter past the old numbers,
    # so the numbers given to the other rows of the series do not collide with them.
    rows = sorted((row for row in good if row.row not in bad), key=lambda r: r.original_no is None)
    return Prepared(rows, sorted(errors, key=lambda e: (e.row, e.column)))


def _against_archive(session: Session, rows: list[CaseRow]) -> list[RowError]:
    """Old numbers already used by another record, or by another row, are refused."""
    errors = []
    ours = set(session.scalars(select(ArchiveVolume.key).where(
        ArchiveVolume.key.in_([row.key for row in rows]))))
    items: dict[tuple, int] = {}
    for row in rows:
        if not row.original_no or row.key in ours:
            continue
        item = trailing_item(row.original_no)
        series = (row.fonds_code, row.year, row.retention_code, item)
        holder = session.scalar(select(Case.case_no).join(ArchiveRecord, ArchiveRecord.case_id == Case.id)
                                .where((ArchiveRecord.archive_no == row.original_no) | (
                                    (ArchiveRecord.fonds_code == row.fonds_code)
                                    & (ArchiveRecord.archive_year == row.year)
                                    & (ArchiveRecord.retention_code == row.retention_code)
                                    & (ArchiveRecord.item_number == item))).limit(1))
        if holder is not None:
            errors.append(RowError.of(row.row, "原档号",
                                      _("%(number)s: number already held by case %(case)s"),
                                      number=row.original_no, case=holder))
        elif item is not None and series in items:
            errors.append(RowError.of(row.row, "原档号",
                                      _("%(number)s: item %(item)s of this series is also on row %(row)s"),
                                      number=row.original_no, item=item, row=items[series]))
        else:
            items[series] = row.row
    return errors


def trailing_item(original_no: str) -> int | None:
    """The item number (件号) an old archive number ends with, e.g. 12 in "F001-2015-D10-0012"."""
    found = TRAILING_NUMBER.search(original_no)
    return int(found.group(1)) if found else None


def start_run(session: Session, actor, *, manifest_name: str, folder: Path,
              prepared: Prepared) -> BackscanRun:
    """Record a run of checked rows; refuses a manifest with any bad row."""
    require(actor, PERMISSION)
    if not prepared.ok:
        raise Rejected(f"{len(prepared.errors)} problem(s) in the manifest; nothing was written",
                       code="invalid_manifest")
    run = BackscanRun(manifest_name=manifest_name[:255], folder=str(folder),
                      rows=[row.as_json() for row in prepared.rows], total=len(prepared.rows),
                      started_by_id=actor.id)
    session.add(run)
    session.flush()
    audit.record(session, "backscan.started", actor=actor, target=run, details={
        "manifest": run.manifest_name, "folder": run.folder, "rows": run.total})
    return run


@dataclass(frozen=True)
class RowOutcome:
    row: int
    case_no: str
    archive_no: str
    skipped: bool  # filed by an earlier run


def run_backscan(runtime, run_id: int, *,
                 progress: Callable[[RowOutcome], None] | None = None) -> BackscanRun:
    """Register every row of a run, in order; a filed row is skipped. Processing of the
    documents and the store's protection follow each row's commit (archive.follow_ups)."""
    with runtime.sessions() as session:
        run = session.get_one(BackscanRun, run_id)
        rows, folder = [CaseRow.from_json(data) for data in run.rows], Path(run.folder)
        actor = session.get_one(User, run.started_by_id)
        session.expunge(actor)
    try:
        for row in rows:
            outcome = register_row(runtime, row, folder=folder, run_id=run_id, actor=actor)
            if progress is not None:
                progress(outcome)
    except BaseException as exc:
        _finish(runtime, run_id, actor, error=_reason(exc))
        raise
    return _finish(runtime, run_id, actor)


def register_row(runtime, row: CaseRow, *, folder: Path, run_id: int | None, actor) -> RowOutcome:
    """One manifest row: the case and its volume, its files, its filing (see the module doc)."""
    with runtime.sessions.begin() as session:
        volume = session.scalar(select(ArchiveVolume).where(ArchiveVolume.key == row.key))
        if volume is None:
            volume = _open(session, row, run_id=run_id, actor=actor)
        case_no = session.get_one(Case, volume.case_id).case_no
        if volume.state == VolumeState.FILED:
            record = session.scalar(select(ArchiveRecord).where(ArchiveRecord.case_id == volume.case_id))
            _count(session, run_id, skipped=True)
            return RowOutcome(row.row, case_no, record.archive_no, True)
    outcomes = ingest_many(runtime.sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                           case_no=case_no, files=[Incoming.from_path(folder / name) for name in row.files],
                           kind=None, actor=actor, permission=PERMISSION)
    refused = [o for o in outcomes if isinstance(o, Rejected)]
    if refused:  # changed on disk since the check; the case waits, pending, for a resume
        raise Rejected(f"row {row.row}: {refused[0].reason}", code="invalid_file")
    with runtime.sessions.begin() as session:
        volume = session.scalar(select(ArchiveVolume).where(ArchiveVolume.key == row.key))
        record = _file(session, runtime, volume, row, actor=actor)
        _count(session, run_id, skipped=False)
        # Protected in the store once the row is filed (intake asked for the reading already).
        follow_up(session, "protect_case", volume.case_id)
    return RowOutcome(row.row, case_no, record.archive_no, False)


def _open(session: Session, row: CaseRow, *, run_id: int | None, actor) -> ArchiveVolume:
    require(actor, PERMISSION)
    number = next_in_sequence(session, f"case-{row.opened_on.year}")
    opened_at = datetime.combine(row.opened_on, time(9), tzinfo=CHINA)
    case = Case(case_no=f"AJ-{row.opened_on.year}-{number:06d}", claimant_name=row.claimant,
                claimant_id_number=row.id_number, claim_type=row.claim_type, status=FILED_STATUS,
                created_by_id=actor.id, created_at=opened_at, updated_at=utcnow())
    session.add(case)
    session.flush()
    volume = ArchiveVolume(key=row.key, run_id=run_id, row_number=row.row, case_id=case.id,
                           fonds_code=row.fonds_code, archive_year=row.year,
                           retention_code=row.retention_code, original_no=row.original_no,
                           title=row.title, box_no=row.box_no, pages=row.pages,
                           opened_on=row.opened_on, closed_on=row.closed_on, files=row.files)
    session.add(volume)
    session.flush()
    audit.record(session, "case.create", actor=actor, target=case, details={
        "claim_type": row.claim_type, "backscan": row.key, "row": row.row,
        "opened_on": row.opened_on.isoformat(), "closed_on": row.closed_on.isoformat(),
        "box_no": row.box_no, "pages": row.pages})
    return volume


def _file(session: Session, runtime, volume: ArchiveVolume, row: CaseRow, *, actor) -> ArchiveRecord:
    """File the case as the archive held it: number by the original year (or the old number),
    retention from the original closing day. The four-property check must pass first."""
    case = session.get_one(Case, volume.case_id)
    check = check_case(session, runtime.store, case, limits=runtime.limits, tmp_dir=runtime.tmp_dir)
    if not check.passed:
        raise RecordCheckFailed(_("Row %(row)s (%(case_no)s) is not filed: its four-property check "
                                  "failed (%(failures)s)."), row=row.row, case_no=case.case_no,
                                failures="; ".join(f"{f.property} {f.check}: {f.detail}"
                                                   for f in check.failures))
    record_report(session, case, check, actor=actor)
    plan, chosen = schedule(), class_for(row)
    series = f"archive:{row.fonds_code}:{row.year}:{row.retention_code}"
    if row.original_no:
        item = trailing_item(row.original_no)
        if item is not None:
            _raise_sequence(session, series, item)
        archive_no = row.original_no
    else:
        item = next_in_sequence(session, series)
        archive_no = plan.separator.join([row.fonds_code, str(row.year), row.retention_code,
                                          chosen.department_code, f"{item:0{plan.item_digits}d}"])
    record = ArchiveRecord(
        case=case, record_class=chosen.code, access_grade=chosen.access_grade,
        state=RecordState.ARCHIVED, closed_on=row.closed_on, archive_no=archive_no,
        fonds_code=row.fonds_code, archive_year=row.year, retention_code=row.retention_code,
        department_code=chosen.department_code, item_number=item,
        retention_years=row.retention_years,
        retention_ends_on=retention_ends_on(row.closed_on, row.retention_years),
        archived_at=utcnow(), archived_by_id=actor.id)
    session.add(record)
    volume.state, volume.filed_at = VolumeState.FILED, utcnow()
    session.flush()
    audit.record(session, "records.filed", actor=actor, target=case, details={
        "archive_no": archive_no, "record_class": chosen.code, "closed_on": row.closed_on.isoformat(),
        "retention": row.retention_code, "retention_ends_on": _iso(record.retention_ends_on),
        "backscan": row.key, "box_no": row.box_no, "original_no": row.original_no,
        "package": filed_package(case.documents)})
    return record


def class_for(row: CaseRow) -> RecordClass:
    """The first class for the row's claim type with the row's retention; else the class the
    schedule gives the claim type (the row's own retention still counts)."""
    plan = schedule()
    for record_class in plan.classes:
        if (row.claim_type in record_class.claim_types and not record_class.document_kinds
                and record_class.retention_years == row.retention_years):
            return record_class
    return plan.classify(row.claim_type, [])


def recent_runs(session: Session, actor, *, limit: int = 20) -> list[BackscanRun]:
    require(actor, PERMISSION)
    return list(session.scalars(select(BackscanRun).order_by(BackscanRun.id.desc()).limit(limit)))


def get_run(session: Session, actor, run_id: int) -> BackscanRun:
    require(actor, PERMISSION)
    run = session.get(BackscanRun, run_id)
    if run is None:
        raise NotFound(f"no back-scanning run {run_id}")
    return run


def progress_of(run: BackscanRun) -> dict:
    return {"id": run.id, "status": run.status, "total": run.total, "done": run.done,
            "skipped": run.skipped, "error": run.error,
            "percent": round(100 * run.done / run.total) if run.total else 100}


def server_folders(settings) -> list[Path]:
    """The folders on the server an administrator opened for back-scanning (`backscan.folders`
    in the configuration: a list, or paths joined by the OS path separator)."""
    folders = settings.get("backscan.folders") or []
    if isinstance(folders, str):
        folders = [part for part in folders.split(":") if part.strip()]
    return [Path(folder) for folder in folders]


def server_folder(settings, chosen: str) -> Path:
    """One of the configured folders, by its exact path; anything else is refused."""
    for folder in server_folders(settings):
        if str(folder) == chosen and folder.is_dir():
            return folder
    raise Rejected("that folder is not one the administrator opened for back-scanning",
                   code="invalid_folder", status=400)


def stage_upload(root: Path, files: Iterable[tuple[str, BinaryIO]]) -> Path:
    """Uploaded scans kept under `root` by their relative names (a browser's folder upload
    sends "scans/box1/case.pdf"), for the run's job to read; a name leaving the folder is refused."""
    folder = root / f"upload-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        for name, stream in files:
            parts = [p for p in PurePosixPath((name or "").replace("\\", "/")).parts
                     if p not in ("", ".", "/")]
            if not parts or ".." in parts:
                raise Rejected(f"file name {name!r} is not a path inside the upload",
                               code="invalid_file", status=400)
            target = folder.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def upload_root(folder: Path, manifest_name: str, content: bytes) -> Path:
    """Where the manifest's paths start in a staged upload. A browser's folder picker names each
    file under the chosen folder ("scans/box1/a.pdf") while a manifest lists paths inside it
    ("box1/a.pdf"): when the upload is one folder and more of the manifest's files are found
    inside it than beside it, the paths start there."""
    entries = list(folder.iterdir())
    if len(entries) != 1 or not entries[0].is_dir():
        return folder
    try:
        rows = read_table(manifest_name, content)
    except Rejected:
        return folder  # prepare() says what is wrong with it
    paths = [part.strip() for _number, values in rows
             for part in re.split(r"[;；]", values.get("files", "")) if part.strip()]

    inside = [relative for path in paths
              if not (relative := PurePosixPath(path.replace("\\", "/"))).is_absolute()
              and ".." not in relative.parts]

    def found(root: Path) -> int:
        return sum((root / relative).is_file() for relative in inside)

    return entries[0] if found(entries[0]) > found(folder) else folder


def discard_upload(folder: Path) -> None:
    """Remove scans staged for a manifest that was refused (nothing refers to them)."""
    shutil.rmtree(folder, ignore_errors=True)


def _raise_sequence(session: Session, name: str, value: int) -> None:
    """Move a series' counter up to an old number kept, so new numbers follow it."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(NumberSequence).values(name=name, last_value=0)
                    .on_conflict_do_nothing(index_elements=["name"]))
    session.execute(update(NumberSequence).where(NumberSequence.name == name,
                                                 NumberSequence.last_value < value)
                    .values(last_value=value))


def _count(session: Session, run_id: int | None, *, skipped: bool) -> None:
    if run_id is None:
        return
    values = {"done": BackscanRun.done + 1}
    if skipped:
        values["skipped"] = BackscanRun.skipped + 1
    session.execute(update(BackscanRun).where(BackscanRun.id == run_id).values(**values))


def _finish(runtime, run_id: int, actor, *, error: str | None = None) -> BackscanRun:
    with runtime.sessions.begin() as session:
        run = session.get_one(BackscanRun, run_id)
        run.status, run.error, run.finished_at = ("failed" if error else "finished"), error, utcnow()
        audit.record(session, "backscan.finished", actor=actor, target=run, details={
            "rows": run.total, "done": run.done, "skipped": run.skipped, "error": error})
        session.flush()
        session.expunge(run)
    return run


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return (getattr(exc, "reason", None) or str(exc) or type(exc).__name__)[:1000]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
