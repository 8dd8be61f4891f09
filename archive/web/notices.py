"""The posted notice (公示) on the desk, over the API: publications with their period, place and
masked lines; the objection register; the quarterly fund report and its income ledger. Thin views
over archive.notices; the same services serve the CLI."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Regexp

from archive.claims.policy import yuan_text
from archive.errors import Refusal
from archive.notices import (
    close_objection,
    create_publication,
    fund_report,
    fund_report_csv,
    get_publication,
    income_entries,
    min_posting_days,
    objection_json,
    objections,
    publication_json,
    publication_notice_csv,
    publications,
    record_income,
    record_objection,
)
from archive.web.api import token_required
from archive.web.bodies import Body, Scalar, Text, parse_body, text
from archive.web.context import db
from archive.web.desk_forms import (
    ListedChoice,
    again,
    at_most,
    iso_date,
    iso_month,
    keep,
    refusal_text,
    required,
    share_with_templates,
    signed_yuan,
    yuan,
)
from archive.web.i18n import claim_type_label

notices = Blueprint("notices", __name__)
notices_api = Blueprint("notices_api", __name__, url_prefix="/api")
share_with_templates(notices)


@notices.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(notices_api)


class PublicationBody(Body):
    month: Text | None = None
    posted_from: Text | None = None
    posted_to: Text | None = None
    posted_where: Text | None = None


class ObjectionBody(Body):
    line: Scalar | None = None
    case_no: Text | None = None
    raised_by: Text | None = None
    raised_on: Text | None = None
    text: Text | None = None


class OutcomeBody(Body):
    outcome: Text | None = None
    reason: Text | None = None


class IncomeBody(Body):
    received_on: Text | None = None
    amount: Scalar | None = None
    source: Text | None = None
    note: Text | None = None


class PublicationForm(FlaskForm):
    month = StringField("month", validators=[required(), iso_month])
    posted_from = StringField("posted_from", validators=[required(), iso_date])
    posted_to = StringField("posted_to", validators=[required(), iso_date])
    posted_where = StringField("posted_where", validators=[required(), at_most(500)])


class ObjectionForm(FlaskForm):
    case_no = StringField("case_no", validators=[at_most(32)])
    line = StringField("line", validators=[at_most(12), Regexp(r"^\s*\d*\s*$", message=_l(
        "Give the line's number."))])
    raised_by = StringField("raised_by", validators=[required(), at_most(128)])
    raised_on = StringField("raised_on", validators=[iso_date])
    text = TextAreaField("text", validators=[required(), at_most(2000)])
    # Sent from a publication's page: the page it comes back to when refused.
    publication = HiddenField("publication")


class CloseForm(FlaskForm):
    outcome = ListedChoice("outcome", choices=["dismissed", "upheld"])  # labelled in the template
    reason = StringField("reason", validators=[required(), at_most(2000)])


class IncomeForm(FlaskForm):
    received_on = StringField("received_on", validators=[required(), iso_date])
    # Negative: a correction of an earlier entry.
    amount = StringField("amount", validators=[required(), yuan(signed=True, allow_zero=False)])
    source = StringField("source", validators=[required(), at_most(128)])
    note = StringField("note", validators=[at_most(2000)])


@notices.app_template_filter("fen")
def fen(amount: int | None):
    """An amount in fen as yuan (Decimal), for the `money` filter."""
    return None if amount is None else Decimal(amount).scaleb(-2)


@notices.app_template_global("min_posting_days")
def posting_days() -> int:
    return min_posting_days()


def _csv(content: str, name: str) -> Response:
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={name}", "Cache-Control": "private, no-store"})


# --- pages ---------------------------------------------------------------------------------------

@notices.route("/publications")
@login_required
def index():
    shown = publications(db(), current_user, request.args.get("month"))
    return render_template("notices/publications.html", publications=shown)


@notices.post("/publications")
@login_required
def create_form():
    form = PublicationForm()
    if form.validate_on_submit():
        try:
            made = create_publication(db(), current_user, month=form.month.data.strip(),
                                      posted_from=form.posted_from.data.strip(),
                                      posted_to=form.posted_to.data.strip(),
                                      posted_where=form.posted_where.data)
        except Refusal as refused:
            keep("publication", form, problem=refusal_text(refused))
            return again(index(), refused.status)
        db().commit()
        flash(_("The notice of %(month)s is posted.", month=made.month), "success")
        return redirect(url_for("notices.show", publication_id=made.id))
    keep("publication", form)
    return again(index())


@notices.route("/publications/<int:publication_id>")
@login_required
def show(publication_id: int):
    shown = get_publication(db(), current_user, publication_id)
    register = objections(db(), current_user, publication_id=shown.id)
    return render_template("notices/publication.html", publication=shown, register=register)


@notices.route("/publications/<int:publication_id>.csv")
@login_required
def show_csv(publication_id: int):
    shown = get_publication(db(), current_user, publication_id)
    labels = {"line": _("No."), "kind": _("Kind of line"), "name": _("Name or provider"),
              "id_number": _("ID number"), "township": _("Township"), "village": _("Village"),
              "claim_type": _("Claim type"), "amount": _("Benefit (yuan)"), "paid": _("Payment"),
              "claimant": _("Claimant's benefit"), "provider": _("Provider settlement"), "yes": _("Paid"),
              "no": _("Awaiting payment")}
    return _csv(publication_notice_csv(shown, labels, claim_type_label),
                f"notice-{shown.month}-{shown.id}.csv")


@notices.route("/objections")
@login_required
def register_page():
    register = objections(db(), current_user, case_no=request.args.get("case") or None,
                          status=request.args.get("status") or None)
    return render_template("notices/objections.html", register=register)


@notices.post("/objections")
@login_required
def objection_form():
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            made = record_objection(db(), current_user, raised_by=form.raised_by.data, text=form.text.data,
                                    line_id=(form.line.data or "").strip() or None,
                                    case_no=(form.case_no.data or "").strip() or None,
                                    raised_on=(form.raised_on.data or "").strip() or None)
        except Refusal as refused:
            keep("objection", form, problem=refusal_text(refused))
            return again(_objection_page(form), refused.status)
        db().commit()
        flash(_("Objection %(id)s is registered; the payment it concerns is held until it is closed.",
                id=made.id), "success")
        return redirect(url_for("notices.register_page"))
    keep("objection", form)
    return again(_objection_page(form))


def _objection_page(form: ObjectionForm):
    """The page the refused objection was sent from: a publication's or the register."""
    if (form.publication.data or "").isdigit():
        return show(int(form.publication.data))
    return register_page()


