"""The loans desk (借阅): archivists register loans of a case to a person, another person
approves them, archivists end them early; everyone else sees their own loans here.

Forms are CSRF-protected (the app's CSRFProtect); archive.records.loans checks roles, the
separation of granter and approver, and the dates; its refusals become 403 / 409 / 422.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from archive.auth import can
from archive.errors import Refusal
from archive.models import LoanStatus
from archive.records import loans as service
from archive.retention import schedule
from archive.web.context import db
from archive.web.desk_forms import (
    again,
    at_most,
    iso_date,
    keep,
    refusal_text,
    required,
    share_with_templates,
)
from archive.web.i18n import label

loans = Blueprint("loans", __name__, url_prefix="/loans")
share_with_templates(loans)


class GrantForm(FlaskForm):
    case_no = StringField("case_no", validators=[required(), at_most(32)])
    borrower = StringField("borrower", validators=[required(), at_most(64)])
    last_day = StringField("last_day", validators=[required(), iso_date])
    reason = StringField("reason", validators=[required(), at_most(500)])


class RevokeForm(FlaskForm):
    reason = StringField("reason", validators=[required(), at_most(500)])

STATUS_LABELS = {LoanStatus.PENDING: _l("waiting for approval"), LoanStatus.ACTIVE: _l("in force"),
                 LoanStatus.EXPIRED: _l("expired"), LoanStatus.REVOKED: _l("revoked")}


@loans.app_template_global()
def loan_status_label(status: str) -> str:
    return label(STATUS_LABELS.get(status, status))


@loans.route("")
@login_required
def index():
    return render_template("loans/index.html", loans=service.list_loans(db(), current_user),
                           may_grant=can(current_user, "loans.grant"),
                           may_approve=can(current_user, "loans.approve"),
                           max_days=schedule().loan_max_days,
                           case_no=request.args.get("case", ""))


@loans.post("")
@login_required
def grant():
    form = GrantForm()
    if form.validate_on_submit():
        try:
            loan = service.grant_loan(db(), form.case_no.data.strip(), actor=current_user,
                                      borrower=form.borrower.data, last_day=form.last_day.data.strip(),
                                      reason=form.reason.data)
        except Refusal as refused:
            keep("grant", form, problem=refusal_text(refused))
            return again(index(), refused.status)
        db().commit()
        flash(_("Loan #%(id)s of case %(case_no)s registered; it takes effect once approved.",
                id=loan.id, case_no=loan.case.case_no), "success")
        return redirect(url_for("loans.index"))
    keep("grant", form)
    return again(index())


@loans.post("/<int:loan_id>/approve")
@login_required
def approve(loan_id: int):
    loan = service.approve_loan(db(), loan_id, actor=current_user)
    db().commit()
    flash(_("Loan #%(id)s approved.", id=loan.id), "success")
    return redirect(url_for("loans.index"))


@loans.post("/<int:loan_id>/revoke")
@login_required
def revoke(loan_id: int):
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            loan = service.revoke_loan(db(), loan_id, actor=current_user, reason=form.reason.data)
        except Refusal as refused:
            keep("revoke", form, key=loan_id, problem=refusal_text(refused))
            return again(index(), refused.status)
        db().commit()
        flash(_("Loan #%(id)s ended.", id=loan.id), "success")
        return redirect(url_for("loans.index"))
    keep("revoke", form, key=loan_id)
    return again(index())
