"""The complete case file for auditors, as a BagIt bag (RFC 8493) in a zip.

Layout of the payload (`data/`):
  case.json               the case, its documents (sha256, pages, kind) and the export's facts
  originals/              every original as received, named <document id>-<file name>
  audit/events.jsonl      the case's audit events with their chain hashes, oldest first
  audit/chain.json        the head of the whole chain at export time, to check against later
  records.json            the retention and hold record: class, archive number (档号), retention,
                          every legal hold (lifted ones too), appraisals and any destruction
  documents/<id>.json     per document: its kind, the fields in force, where each was read, every
                          correction (machine value, new value, who, when, why), the checks, and
                          every page's text with its source (text layer or OCR) and confidence
  workflow.json           every sign-off chain the case ran, each sign-off (who, role, when,
                          decision, opinion, findings, the sha256 of the case content signed),
                          spot-check re-check findings, and the case content now with its sha256,
                          so a signature can be checked against the case offline
Originals are streamed from the store to disk and from disk into the zip: memory stays flat.

An exporter without "identifiers.view" gets ID and phone numbers masked in every JSON file and
no originals (a scan cannot be masked; case.json still lists each one with its sha256); the
bag-info field `Identifiers` says which it is (`full` or `masked`). Under a loan (借阅) the
export event names the loan.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import bagit
from sqlalchemy import select

from archive import audit
from archive.access import get_case, loan_details
from archive.auth import require
from archive.cases import case_history
from archive.files.validate import Limits
from archive.models import ArchiveRecord, RecheckOutcome, RecordState, SignOff, WorkflowInstance
from archive.models.types import utcnow
from archive.records.errors import RecordCheckFailed, _
from archive.records.four_properties import check_case, latest_report, record_report
from archive.records.masking import mask, may_see_identifiers
from archive.records.summary import retention_record
from archive.workflows.content import case_content, content_sha256


class BagInvalid(Exception):
    """The bag does not validate; the message says what is wrong."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    documents: int
    bytes: int


