"""What oversight reads of the chains: the re-check queue of spot checks (抽查) and the monthly
publication list of payouts (公示), as pages, CSV and token-only JSON."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from archive.auth import can
from archive.errors import Refusal
from archive.spot_checks import OUTCOMES, derive_draw, follow_ups_of, recheck_queue, record_outcome
from archive.web.api import token_required
from archive.web.bodies import RecheckFinding, parse_body, text
from archive.web.context import db
from archive.web.desk_forms import (
    ListedChoice,
    at_most,
    iso_month,
    note_for_discrepancy,
    refusal_text,
    refused_in_month,
    share_with_templates,
    signed_yuan,
    yuan,
)
from archive.workflows import monthly_payouts, publication_csv

reports = Blueprint("reports", __name__)
reports_api = Blueprint("api", __name__, url_prefix="/api")
share_with_templates(reports)


class RecheckForm(FlaskForm):
    month = StringField("month", validators=[iso_month])  # the queue's month, shown again if refused
    outcome = ListedChoice("outcome", choices=list(OUTCOMES))
    difference = StringField("difference", validators=[at_most(16), yuan(signed=True)])  # overpaid: positive
    note = TextAreaField("note", validators=[at_most(2000), note_for_discrepancy])


@reports.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(reports_api)


@reports.app_template_global()
def may(permission: str) -> bool:
    return can(current_user, permission)


@reports.route("/spot-checks")
@login_required
def spot_checks_page(month: str | None = None):
    shown = recheck_queue(db(), current_user, month or request.args.get("month"))
    db().commit()  # the seeds committed ahead, a closed month drawn at first need
    return render_template("workflow/spot_checks.html", queue=shown)


@reports.post("/spot-checks/<case_no>/outcome")
@login_required
def spot_check_outcome(case_no: str):
    form = RecheckForm()
    if form.validate_on_submit():
        try:
            finding = record_outcome(db(), current_user, case_no, outcome=form.outcome.data,
                                     note=(form.note.data or "").strip() or None,
                                     difference=signed_yuan(form.difference.data))
        except Refusal as refused:
            return _recheck_refused(case_no, form, refusal_text(refused), refused.status)
        db().commit()
        flash(_("The re-check of case %(case_no)s is recorded.", case_no=case_no), "success")
        return redirect(url_for("reports.spot_checks_page", month=finding.month))
    return _recheck_refused(case_no, form)


def _recheck_refused(case_no: str, form: RecheckForm, problem: str | None = None, status: int = 422):
    return refused_in_month("recheck", form, case_no, spot_checks_page, problem, status)


@reports.route("/publication")
@login_required
def publication_page():
    shown = monthly_payouts(db(), current_user, request.args.get("month"))
    return render_template("workflow/publication.html", publication=shown)


@reports.route("/publication.csv")
@login_required
def publication_file():
    shown = monthly_payouts(db(), current_user, request.args.get("month"))
    labels = {"township": _("Township"), "village": _("Village"), "payouts": _("Payouts"),
              "amount": _("Amount paid (yuan)"), "subtotal": _("Subtotal"), "total": _("Total"),
              "not_recorded": _("(not recorded)"), "month": _("Month"), "provider": _("Provider settlement")}
    return Response(publication_csv(shown, labels), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=publication-{shown.month}.csv",
        "Cache-Control": "private, no-store"})


@reports_api.get("/spot-checks")
@token_required
def spot_checks_api():
    shown = recheck_queue(db(), g.api_user, request.args.get("month"))
    db().commit()  # the seeds committed ahead, a closed month drawn at first need
    commitment = shown.commitment
    return jsonify(month=shown.month, closed=shown.closed, commitment=None if commitment is None else {
        "seed_sha256": commitment.seed_sha256, "committed_at": commitment.committed_at.isoformat(),
        "late": commitment.late, "seed": commitment.seed if commitment.revealed_at else None},
        groups=[{"group": c.group.name, "share": c.group.share, "approved": c.approved,
                 "quota": c.quota, "drawn": c.drawn} for c in shown.groups], items=[{
            "case_no": item.case_no, "claimant_name": item.claimant_name, "claim_type": item.claim_type,
            "township": item.township, "village": item.village,
            "amount": None if item.amount is None else f"{item.amount:.2f}", "chain": item.chain.en,
            "approved_at": item.approved_at.isoformat(), **_draw(item.draw),
            "recheck": _outcome(item.outcome)} for item in shown.items])


@reports_api.post("/spot-checks/<case_no>/outcome")
@token_required
def spot_check_outcome_api(case_no: str):
    body = parse_body(RecheckFinding)
    finding = record_outcome(db(), g.api_user, case_no, outcome=body.outcome or "", note=body.note,
                             difference=text(body.difference))
    db().commit()
    return jsonify(case_no=case_no, **_outcome(finding), follow_ups=follow_ups_of(db(), case_no)), 201


@reports_api.get("/spot-checks/<case_no>")
@token_required
def spot_check_draw_api(case_no: str):
    draw = derive_draw(db(), g.api_user, case_no, request.args.get("month"))
    db().commit()
    return jsonify(_draw(draw))


@reports_api.get("/publication")
@token_required
def publication_api():
    shown = monthly_payouts(db(), g.api_user, request.args.get("month"))
    return jsonify(month=shown.month, payouts=shown.payouts, amount=f"{shown.amount:.2f}", townships=[
        {"township": block.township, "payouts": block.payouts, "amount": f"{block.amount:.2f}",
         "villages": [{"village": v.village, "payouts": v.payouts, "amount": f"{v.amount:.2f}"}
                      for v in block.villages]} for block in shown.townships],
                   providers=[{"provider": p.provider, "payouts": p.payouts, "amount": f"{p.amount:.2f}"}
                              for p in shown.providers])


reports.register_blueprint(reports_api)


def _draw(draw) -> dict:
    return {"case_no": draw.case_no, "month": draw.month, "group": draw.group.name,
            "share": draw.group.share, "seed": draw.seed, "sha256": draw.sha256, "rank": draw.rank,
            "drawn": draw.drawn, "approved_month": draw.approved_month, "eligible": draw.eligible,
            "quota": draw.quota}


def _outcome(finding) -> dict | None:
    if finding is None:
        return None
    difference = None if finding.difference_fen is None else f"{finding.difference_fen / 100:.2f}"
    return {"month": finding.month, "outcome": finding.outcome, "note": finding.note,
            "difference": difference, "checked_by": finding.checked_by_name,
            "checked_at": finding.checked_at.isoformat()}
