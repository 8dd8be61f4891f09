"""The money of a case on the desk and over the API: the computation line by line, and a
reviewer's adjustment of the approved amount with its reason."""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from archive.claims import bind_batch, case_money, payment_batch, view_money
from archive.signoff import Incomplete
from archive.web.api import token_required
from archive.web.bodies import AmountAdjustment, parse_body, text
from archive.web.case_forms import AdjustAmountForm
from archive.web.cases import case_page
from archive.web.context import db
from archive.web.desk_forms import place_refusal
from archive.workflows.adjustments import adjust_approved

claims = Blueprint("claims", __name__)
claims_api = Blueprint("claims_api", __name__, url_prefix="/api")


@claims.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(claims_api)


@claims.app_template_global()
def claim_money(case):
    """The case page's computation table (templates/cases/_computation.html)."""
    return case_money(db(), case)


@claims.post("/cases/<case_no>/approved-amount")
@login_required
def adjust_form(case_no: str):
    form = AdjustAmountForm()
    if form.validate_on_submit():
        try:
            adjust_approved(db(), case_no, actor=current_user, amount=form.amount.data,
                            reason=form.reason.data)
        except Incomplete as refusal:  # not a wrong role or a closed case: the error page says those
            db().rollback()
            place_refusal(form, refusal, refusal.message(_, get_locale()))
        else:
            db().commit()
            flash(_("The approved amount of case %(case_no)s is adjusted; your signature will "
                    "cover it.", case_no=case_no), "success")
            return redirect(url_for("cases.show", case_no=case_no) + "#computation")
    return case_page(case_no, forms={"adjust": form}), 422


@claims_api.get("/cases/<case_no>/computation")
@token_required
def computation_api(case_no: str):
    money = view_money(db(), g.api_user, case_no)
    db().commit()
    return jsonify(case_no=case_no, **money.as_json())


@claims_api.post("/cases/<case_no>/approved-amount")
@token_required
def adjust_api(case_no: str):
    """{"amount": "1234.50" (empty: back to the computed amount), "reason": "..."}"""
    body = parse_body(AmountAdjustment)
    money = adjust_approved(db(), case_no, actor=g.api_user, amount=text(body.amount), reason=body.reason)
    db().commit()
    return jsonify(case_no=case_no, **money.as_json())


@claims_api.get("/payment-batches/<month>")
@token_required
def batch_api(month: str):
    """A month's payments with their vouchers (支付凭单), and its binding if bound."""
    return jsonify(payment_batch(db(), g.api_user, month).as_json())


@claims_api.post("/payment-batches/<month>/bind")
@token_required
def bind_api(month: str):
    """Bind a closed month's batch of payment vouchers (支付凭单装订成册), once."""
    batch = bind_batch(db(), g.api_user, month)
    db().commit()
    return jsonify(batch.as_json()), 201


claims.register_blueprint(claims_api)
