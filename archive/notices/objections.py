"""The objection register (公示异议登记): an objection to a posted line or to a case — who raised
it, what they said, when — stays open until closed as upheld or dismissed with the reason.

While an objection to a case is open, the case is not paid: every approval on its payment chain
is refused with 409 (`refuse_held_payment`, called by archive.workflows.payment). Seeds 000 and 003
post the notice for supervision of the month's compensation (接受社会监督) and say nothing of
paying only after it comes down, so the posting period itself holds no payment; an objection does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.errors import n_
from archive.models import Case, Objection, PublicationLine, SignOff, WorkflowInstance
from archive.models.types import utcnow
from archive.signoff import BadRequest, Conflict, Incomplete, registry
from archive.signoff.errors import _
from archive.signoff.workdays import today_in_china

OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"
OUTCOMES = (UPHELD, DISMISSED)
MAX_TEXT = 2000
TOO_LONG = n_("The text is longer than %(limit)s character.",
             "The text is longer than %(limit)s characters.", "limit")


class ObjectionNotFound(Incomplete):
    status = 404
    code = "not_found"


def record_objection(session: Session, user, *, raised_by: str | None, text: str | None,
                     line_id=None, case_no: str | None = None, raised_on=None) -> Objection:
    """Register an objection against a posted line (`line_id`) or a case (`case_no`)."""
    require(user, "objection.record")
    raised_by, text = (raised_by or "").strip(), (text or "").strip()
    if not raised_by:
        raise Incomplete(_("Say who raised the objection."))
    if not text:
        raise Incomplete(_("Say what the objection is."))
    if len(text) > MAX_TEXT or len(raised_by) > 128:
        raise Incomplete(TOO_LONG, limit=MAX_TEXT)
    day = _day(raised_on)
    line = None
    if line_id not in (None, ""):
        line = session.get(PublicationLine, _number(line_id))
        if line is None:
            raise ObjectionNotFound(_("There is no line %(id)s on any publication."), id=line_id)
        case = session.get(Case, line.case_id)
    elif case_no:
        case = get_case(session, user, str(case_no).strip())
    else:
        raise Incomplete(_("Name the line of the notice or the case the objection is against."))
    objection = Objection(case_id=case.id, line_id=None if line is None else line.id, raised_by=raised_by,
                          raised_on=day, text=text, status=OPEN, recorded_by_id=user.id,
                          recorded_by_name=user.display_name or user.username)
    session.add(objection)
    session.flush()
    audit.record(session, "objection.recorded", actor=user, target=case, details={
        "objection": objection.id, "line": objection.line_id, "raised_by": raised_by,
        "raised_on": day.isoformat(), "text": text})
    return objection


def close_objection(session: Session, user, objection_id, *, outcome: str | None,
                    reason: str | None) -> Objection:
    """Close an open objection as upheld or dismissed, with the reason. Dismissed releases the
    case's payment; upheld keeps it held until the claim is reviewed again (refuse_held_payment)."""
    require(user, "objection.decide")
    objection = session.get(Objection, _number(objection_id))
    if objection is None:
        raise ObjectionNotFound(_("There is no objection %(id)s."), id=objection_id)
    outcome, reason = (outcome or "").strip(), (reason or "").strip()
    if outcome not in OUTCOMES:
        raise Incomplete(_("The outcome is upheld or dismissed."))
    if not reason:
        raise Incomplete(_("Give the reason for the outcome of the objection."))
    if len(reason) > MAX_TEXT:
        raise Incomplete(TOO_LONG, limit=MAX_TEXT)
    if objection.status != OPEN:
        raise Conflict(_("Objection %(id)s was already closed (%(outcome)s) by %(name)s."),
                       id=objection.id, outcome=objection.status, name=objection.closed_by_name)
    objection.status, objection.outcome_reason = outcome, reason
    objection.closed_by_id, objection.closed_by_name = user.id, user.display_name or user.username
    objection.closed_at = utcnow()
    session.flush()
    audit.record(session, "objection.closed", actor=user, target=session.get(Case, objection.case_id),
                 details={"objection": objection.id, "outcome": outcome, "reason": reason})
    return objection


def objections(session: Session, user, *, case_no: str | None = None, publication_id=None,
               status: str | None = None) -> list[tuple[Objection, str]]:
    """The register (newest first) with each objection's case number."""
    require(user, "objection.view")
    query = (select(Objection, Case.case_no).join(Case, Case.id == Objection.case_id)
             .order_by(Objection.id.desc()))
    if case_no:
        query = query.where(Case.case_no == str(case_no).strip())
    if publication_id not in (None, ""):
        lines = select(PublicationLine.id).where(PublicationLine.publication_id == _number(publication_id))
        query = query.where(Objection.line_id.in_(lines))
    if status:
        query = query.where(Objection.status == status)
    return [(row[0], row[1]) for row in session.execute(query.limit(500))]


def refuse_held_payment(session: Session, case: Case) -> None:
    """A payment of a case with an open objection is refused (409) until the objection is closed.
    One upheld says the claim is wrong as approved: it is not paid until its claim chain was
    signed again after the objection was upheld (returned for correction and reviewed anew)."""
    held = session.scalar(select(Objection).where(Objection.case_id == case.id, Objection.status == OPEN)
                          .order_by(Objection.id).limit(1))
    if held is not None:
        raise Conflict(_("Payment of case %(case_no)s is held: objection %(id)s (raised by %(who)s on "
                         "%(day)s) is open; it must be upheld or dismissed first."),
                       case_no=case.case_no, id=held.id, who=held.raised_by, day=held.raised_on.isoformat())
    upheld = session.scalar(select(Objection).where(Objection.case_id == case.id, Objection.status == UPHELD)
                            .order_by(Objection.closed_at.desc()).limit(1))
    if upheld is None:
        return
    paying = [d.name for d in registry().definitions.values() if d.done_status == "paid"]
    reviewed = session.scalar(
        select(SignOff.id).join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id)
        .where(SignOff.case_id == case.id, SignOff.decision == "approve",
               SignOff.signed_at > upheld.closed_at, WorkflowInstance.definition.not_in(paying)).limit(1))
    if reviewed is None:
        raise Conflict(_("Payment of case %(case_no)s is held: objection %(id)s was upheld (%(reason)s); "
                         "return the case for correction so that its claim is reviewed again."),
                       case_no=case.case_no, id=upheld.id, reason=upheld.outcome_reason)


def objection_json(objection: Objection, case_no: str) -> dict:
    return {"id": objection.id, "case_no": case_no, "line": objection.line_id,
            "raised_by": objection.raised_by, "raised_on": objection.raised_on.isoformat(),
            "text": objection.text, "status": objection.status, "recorded_by": objection.recorded_by_name,
            "recorded_at": objection.recorded_at.isoformat(), "outcome_reason": objection.outcome_reason,
            "closed_by": objection.closed_by_name,
            "closed_at": None if objection.closed_at is None else objection.closed_at.isoformat()}


def _day(value) -> date:
    if value in (None, ""):
        return today_in_china()
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a date as YYYY-MM-DD."), what="raised_on") from None
    if day > today_in_china():
        raise Incomplete(_("The objection cannot be raised after today."))
    return day


def _number(value) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a number."), what=str(value)[:20]) from None
