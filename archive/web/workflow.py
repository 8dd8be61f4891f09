"""Sign-off on the desk and over the API: decide at a step, send a case on, the work queue.

Pages (CSRF-protected forms, signed-in users) and a token-only JSON API (nested blueprint
`workflow.api`, exempt from CSRF like archive.web.api). Refusals are WorkflowErrors, which
archive.web.errors turns into 403 / 409 / 422 with the reason.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from archive.access import get_case
from archive.auth import role_label
from archive.case_lists import document_progress, still_at_intake
from archive.signoff import Label, WorkflowError
from archive.web.api import token_required
from archive.web.bodies import Decision, FindingResolution, parse_body
from archive.web.case_forms import DecisionForm, ResolveFindingForm
from archive.web.cases import case_page
from archive.web.context import db
from archive.web.desk_forms import place_refusal
from archive.web.i18n import label
from archive.web.live import IDLE_MS, live_response, state_version
from archive.workflows import (
    decide,
    deduction_lines,
    findings_of,
    resolve_finding,
    submit,
    timeline,
    work_queue,
)

workflow = Blueprint("workflow", __name__)
workflow_api = Blueprint("api", __name__, url_prefix="/api")

DECISION_LABELS = {"approve": _l("Approve"), "return": _l("Return for correction"),
                   "reject": _l("Reject")}
STATE_LABELS = {"done": _l("signed"), "current": _l("waiting"), "returned": _l("returned"),
                "rejected": _l("rejected"), "next": _l("to come"), "skipped": _l("not needed")}
CHAIN_STATUS_LABELS = {"active": _l("in progress"), "returned": _l("returned for correction"),
                       "rejected": _l("rejected"), "approved": _l("approved"),
                       "waiting": _l("waiting for the chain before it")}


@workflow.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(workflow_api)


@workflow.app_template_global()
def pick(label: Label | None) -> str:
    return "" if label is None else label.pick(get_locale())


@workflow.app_template_global()
def workflow_label(kind: str, value: str) -> str:
    table = {"decision": DECISION_LABELS, "state": STATE_LABELS, "chain": CHAIN_STATUS_LABELS}[kind]
    return label(table.get(value, value))


@workflow.app_template_global()
def refusal_text(refusal) -> str:
    return refusal.message(_, get_locale())


@workflow.app_template_global()
def role_name(role: str) -> str:
    return role_label(role, str(get_locale()))


@workflow.route("/queue")
@login_required
def queue_page():
    return render_template("workflow/queue.html", **_queue_context())


@workflow.route("/queue/live")
@login_required
def queue_live():
    """The queue's rows drawn afresh (archive.web.live): cases arrive, leave, and the documents
    of the cases still at intake are read, without the page being reloaded."""
    context = _queue_context()
    return live_response(context["live_version"], context["pending"], QUEUE_PARTS, context)


QUEUE_PARTS = {"queue": "workflow/_queue.html"}


def _queue_context() -> dict:
    page = max(1, request.args.get("page", 1, type=int))
    queue = work_queue(db(), current_user, limit=100, offset=(page - 1) * 100)
    intake, intake_total = still_at_intake(db(), current_user)
    progress = document_progress(db(), intake)
    pages = max(1, -(-queue.total // 100))
    state = [page, pages, queue.total, [item.as_json() for item in queue.items], intake_total,
             [[c.case_no, c.claimant_name, c.claim_type, c.created_at, progress.get(c.id)]
              for c in intake]]
    return dict(queue=queue, page=page, pages=pages, intake=intake, intake_total=intake_total,
                progress=progress, live_version=state_version(state), live_idle_ms=IDLE_MS,
                pending=any(p.reading for p in progress.values()))


@workflow.post("/cases/<case_no>/decision")
@login_required
def decision_form(case_no: str):
    form = DecisionForm()
    # The step's findings are named by the step's definition (finding-NAME), not by the form.
    findings = {key.removeprefix("finding-"): value for key, value in request.form.items()
                if key.startswith("finding-")}
    if not form.validate_on_submit():
        return _decision_refused(case_no, form, findings)
    try:
        decide(db(), case_no, actor=current_user, decision=form.decision.data,
               opinion=form.opinion.data, expected_version=form.expected_version.data,
               step=form.step.data or None, findings=findings,
               missing=[f"doc:{kind}" for kind in form.missing_kind.data]
               + (form.missing.data or "").splitlines(),
               deductions=deduction_lines(form.deductions.data))
    except WorkflowError as refusal:
        if refusal.status != 422:  # a conflict or a wrong role: the error page says so
            raise
        db().rollback()
        if "finding" in refusal.params:  # "<finding> must be an amount": beside that finding
            return _decision_refused(case_no, form, findings, refusal.params["finding"],
                                     refusal_text(refusal))
        place_refusal(form, refusal, refusal_text(refusal))
        return _decision_refused(case_no, form, findings)
    db().commit()
    flash(_("Your decision on case %(case_no)s is recorded.", case_no=case_no), "success")
    return redirect(url_for("cases.show", case_no=case_no))


def _decision_refused(case_no: str, form: DecisionForm, findings: dict, finding=None, error=""):
    """Something the decision lacks: the case page again, with what was typed, each error
    beside its field (a finding's beside that finding) and the rest at the form's top."""
    return case_page(case_no, forms={"decision": form}, decision_draft={
        "findings": findings, "finding_label": finding, "finding_error": error}), 422


@workflow.post("/cases/<case_no>/submit")
@login_required
def submit_form(case_no: str):
    instance = submit(db(), case_no, actor=current_user)
    db().commit()
    flash(_("Case %(case_no)s is sent for sign-off.", case_no=case_no), "success")
    return redirect(url_for("cases.show", case_no=instance.case.case_no))


@workflow.post("/cases/<case_no>/findings/resolve")
@login_required
def resolve_form(case_no: str):
    form = ResolveFindingForm()
    if form.validate_on_submit():
        try:
            resolution = resolve_finding(db(), case_no, form.finding.data, actor=current_user,
                                         reason=form.reason.data)
        except WorkflowError as refusal:
            if refusal.status != 422:
                raise
            db().rollback()
            place_refusal(form, refusal, refusal_text(refusal))
        else:
            db().commit()
            flash(_("Finding %(finding)s is resolved.", finding=resolution.finding_id), "success")
            return redirect(url_for("cases.show", case_no=case_no))
    return case_page(case_no, forms={"resolve": form}), 422


@workflow_api.post("/cases/<case_no>/decision")
@token_required
def decision_api(case_no: str):
    body = parse_body(Decision)
    missing = body.missing.splitlines() if isinstance(body.missing, str) else body.missing
    instance = decide(db(), case_no, actor=g.api_user, decision=body.decision or "",
                      opinion=body.opinion, expected_version=body.expected_version, step=body.step,
                      findings=body.findings or {}, missing=missing or [],
                      deductions=body.deductions or [])
    db().commit()
    return jsonify(case_no=case_no, case_status=instance.case.status, chain=instance.definition,
                   status=instance.status, step=instance.current_step, version=instance.version)


@workflow_api.post("/cases/<case_no>/submit")
@token_required
def submit_api(case_no: str):
    instance = submit(db(), case_no, actor=g.api_user)
    db().commit()
    return jsonify(case_no=case_no, chain=instance.definition, step=instance.current_step,
                   version=instance.version, due_on=str(instance.due_on)), 201


@workflow_api.get("/cases/<case_no>/findings")
@token_required
def findings_api(case_no: str):
    found = findings_of(db(), get_case(db(), g.api_user, case_no))
    return jsonify(case_no=case_no, findings=[f.as_json() for f in found],
                   blocking=[f.id for f in found if f.blocking])


@workflow_api.post("/cases/<case_no>/findings/resolve")
@token_required
def resolve_api(case_no: str):
    body = parse_body(FindingResolution)
    resolution = resolve_finding(db(), case_no, body.finding or "", actor=g.api_user, reason=body.reason)
    db().commit()
    return jsonify(case_no=case_no, finding=resolution.finding_id, reason=resolution.reason,
                   resolved_by=resolution.resolved_by_name,
                   resolved_at=resolution.resolved_at.isoformat()), 201


@workflow_api.get("/queue")
@token_required
def queue_api():
    queue = work_queue(db(), g.api_user, limit=min(request.args.get("limit", 100, type=int), 1000),
                       offset=max(0, request.args.get("offset", 0, type=int)))
    return jsonify(total=queue.total, items=[item.as_json() for item in queue.items])


@workflow_api.get("/cases/<case_no>/workflow")
@token_required
def timeline_api(case_no: str):
    shown = timeline(db(), g.api_user, get_case(db(), g.api_user, case_no))
    return jsonify(case_no=case_no, chains=[_chain(c) for c in shown.chains],
                   decisions=shown.decisions, may_submit=shown.may_submit,
                   blocked=str(shown.blocked) if shown.blocked else None,
                   history=[_sign_off(s) for s in shown.history])


workflow.register_blueprint(workflow_api)


def _chain(view) -> dict:
    instance = view.instance
    return {"chain": view.definition.name, "name": _label(view.definition.label),
            "status": instance.status, "step": instance.current_step, "version": instance.version,
            "missing": instance.missing, "note": instance.note, **view.flags.as_json(),
            "steps": [{"id": s.step.id, "name": _label(s.step.label), "role": s.step.role,
                       "state": s.state, "sign_off": s.sign_off.id if s.sign_off else None,
                       "signature_matches": s.matches} for s in view.steps]}


def _sign_off(sign_off) -> dict:
    return {"id": sign_off.id, "step": sign_off.step, "role": sign_off.role,
            "signer": sign_off.signer_name, "decision": sign_off.decision,
            "opinion": sign_off.opinion, "findings": sign_off.findings, "missing": sign_off.missing,
            "signed_at": sign_off.signed_at.isoformat(), "content_sha256": sign_off.content_sha256}


def _label(label: Label | None) -> dict | None:
    return None if label is None else {"zh": label.zh, "en": label.en}