@notices.post("/objections/<int:objection_id>/close")
@login_required
def close_form(objection_id: int):
    form = CloseForm()
    if form.validate_on_submit():
        try:
            close_objection(db(), current_user, objection_id, outcome=form.outcome.data,
                            reason=form.reason.data)
        except Refusal as refused:
            keep("close", form, key=objection_id, problem=refusal_text(refused))
            return again(register_page(), refused.status)
        db().commit()
        flash(_("Objection %(id)s is closed.", id=objection_id), "success")
        return redirect(url_for("notices.register_page"))
    keep("close", form, key=objection_id)
    return again(register_page())


@notices.route("/fund-report")
@login_required
def fund_page():
    report = fund_report(db(), current_user, request.args.get("year"))
    entries = income_entries(db(), current_user, report.year)
    return render_template("notices/fund_report.html", report=report, entries=entries)


@notices.route("/fund-report.csv")
@login_required
def fund_csv():
    report = fund_report(db(), current_user, request.args.get("year"))
    labels = {"quarter": _("Quarter"), "opening": _("Opening balance (yuan)"), "income": _("Income (yuan)"),
              "claimants": _("Benefits paid to claimants (yuan)"),
              "providers": _("Settlements paid to providers (yuan)"), "expense": _("Expense (yuan)"),
              "closing": _("Closing balance (yuan)"), "year": _("Whole year")}
    return _csv(fund_report_csv(report, labels), f"fund-report-{report.year}.csv")


@notices.post("/fund-income")
@login_required
def income_form():
    form = IncomeForm()
    if form.validate_on_submit():
        try:
            entry = record_income(db(), current_user, received_on=form.received_on.data.strip(),
                                  amount=str(signed_yuan(form.amount.data)), source=form.source.data,
                                  note=form.note.data)
        except Refusal as refused:
            keep("income", form, problem=refusal_text(refused))
            return again(fund_page(), refused.status)
        db().commit()
        flash(_("The income is booked."), "success")
        return redirect(url_for("notices.fund_page", year=entry.received_on.year))
    keep("income", form)
    return again(fund_page())


# --- API (token) ---------------------------------------------------------------------------------

@notices_api.get("/publications")
@token_required
def list_api():
    return jsonify(publications=[publication_json(p) for p in publications(db(), g.api_user,
                                                                            request.args.get("month"))])


@notices_api.post("/publications")
@token_required
def create_api():
    body = parse_body(PublicationBody)
    made = create_publication(db(), g.api_user, month=body.month, posted_from=body.posted_from,
                              posted_to=body.posted_to, posted_where=body.posted_where)
    shown = publication_json(made)
    db().commit()
    return jsonify(shown), 201


@notices_api.get("/publications/<int:publication_id>")
@token_required
def show_api(publication_id: int):
    shown = get_publication(db(), g.api_user, publication_id)
    return jsonify(publication_json(shown))


@notices_api.get("/objections")
@token_required
def register_api():
    register = objections(db(), g.api_user, case_no=request.args.get("case") or None,
                          publication_id=request.args.get("publication") or None,
                          status=request.args.get("status") or None)
    return jsonify(objections=[objection_json(o, case_no) for o, case_no in register])


@notices_api.post("/objections")
@token_required
def objection_api():
    body = parse_body(ObjectionBody)
    made = record_objection(db(), g.api_user, raised_by=body.raised_by, text=body.text,
                            line_id=text(body.line), case_no=body.case_no, raised_on=body.raised_on)
    case_no = made_case_no(made)
    db().commit()
    return jsonify(objection_json(made, case_no)), 201


@notices_api.post("/objections/<int:objection_id>/close")
@token_required
def close_api(objection_id: int):
    body = parse_body(OutcomeBody)
    closed = close_objection(db(), g.api_user, objection_id, outcome=body.outcome, reason=body.reason)
    case_no = made_case_no(closed)
    db().commit()
    return jsonify(objection_json(closed, case_no))


@notices_api.get("/fund-report")
@token_required
def fund_api():
    return jsonify(fund_report(db(), g.api_user, request.args.get("year")).as_json())


@notices_api.post("/fund-income")
@token_required
def income_api():
    body = parse_body(IncomeBody)
    entry = record_income(db(), g.api_user, received_on=body.received_on, amount=text(body.amount),
                          source=body.source, note=body.note)
    shown = {"id": entry.id, "received_on": entry.received_on.isoformat(),
             "amount": yuan_text(entry.amount_fen), "source": entry.source, "note": entry.note}
    db().commit()
    return jsonify(shown), 201


def made_case_no(objection) -> str:
    from archive.models import Case

    return db().get(Case, objection.case_id).case_no


notices.register_blueprint(notices_api)
