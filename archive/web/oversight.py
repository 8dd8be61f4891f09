"""Token-only JSON for the working-day calendar (an administrator enters a year's published
arrangement) and for the spot-check draw's commitments and verification. Thin views over
archive.workflows.arrangements and archive.workflows.spot_draws."""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from archive.errors import Refusal
from archive.signoff.months import parse_month
from archive.web.api import token_required
from archive.web.bodies import CalendarEntry, PhoneCall, parse_body
from archive.web.context import db
from archive.web.desk_forms import (
    ListedChoice,
    at_most,
    iso_month,
    note_for_discrepancy,
    refusal_text,
    refused_in_month,
    share_with_templates,
)
from archive.workflows.arrangements import enter_arrangement, year_view
from archive.workflows.phone_follow_ups import CALL_OUTCOMES, follow_up_list, record_call
from archive.workflows.spot_draws import verify_month

oversight = Blueprint("oversight", __name__)
oversight_api = Blueprint("oversight_api", __name__, url_prefix="/api")
share_with_templates(oversight)


class CallForm(FlaskForm):
    month = StringField("month", validators=[iso_month])
    outcome = ListedChoice("outcome", choices=list(CALL_OUTCOMES))
    note = TextAreaField("note", validators=[at_most(2000), note_for_discrepancy])


@oversight.route("/follow-ups")
@login_required
def follow_ups_page(month: str | None = None):
    shown = follow_up_list(db(), current_user, month or request.args.get("month"))
    db().commit()  # a closed month is drawn at first need
    return render_template("workflow/phone_follow_ups.html", shown=shown)


@oversight.post("/follow-ups/<case_no>")
@login_required
def follow_up_record(case_no: str):
    form = CallForm()
    if form.validate_on_submit():
        try:
            call = record_call(db(), current_user, case_no, month=form.month.data.strip(),
                               outcome=form.outcome.data, note=form.note.data)
        except Refusal as refused:
            return _call_refused(case_no, form, refusal_text(refused), refused.status)
        db().commit()
        flash(_("The follow-up call of case %(case_no)s is recorded.", case_no=case_no), "success")
        return redirect(url_for("oversight.follow_ups_page", month=call.month))
    return _call_refused(case_no, form)


def _call_refused(case_no: str, form: CallForm, problem: str | None = None, status: int = 422):
    return refused_in_month("call", form, case_no, follow_ups_page, problem, status)


@oversight_api.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(oversight_api)


@oversight_api.get("/calendar/<int:year>")
@token_required
def calendar_year(year: int):
    return jsonify(_year(year))


@oversight_api.post("/calendar/<int:year>")
@token_required
def calendar_enter(year: int):
    body = parse_body(CalendarEntry)
    enter_arrangement(db(), g.api_user, year, holidays=body.holidays, workdays=body.workdays,
                      notice=body.notice)
    db().commit()
    return jsonify(_year(year)), 201


def _year(year: int) -> dict:
    view = year_view(db(), year)
    entry = view.entry
    return {"year": year, "source": view.source, "estimate": view.source == "computed",
            "statutory": [{"day": day.isoformat(), "name": zh, "name_en": en}
                          for day, zh, en in view.statutory],
            "entered": None if entry is None else {
                "holidays": entry.holidays, "workdays": entry.workdays, "notice": entry.notice,
                "entered_by": entry.entered_by_name, "entered_at": entry.entered_at.isoformat()}}


@oversight_api.get("/spot-checks/verify")
@token_required
def spot_checks_verify():
    """Recompute a closed month's draws from its revealed seed: anyone who may view them."""
    from archive.auth import require

    require(g.api_user, "spot_check.view")
    result = verify_month(db(), parse_month(request.args.get("month")))
    return jsonify(month=result.month, ok=result.ok, seed_matches=result.seed_matches,
                   late_commitment=result.late_commitment, mismatches=result.mismatches)


@oversight_api.get("/phone-follow-ups")
@token_required
def follow_ups_api():
    shown = follow_up_list(db(), g.api_user, request.args.get("month"))
    db().commit()
    return jsonify(month=shown.month, closed=shown.closed, share=shown.share, eligible=shown.eligible,
                   quota=shown.quota, seed_sha256=shown.seed_sha256, items=[
                       {"case_no": i.case_no, "claimant_name": i.claimant_name, "township": i.township,
                        "village": i.village, "call": _call(i.call)} for i in shown.items])


@oversight_api.post("/phone-follow-ups/<case_no>")
@token_required
def follow_up_record_api(case_no: str):
    body = parse_body(PhoneCall)
    call = record_call(db(), g.api_user, case_no, month=body.month or "", outcome=body.outcome or "",
                       note=body.note)
    db().commit()
    return jsonify(case_no=case_no, **_call(call)), 201


def _call(call) -> dict | None:
    if call is None:
        return None
    return {"month": call.month, "outcome": call.outcome, "note": call.note,
            "called_by": call.called_by_name, "called_at": call.called_at.isoformat()}


oversight.register_blueprint(oversight_api)
