"""四性检测 (DA/T 70): the authenticity, integrity, usability and security of one case's record.

Run when a case is filed (a failure refuses the filing) and by `archive check-record`; the
report is kept in the audit trail (`records.four_properties`). Each finding is passed (True),
failed (False) or not done (None, with the reason: a virus scan where ClamAV is not installed is
"not scanned", never a silent pass).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.files import sniff
from archive.files.spool import readable_file
from archive.files.validate import Limits, Rejected, inspect_file, pdf_security_revision
from archive.models import ArchiveRecord, AuditEvent, Case, Document, RecordCheckFailure, RecordState
from archive.models.types import utcnow
from archive.records.fixity import measure
from archive.storage import ObjectStore

# Formats kept for the long term. The 数电票's XML is the invoice itself (its legal original), so
# it is on the list beside the page formats.
APPROVED_FORMATS = frozenset({sniff.PDF, sniff.OFD, sniff.JPEG, sniff.PNG, sniff.TIFF, sniff.XML})
REQUIRED_CASE_FIELDS = ("case_no", "claimant_name", "claim_type")
SCAN_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Finding:
    property: str  # authenticity | integrity | usability | security
    check: str
    ok: bool | None  # None: not done (detail says why)
    detail: str = ""
    document_id: int | None = None


@dataclass
class FourPropertyReport:
    case_no: str
    checked_at: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(finding.ok is not False for finding in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.ok is False]

    def as_dict(self) -> dict:
        return {"case_no": self.case_no, "checked_at": self.checked_at, "passed": self.passed,
                "findings": [asdict(finding) for finding in self.findings]}


def check_case(session: Session, store: ObjectStore, case: Case, *, limits: Limits,
               tmp_dir: Path) -> FourPropertyReport:
    report = FourPropertyReport(case.case_no, utcnow().isoformat())
    add = report.findings.append
    missing = [name for name in REQUIRED_CASE_FIELDS if not getattr(case, name)]
    add(Finding("integrity", "metadata", not missing,
                f"missing: {', '.join(missing)}" if missing else "case number, claimant and claim type"))
    documents = list(case.documents)
    add(Finding("integrity", "documents", bool(documents), f"{len(documents)} document(s)"))
    for document in documents:
        _check_document(store, document, limits=limits, tmp_dir=tmp_dir, add=add)
    add(_trail(session, case, documents))
    package = _package(session, case, documents)
    if package is not None:
        add(package)
    numbering = _numbering(session, case)
    if numbering is not None:
        add(numbering)
    return report


def series_gaps(session: Session, fonds_code: str, year: int, retention_code: str) -> list[int]:
    """The item numbers (件号) missing from a series (fonds, year, retention code) between 1 and
    its highest number. A destroyed record keeps its number (its register entry stands for it),
    so only a number never given — or a row removed — is a gap."""
    numbers = set(session.scalars(select(ArchiveRecord.item_number).where(
        ArchiveRecord.fonds_code == fonds_code, ArchiveRecord.archive_year == year,
        ArchiveRecord.retention_code == retention_code, ArchiveRecord.item_number.is_not(None),
        ArchiveRecord.state != RecordState.OPEN)))
    return [n for n in range(1, max(numbers, default=0) + 1) if n not in numbers]


def _numbering(session: Session, case: Case) -> Finding | None:
    """Integrity of a filed record's series: its archive numbers run without gaps."""
    record = session.scalar(select(ArchiveRecord).where(ArchiveRecord.case_id == case.id))
    if record is None or record.state == RecordState.OPEN or record.item_number is None:
        return None
    gaps = series_gaps(session, record.fonds_code, record.archive_year, record.retention_code)
    series = f"{record.fonds_code}-{record.archive_year}-{record.retention_code}"
    shown = ", ".join(map(str, gaps[:20])) + (" …" if len(gaps) > 20 else "")
    return Finding("integrity", "numbering", not gaps,
                   f"{series}: items missing: {shown}" if gaps else f"{series}: no gaps")


def check_record(session: Session, case_no: str, *, actor, store: ObjectStore, limits: Limits,
                 tmp_dir: Path) -> FourPropertyReport:
    """An archivist's check of a case at any time; the report, passed or failed, is kept."""
    require(actor, "records.view")
    case = get_case(session, actor, case_no)
    report = check_case(session, store, case, limits=limits, tmp_dir=tmp_dir)
    record_report(session, case, report, actor=actor)
    return report


def record_report(session: Session, case: Case, report: FourPropertyReport, *, actor) -> None:
    """Keep the report in the trail; a failed one stands (RecordCheckFailure) until one passes."""
    kept = audit.record(session, "records.four_properties", actor=actor, target=case,
                        details=report.as_dict())
    standing = session.get(RecordCheckFailure, case.id)
    if report.passed:
        if standing is not None:
            session.delete(standing)
        return
    if standing is None:
        standing = RecordCheckFailure(case_id=case.id)
        session.add(standing)
    standing.event_id, standing.failures, standing.checked_at = kept.id, len(report.failures), utcnow()


def latest_report(session: Session, case: Case) -> dict | None:
    """The newest report kept for the case (at filing, or by `archive check-record`)."""
    return session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "records.four_properties", AuditEvent.target_type == "case",
        AuditEvent.target_id == case.case_no).order_by(AuditEvent.id.desc()).limit(1))