def export_case(sessions, store, *, user, case_no: str, output: Path, limits: Limits,
                tmp_dir: Path) -> ExportResult:
    """Write the case file of `case_no` to the zip `output`; the export is an audit event. A
    filed record is checked (四性检测) again first, within `limits` and spooling in `tmp_dir`, and
    the report kept: a failed one refuses the export."""

    require(user, "case.export")
    _check_before_export(sessions, store, user, case_no, limits, tmp_dir)
    full = may_see_identifiers(user)
    shown = (lambda value: value) if full else mask
    with tempfile.TemporaryDirectory(prefix="export-") as tmp:
        bag_dir = Path(tmp) / case_no
        (bag_dir / "originals").mkdir(parents=True)
        (bag_dir / "audit").mkdir()
        (bag_dir / "documents").mkdir()
        with sessions() as session:  # reading and copying: no lock held
            case = get_case(session, user, case_no)
            documents = list(case.documents)
            for document in documents:
                if document.stored_object.destroyed_at is not None or not full:
                    continue  # destroyed after appraisal, or withheld: case.json says which
                target = bag_dir / "originals" / f"{document.id}-{document.filename}"
                with store.open(document.stored_object.store_key) as stream, open(target, "wb") as out:
                    shutil.copyfileobj(stream, out, 1024 * 1024)
            for document in documents:  # one at a time: a document's pages, then let them go
                _write_json(bag_dir / "documents" / f"{document.id}.json", shown(_document_record(document)))
                session.expire(document, ["pages"])
        with sessions.begin() as session:  # the export event, then the history that includes it
            case = get_case(session, user, case_no)
            check = latest_report(session, case)
            if check is not None and not check["passed"]:
                raise RecordCheckFailed(_("Case %(case_no)s is not exported: its last four-property "
                                          "check failed; check it again once resolved."),
                                        case_no=case.case_no)
            audit.record(session, "case.export", actor=user, target=case,
                         details={"documents": len(documents), "identifiers": "full" if full else "masked",
                                  **loan_details(session, user, case)})
            events = case_history(session, user, case)
            head_id, head_hash = audit.head(session)
            record = shown(_case_record(case, documents, user, originals=full))
            retention = shown(retention_record(session, case))
            workflow = shown(_workflow_record(session, case))
            rows = [shown({**audit.fields(e), "prev_hash": e.prev_hash, "row_hash": e.row_hash})
                    for e in events]
        _write_json(bag_dir / "case.json", record)
        _write_json(bag_dir / "records.json", retention)
        _write_json(bag_dir / "workflow.json", workflow)
        if check is not None:  # 四性检测 as last kept: at filing, or a later `archive check-record`
            _write_json(bag_dir / "four_properties.json", check)
        with open(bag_dir / "audit" / "events.jsonl", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        # The whole chain can be re-verified against this head later (`archive verify`).
        _write_json(bag_dir / "audit" / "chain.json", {"head_id": head_id, "head_hash": head_hash})
        bagit.make_bag(str(bag_dir), bag_info={
            "External-Identifier": case_no,
            "External-Description": f"Case file {case_no} ({record['claimant_name']})",
            "Bagging-Date": utcnow().date().isoformat(),
            "Contact-Name": user.username,
            "Audit-Chain-Head": f"{head_id} {head_hash}",
            # Masked: ID and phone numbers are masked in the JSON files and the originals are left out.
            "Identifiers": "full" if full else "masked",
        }, checksums=["sha256"])
        output.parent.mkdir(parents=True, exist_ok=True)
        size = _zip_dir(bag_dir, output)
    return ExportResult(output, len(documents), size)


def _case_record(case, documents, user, *, originals: bool) -> dict:
    return {
        "case_no": case.case_no, "claimant_name": case.claimant_name,
        "claimant_id_number": case.claimant_id_number, "insurance_number": case.insurance_number,
        "claim_type": case.claim_type, "township": case.township, "status": case.status,
        "opened_at": case.created_at.isoformat(),
        "exported_at": utcnow().isoformat(), "exported_by": user.username,
        "documents": [{
            "id": d.id, "original_filename": d.original_filename,
            "file": (f"originals/{d.id}-{d.filename}" if originals and not d.stored_object.destroyed_at
                     else None),
            "sha256": d.stored_object.sha256, "size": d.stored_object.size, "kind": d.kind,
            "content_type": d.content_type, "pages": d.page_count, "status": d.status,
            "duplicate_of": d.duplicate_of_id, "received_at": d.created_at.isoformat(),
        } for d in documents],
    }


def _document_record(document) -> dict:
    return {
        "id": document.id, "kind": document.kind, "kind_guessed": document.kind_guessed,
        "status": document.status, "failure_reason": document.failure_reason,
        "needs_check": document.needs_check, "fields": document.fields, "checks": document.checks,
        "field_sources": document.field_sources,
        # Oldest first; `fields` holds the values in force, `machine_value` what was read.
        "corrections": [{
            "field": c.field, "machine_value": c.machine_value, "previous_value": c.previous_value,
            "value": c.value, "reason": c.reason, "corrected_by": c.corrected_by_name,
            "corrected_at": _iso(c.corrected_at)} for c in document.corrections],
        "pages": [{"number": page.number, "source": page.source, "confidence": page.confidence,
                   "error": page.error, "text": page.text} for page in document.pages],
    }


def _workflow_record(session, case) -> dict:
    instances = session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)
                                .order_by(WorkflowInstance.id)).all()
    sign_offs = session.scalars(select(SignOff).where(SignOff.case_id == case.id)
                                .order_by(SignOff.id)).all()
    rechecks = session.scalars(select(RecheckOutcome).where(RecheckOutcome.case_id == case.id)
                               .order_by(RecheckOutcome.id)).all()
    return {
        "chains": [{
            "id": run.id, "definition": run.definition, "definition_sha256": run.definition_sha256,
            "status": run.status, "round": run.round, "current_step": run.current_step,
            "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
            "chain_due_on": _iso(run.chain_due_on), "missing": run.missing, "note": run.note,
            "sign_offs": [{
                "id": s.id, "seq": s.seq, "round": s.round, "step": s.step, "role": s.role,
                "signer": s.signer_name, "signed_at": _iso(s.signed_at), "decision": s.decision,
                "opinion": s.opinion, "findings": s.findings, "missing": s.missing,
                "content_sha256": s.content_sha256,
            } for s in sign_offs if s.instance_id == run.id],
        } for run in instances],
        "rechecks": [{
            "month": r.month, "outcome": r.outcome, "note": r.note, "difference_fen": r.difference_fen,
            "checked_by": r.checked_by_name, "checked_at": _iso(r.checked_at)} for r in rechecks],
        # sha256 of the canonical JSON of `content`: equal to a sign-off's content_sha256 when the
        # case has not changed since that signature.
        "content_now": {"sha256": content_sha256(session, case), "content": case_content(session, case)},
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _check_before_export(sessions, store, user, case_no: str, limits: Limits, tmp_dir: Path) -> None:
    """The store may have changed since the filing's check: a filed record is checked now, the
    report committed to the trail whatever it found, before the export reads the latest one."""
    with sessions.begin() as session:
        case = get_case(session, user, case_no)
        record = session.scalar(select(ArchiveRecord).where(ArchiveRecord.case_id == case.id))
        if record is None or record.state == RecordState.OPEN:
            return  # not a record yet: filing checks it
        record_report(session, case, check_case(session, store, case, limits=limits, tmp_dir=tmp_dir),
                      actor=user)


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")


def _zip_dir(directory: Path, output: Path) -> int:
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, PurePosixPath(directory.name) / path.relative_to(directory).as_posix())
    partial.replace(output)  # never a half-written export under the real name
    return output.stat().st_size


def verify_bag(path: Path) -> bagit.Bag:
    """Unpack and validate a case-file zip offline; raises BagInvalid with the reason."""
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        try:
            with zipfile.ZipFile(path) as archive:
                roots = _safe_extract(archive, Path(tmp))
        except zipfile.BadZipFile as exc:
            raise BagInvalid(f"not a zip file: {exc}") from exc
        if len(roots) != 1:
            raise BagInvalid("the zip must hold exactly one bag directory")
        try:
            bag = bagit.Bag(str(Path(tmp) / roots.pop()))
            bag.validate(processes=1)
        except bagit.BagError as exc:
            raise BagInvalid(str(exc)) from exc
        return bag


def _safe_extract(archive: zipfile.ZipFile, target: Path) -> set[str]:
    roots = set()
    for member in archive.infolist():
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts or not name.parts:
            raise BagInvalid(f"unsafe path in zip: {member.filename!r}")
        roots.add(name.parts[0])
    archive.extractall(target)
    return roots
