"""Findings that stop a bad payment: an ERROR finding on a case blocks its next sign-off until a
reviewer resolves it with a reason.

A case's findings are
- the checks across its documents (archive.ocr.case_checks: missing daily statements, patient
  names that differ),
- the same invoice in another case (archive.workflows.duplicates),
- the flags that compare it with other claims (overlapping stays, 分解住院, frequency, the
  provider's agreement) and check its daily statements' items (archive.workflows.claim_flags),
- a typed hospital that the documents do not name (archive.signoff.hospitals), a typed
  claimed amount that differs from the invoices' total (archive.claims.money),
- the ERROR checks of each document read (capital vs figures, fund split, an unsigned daily
  statement, …).

Each has a stable id (`code`, or `code:document[:other document]`) that a resolution names. A
resolution (who, when, why) is kept for good (FindingResolution, append-only), is an audit event,
and is part of the content every later signature covers (archive.workflows.content). Because of
that, resolving a finding after earlier steps were signed sends the chain back to the first step
whose signature no longer matches — those signers did not see the finding resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.claims import amount_findings, claimed_amount
from archive.models import Case, FindingResolution, WorkflowInstance, WorkflowStatus
from archive.models.cases import DocumentStatus
from archive.models.types import utcnow
from archive.ocr.case_checks import case_findings
from archive.ocr.checks import ERROR
from archive.signoff.definitions import registry
from archive.signoff.errors import Conflict, Incomplete, NotAllowed, _
from archive.signoff.hospitals import MISMATCH, hospital_findings
from archive.signoff.steps import Label
from archive.workflows.changes import content_changed
from archive.workflows.claim_flags import flag_findings
from archive.workflows.duplicates import duplicate_findings
from archive.workflows.flag_settings import flag_settings


class UnresolvedFindings(Incomplete):
    """A sign-off refused while an ERROR finding on the case is not resolved (HTTP 422)."""
    code = "unresolved_findings"


class UnknownFinding(Incomplete):
    code = "unknown_finding"


@dataclass(frozen=True)
class CaseFinding:
    id: str
    code: str
    severity: str
    message: str
    document_id: int | None = None
    other_case: str | None = None  # the case number of the other case (a duplicate)
    resolution: FindingResolution | None = None
    # What pages draw the text from, in the reader's language (archive.findings_text): the
    # values the message names, the English text where a finding has one, and the file a
    # document's check is about.
    params: dict = field(default_factory=dict, compare=False)
    message_en: str | None = None
    source: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR and self.resolution is None

    def as_json(self) -> dict:
        resolution = self.resolution
        return {"id": self.id, "code": self.code, "severity": self.severity, "message": self.message,
                "document": self.document_id, "other_case": self.other_case,
                "blocking": self.blocking,
                "resolution": None if resolution is None else {
                    "reason": resolution.reason, "by": resolution.resolved_by_name,
                    "at": resolution.resolved_at.isoformat()}}


def findings_of(session: Session, case: Case) -> list[CaseFinding]:
    """Every finding on the case, each with its resolution if it has one."""
    documents = list(case.documents)
    found = [CaseFinding(f["code"], f["code"], f["severity"], f["message"], params=f.get("params") or {})
             for f in case_findings(case, documents)]
    found += [CaseFinding(**item) for item in duplicate_findings(session, case)]
    found += [CaseFinding(**item) for item in flag_findings(session, case)]
    found += [CaseFinding(**item) for item in hospital_findings(case, flag_settings().severity_of(MISMATCH))]
    found += _amount_errors(case)
    for document in documents:
        if document.status != DocumentStatus.PROCESSED:
            continue
        found += [CaseFinding(f"{check['code']}:{document.id}", check["code"], check["severity"],
                              f"{document.filename}：{check['message']}", document_id=document.id,
                              params=check.get("params") or {}, source=document.filename)
                  for check in document.checks or [] if check.get("severity") == ERROR]
    resolved = resolutions(session, case)
    return [replace(f, resolution=resolved.get(f.id)) for f in found]


def _amount_errors(case: Case) -> list[CaseFinding]:
    """A typed claimed amount that differs from the invoices' total (archive.claims.money): the
    ERROR blocks like any other, so a reviewer says why the two differ before signing."""
    return [CaseFinding(f["code"], f["code"], f["severity"], f["message"], params=f["params"],
                        message_en=f["message_en"])
            for f in amount_findings(claimed_amount(case)) if f["severity"] == ERROR]


def resolutions(session: Session, case: Case) -> dict[str, FindingResolution]:
    """The resolution in force per finding id (the latest one)."""
    rows = session.scalars(select(FindingResolution).where(FindingResolution.case_id == case.id)
                           .order_by(FindingResolution.id))
    return {row.finding_id: row for row in rows}


def refuse_open_findings(session: Session, case: Case) -> None:
    """Refuse a sign-off while an ERROR finding is unresolved, naming each one."""
    blocking = [f for f in findings_of(session, case) if f.blocking]
    if blocking:
        listed = "；".join(f"[{f.id}] {f.message}" for f in blocking)
        raise UnresolvedFindings(_("Resolve these findings with a reason before signing: %(findings)s"),
                                 findings=listed)


def resolve_finding(session: Session, case_no: str, finding: str, *, actor,
                    reason: str | None) -> FindingResolution:
    """Let an ERROR finding through with a reason, as the person the case waits for. `finding` is
    the finding's id, or its code when only one finding has that code."""
    require(actor, "case.view")
    case = get_case(session, actor, case_no)
    reason = (reason or "").strip()
    waiting = session.scalar(select(WorkflowInstance).where(
        WorkflowInstance.case_id == case.id, WorkflowInstance.status == WorkflowStatus.ACTIVE))
    if waiting is None:
        raise Conflict(_("Case %(case_no)s is not waiting for a decision."), case_no=case.case_no)
    definition = registry().get(waiting.definition)
    step = definition.step(waiting.current_step)
    if actor.role != step.role:
        raise NotAllowed(_("Only the signer of step %(step)s may resolve a finding now."),
                         step=step.label)
    if definition.separation.exclude_opener and case.created_by_id == actor.id:
        raise NotAllowed(_("You opened case %(case_no)s, so you may not sign it."), case_no=case.case_no)
    target = _pick(findings_of(session, case), (finding or "").strip())
    if target.resolution is not None:
        raise Conflict(_("Finding %(finding)s is already resolved."), finding=target.id)
    if not reason:
        raise Incomplete(_("Give the reason the finding may be let through."), concerns="reason")
    resolution = FindingResolution(
        case_id=case.id, finding_id=target.id, code=target.code, message=target.message[:2000],
        reason=reason, resolved_by_id=actor.id,
        resolved_by_name=actor.display_name or actor.username, resolved_at=utcnow())
    session.add(resolution)
    session.flush()
    # The resolution is signed content: signatures made before it no longer match the case.
    content_changed(session, case, actor=actor, reason=f"finding {target.id} resolved")
    audit.record(session, "finding.resolved", actor=actor, target=case, details={
        "finding": target.id, "code": target.code, "message": target.message, "reason": reason,
        "resolution": resolution.id, "step": step.id, "chain": definition.name})
    return resolution


def _pick(found: list[CaseFinding], wanted: str) -> CaseFinding:
    errors = [f for f in found if f.severity == ERROR]
    exact = [f for f in errors if f.id == wanted]
    by_code = [f for f in errors if f.code == wanted and f.resolution is None] or \
              [f for f in errors if f.code == wanted]
    if exact:
        return exact[0]
    if len(by_code) == 1:
        return by_code[0]
    names = Label("、".join(f.id for f in errors) or "无", ", ".join(f.id for f in errors) or "none")
    if by_code:
        raise UnknownFinding(_("More than one finding has code %(code)s; name one by its id: "
                               "%(findings)s"), code=wanted, findings=names)
    raise UnknownFinding(_("The case has no error finding %(finding)s; its error findings: "
                           "%(findings)s"), finding=wanted, findings=names)