def _check_document(store: ObjectStore, document: Document, *, limits: Limits, tmp_dir: Path,
                    add) -> None:
    stored = document.stored_object
    if stored.destroyed_at is not None:  # appraised and destroyed: its register entry stands for it
        add(Finding("integrity", "content", None, "destroyed after appraisal", document.id))
        return
    measured = measure(store, stored.store_key)
    if measured is None:
        add(Finding("integrity", "content", False, "the original is missing from the store", document.id))
        return
    add(Finding("integrity", "content", True, stored.store_key, document.id))
    add(Finding("authenticity", "fixity", measured == (stored.sha256, stored.size),
                f"sha256 {measured[0][:12]}…, {measured[1]} bytes (recorded {stored.sha256[:12]}…, "
                f"{stored.size} bytes)", document.id))
    add(Finding("usability", "format", stored.content_type in APPROVED_FORMATS,
                sniff.ACCEPTED.get(stored.content_type, stored.content_type), document.id))
    with readable_file(store, stored.store_key, max_bytes=limits.max_bytes * 4, tmp_dir=tmp_dir) as path:
        try:
            content_type, pages = inspect_file(path, path.stat().st_size, limits)
        except Rejected as refusal:  # encrypted, damaged, a stream bomb: it does not open
            add(Finding("usability", "opens", False, refusal.reason, document.id))
        else:
            add(Finding("usability", "opens", True, f"{pages} page(s)", document.id))
            if content_type == sniff.PDF:
                add(_unencrypted(path, document.id))
            same = content_type == stored.content_type and (
                pages == document.page_count or document.status != "processed")
            add(Finding("authenticity", "metadata", same,
                        f"{sniff.ACCEPTED.get(content_type, content_type)}, {pages} page(s) "
                        f"(recorded {document.page_count})", document.id))
        add(_virus_scan(path, document.id))


def _unencrypted(path: Path, document_id: int) -> Finding:
    """Usability: no encryption (DA/T 70), an owner password alone included — such a PDF opens
    without asking, and was accepted at upload, but stays enciphered."""
    revision = pdf_security_revision(path)
    if revision is None:
        return Finding("usability", "unencrypted", True, "not encrypted", document_id)
    return Finding("usability", "unencrypted", False,
                   f"the PDF is encrypted (an owner password, security handler revision {revision}): "
                   "an archived file may not be; file an unprotected copy", document_id)


def filed_package(documents) -> list[dict]:
    """What a record holds as filed, kept with the filing (`records.filed`): each document with
    its original's sha256 and size."""
    return sorted(({"document_id": d.id, "sha256": d.stored_object.sha256, "size": d.stored_object.size}
                   for d in documents), key=lambda entry: entry["document_id"])


def _package(session: Session, case: Case, documents: list[Document]) -> Finding | None:
    """Authenticity of a filed record: its documents are still the ones filed, each with the same
    original (a document removed, added or pointed at another object since). None before filing."""
    filed = session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "records.filed", AuditEvent.target_type == "case",
        AuditEvent.target_id == case.case_no).order_by(AuditEvent.id.desc()).limit(1))
    if filed is None:
        return None
    if "package" not in filed:
        return Finding("authenticity", "package", None, "not compared: filed before the package was kept")
    then = {entry["document_id"]: (entry["sha256"], entry["size"]) for entry in filed["package"]}
    now = {entry["document_id"]: (entry["sha256"], entry["size"]) for entry in filed_package(documents)}
    missing, added = sorted(set(then) - set(now)), sorted(set(now) - set(then))
    changed = sorted(i for i in set(then) & set(now) if then[i] != now[i])
    problems = [f"{what}: {', '.join(f'#{i}' for i in ids[:20])}" for what, ids in (
        ("missing", missing), ("added", added), ("original changed", changed)) if ids]
    return Finding("authenticity", "package", not problems,
                   "; ".join(problems) if problems else f"{len(then)} document(s) as filed")


def _trail(session: Session, case: Case, documents: list[Document]) -> Finding:
    """The case's own audit events still hash to what the chain recorded (the whole chain is
    verified on its own schedule; this looks at this record's links)."""
    events = session.scalars(select(AuditEvent).where(or_(
        (AuditEvent.target_type == "case") & (AuditEvent.target_id == case.case_no),
        (AuditEvent.target_type == "document") & AuditEvent.target_id.in_([str(d.id) for d in documents]),
    ))).all()
    altered = [event.id for event in events if audit.chain_hash(event) != event.row_hash]
    return Finding("authenticity", "audit_trail", not altered,
                   f"events altered: {altered[:10]}" if altered else f"{len(events)} events intact")


def _virus_scan(path: Path, document_id: int) -> Finding:
    scanner = shutil.which("clamdscan") or shutil.which("clamscan")
    if scanner is None:
        return Finding("security", "virus_scan", None, "not scanned: ClamAV is not installed", document_id)
    try:
        done = subprocess.run([scanner, "--no-summary", str(path)], capture_output=True, text=True,
                              timeout=SCAN_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding("security", "virus_scan", None, f"not scanned: {exc}", document_id)
    if done.returncode == 0:
        return Finding("security", "virus_scan", True, Path(scanner).name, document_id)
    if done.returncode == 1:  # ClamAV: 1 = a virus found
        return Finding("security", "virus_scan", False, done.stdout.strip()[-300:], document_id)
    return Finding("security", "virus_scan", None, f"not scanned: {done.stderr.strip()[-300:]}",
                   document_id)
