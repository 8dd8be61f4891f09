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

from archive.auth import can
from archive.models import LoanStatus
from archive.records import loans as service
from archive.retention import schedule
from archive.web.context import db
from archive.web.i18n import label

loans = Blueprint("loans", __name__, url_prefix="/loans")

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
    form = request.form
    loan = service.grant_loan(db(), form.get("case_no", "").strip(), actor=current_user,
                              borrower=form.get("borrower", ""), last_day=form.get("last_day", ""),
                              reason=form.get("reason", ""))
    db().commit()
    flash(_("Loan #%(id)s of case %(case_no)s registered; it takes effect once approved.",
            id=loan.id, case_no=loan.case.case_no), "success")
    return redirect(url_for("loans.index"))


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
    loan = service.revoke_loan(db(), loan_id, actor=current_user, reason=request.form.get("reason", ""))
    db().commit()
    flash(_("Loan #%(id)s ended.", id=loan.id), "success")
    return redirect(url_for("loans.index"))
