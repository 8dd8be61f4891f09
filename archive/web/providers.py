"""The provider register (定点医疗机构管理) on the desk and over the API: thin views over
archive.providers; the same services serve the CLI. Amounts are typed in yuan and kept and
answered in fen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from archive.auth import can
from archive.errors import Refusal
from archive.providers import (
    add_alias,
    add_deduction,
    assessment_json,
    assessment_sheet,
    edit_provider,
    finding_json,
    get_provider,
    lodge_deposit,
    provider_json,
    providers,
    reckon_year,
    record_assessment,
    record_sanction,
    record_settlement,
    register_provider,
    register_settings,
    reminder_json,
    renewal_reminders,
    resolve_finding,
    sanction_json,
    settle,
    settlement_json,
    settlements_due,
    year_end_json,
)
from archive.web.api import token_required
from archive.web.bodies import Body, Scalar, Text, parse_body, text
from archive.web.context import db
from archive.web.desk_forms import FILL_IN, TOO_LONG, place_refusal
from archive.web.i18n import ACTION_LABELS
from archive.web.provider_forms import (
    AliasForm,
    AssessmentForm,
    DeductionForm,
    DepositForm,
    ExplainForm,
    ProviderForm,
    SanctionForm,
    SettleForm,
    SettlementForm,
    YearEndForm,
)

# The register's events as the audit trail shows them.
ACTION_LABELS.update({
    "provider.registered": _l("provider registered"), "provider.violation": _l("provider violation recorded"),
    "provider.warning": _l("provider warned"), "provider.suspension": _l("provider suspended"),
    "provider.assessed": _l("provider assessed"), "provider.deposit_lodged": _l("provider deposit lodged"),
    "provider.settlement_received": _l("provider settlement received"),
    "provider.deduction": _l("deduction from a provider settlement"),
    "provider.settled": _l("provider settlement settled"),
    "provider.year_end": _l("self-pay cap reckoned for the year"),
    "provider.edited": _l("provider record changed"),
    "provider.settlement_finding_resolved": _l("settlement finding explained"),
    "provider.alias_added": _l("provider alias added"),
})


register = Blueprint("providers", __name__)
register_api = Blueprint("providers_api", __name__, url_prefix="/api")


@register.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(register_api)


class ProviderBody(Body):
    name: Text | None = None
    level: Text | None = None
    type: Text | None = None
    uscc: Text | None = None
    insurance_code: Scalar | None = None
    township: Text | None = None
    deposit: Scalar | None = None


class SanctionBody(Body):
    kind: Text | None = None
    starts_on: Text | None = None
    ends_on: Text | None = None
    description: Text | None = None
    case_no: Text | None = None


class AssessmentBody(Body):
    year: Scalar | None = None
    period: Text | None = None
    scores: dict[str, Scalar | None] | None = None
    assessed_on: Text | None = None


class ProviderEditBody(Body):
    name: Text | None = None
    level: Text | None = None
    type: Text | None = None
    uscc: Text | None = None
    insurance_code: Scalar | None = None
    township: Text | None = None
    reason: Text | None = None


class FindingBody(Body):
    explanation: Text | None = None


class SettlementBody(Body):
    month: Text | None = None
    claimed: Scalar | None = None
    received_on: Text | None = None
    case_no: Text | None = None


class ProviderEditForm(ProviderForm):
    """A provider's record as changed on the desk, with the reason; the service checks it all
    again (and the codes against the rest of the register)."""

    deposit = None
    reason = TextAreaField("reason", validators=[DataRequired(message=FILL_IN),
                                                 Length(max=2000, message=TOO_LONG)])


class DeductionBody(Body):
    amount: Scalar | None = None
    reason: Text | None = None


class SettleBody(Body):
    settled_on: Text | None = None


class AliasBody(Body):
    alias: Text | None = None


class DepositBody(Body):
    amount: Scalar | None = None


class YearBody(Body):
    year: Scalar | None = None


@register.app_template_global("provider_reminders")
def provider_reminders():
    """The renewal reminders on the dashboards of those who keep the register: the admin and
    audit desks (providers.manage)."""
    if not can(current_user, "providers.manage"):
        return []
    return renewal_reminders(db(), current_user)


@register.app_template_global("provider_settlements_due")
def provider_settlements_due():
    """Provider settlements (内报) due within 5 working days or overdue, for the same dashboards."""
    if not can(current_user, "providers.manage"):
        return []
    return settlements_due(db(), current_user)


@register.app_template_global("provider_settings")
def provider_settings():
    return register_settings()


# --- pages ---------------------------------------------------------------------------------------

@register.route("/providers")
@login_required
def index():
    return _index_page()


def _index_page(form: ProviderForm | None = None):
    listed = [provider_json(db(), p) for p in providers(db(), current_user)]
    return render_template("providers/index.html", providers=listed,
                           form=form or _choices(ProviderForm(formdata=None))), 422 if form else 200


def _choices(form):
    """Level and type as the register's settings name them, in the page's language."""
    settings = register_settings()
    locale = "en" if str(get_locale()).startswith("en") else "zh"
    form.level.choices = [(k, v.get(locale, k)) for k, v in settings.levels.items()]
    form.type.choices = [(k, v.get(locale, k)) for k, v in settings.types.items()]
    return form


@register.post("/providers")
@login_required
def create_form():
    form = _choices(ProviderForm())
    if form.validate_on_submit():
        try:
            made = register_provider(db(), current_user, name=form.name.data, level=form.level.data,
                                     kind=form.type.data, uscc=form.uscc.data,
                                     insurance_code=form.insurance_code.data,
                                     township=form.township.data, deposit=form.deposit.data or None)
        except Refusal as refusal:
            _refused_here(form, refusal)
        else:
            db().commit()
            flash(_("%(name)s is in the register.", name=made.name), "success")
            return redirect(url_for("providers.show", provider_id=made.id))
    return _index_page(form)


@register.route("/providers/<int:provider_id>")
@login_required
def show(provider_id: int):
    return _show_page(provider_id)


def _show_page(provider_id: int, forms: dict | None = None):
    """The provider's page; `forms` are its refused forms by name, shown again with what was
    typed and each error beside its field (the page's other forms empty)."""
    shown = provider_json(db(), get_provider(db(), current_user, provider_id), full=True,
                          reader=current_user)
    return render_template("providers/show.html", provider=shown, sheet=assessment_sheet(),
                           provider_forms=forms or {}), 422 if forms else 200


# A refusal a person can act on is shown on the page; a wrong role or a missing record is not.
SHOWN_ON_PAGE = (400, 409, 422)


def _refused_here(form, refusal: Refusal) -> None:
    if refusal.status not in SHOWN_ON_PAGE:
        raise refusal
    db().rollback()
    place_refusal(form, refusal, refusal.message(_, get_locale()))


def _recorded(form, name: str, provider_id: int, act, **shown):
    """Validate `form`, then `act()`: "Recorded." and back to the provider's page; else that page
    again, this form (`name`, and `shown` to tell which row it belongs to) with its errors."""
    if form.validate_on_submit():
        try:
            act()
        except Refusal as refusal:
            _refused_here(form, refusal)
        else:
            db().commit()
            flash(_("Recorded."), "success")
            return redirect(url_for("providers.show", provider_id=provider_id))
    for key, value in shown.items():
        setattr(form, key, value)
    return _show_page(provider_id, {name: form})


@register.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@login_required
def edit(provider_id: int):
    """Change the record with the reason: each error beside its field, nothing changed on one."""
    provider = get_provider(db(), current_user, provider_id)
    form = ProviderEditForm(data={"name": provider.name, "level": provider.level, "type": provider.kind,
                                  "uscc": provider.uscc, "insurance_code": provider.insurance_code or "",
                                  "township": provider.township or ""})
    settings = register_settings()
    locale = "en" if str(get_locale()).startswith("en") else "zh"
    form.level.choices = [(k, v.get(locale, k)) for k, v in settings.levels.items()]
    form.type.choices = [(k, v.get(locale, k)) for k, v in settings.types.items()]
    if form.validate_on_submit():
        try:
            edit_provider(db(), current_user, provider_id, reason=form.reason.data, name=form.name.data,
                          level=form.level.data, kind=form.type.data, uscc=form.uscc.data,
                          insurance_code=form.insurance_code.data, township=form.township.data)
        except Refusal as refused:
            db().rollback()
            place_refusal(form, refused, refused.message(_, get_locale()))
        else:
            db().commit()
            flash(_("The record of %(name)s was changed.", name=form.name.data), "success")
            return redirect(url_for("providers.show", provider_id=provider_id))
    status = 400 if form.errors else 200
    return render_template("providers/edit.html", provider=provider_json(db(), provider), form=form), status


@register.route("/providers/settlements/due")
@login_required
def due():
    """Every unsettled provider settlement with its due date (20 working days from receipt), the
    soonest first; those blocked by an unexplained finding marked."""
    listed = settlements_due(db(), current_user, within=None)
    return render_template("providers/due.html", settlements=[
        (settlement_json(db(), s, current_user), name, overdue) for s, name, overdue in listed])


@register.post("/providers/settlements/findings/<int:finding_id>/resolve")
@login_required
def finding_form(finding_id: int):
    from archive.models import ProviderSettlementFinding

    form = ExplainForm()
    finding = db().get(ProviderSettlementFinding, finding_id)
    if finding is None:
        abort(404)
    return _recorded(form, "explain", made_provider(finding.settlement_id), lambda: resolve_finding(
        db(), current_user, finding_id, explanation=form.explanation.data), finding_id=finding_id)


@register.post("/providers/<int:provider_id>/aliases")
@login_required
def alias_form(provider_id: int):
    form = AliasForm()
    return _recorded(form, "alias", provider_id, lambda: add_alias(
        db(), current_user, provider_id, alias=form.alias.data))


@register.post("/providers/<int:provider_id>/sanctions")
@login_required
def sanction_form(provider_id: int):
    form = SanctionForm()
    return _recorded(form, "sanction", provider_id, lambda: record_sanction(
        db(), current_user, provider_id, kind=form.kind.data, starts_on=form.starts_on.data,
        ends_on=form.ends_on.data or None, description=form.description.data,
        case_no=form.case_no.data or None))


@register.post("/providers/<int:provider_id>/assessments")
@login_required
def assessment_form(provider_id: int):
    form = AssessmentForm()
    # The scores are named by the assessment sheet's items (score_CODE), not by the form.
    scores = {key.removeprefix("score_"): value for key, value in request.form.items()
              if key.startswith("score_")}
    return _recorded(form, "assessment", provider_id, lambda: record_assessment(
        db(), current_user, provider_id, year=form.year.data, period=form.period.data,
        scores=scores, assessed_on=form.assessed_on.data or None), scores=scores)


@register.post("/providers/<int:provider_id>/settlements")
@login_required
def settlement_form(provider_id: int):
    form = SettlementForm()
    return _recorded(form, "settlement", provider_id, lambda: record_settlement(
        db(), current_user, provider_id, month=form.month.data, claimed=form.claimed.data,
        received_on=form.received_on.data or None, case_no=form.case_no.data or None))


@register.post("/providers/settlements/<int:settlement_id>/deductions")
@login_required
def deduction_form(settlement_id: int):
    form = DeductionForm()
    return _recorded(form, "deduction", _settlement_provider(settlement_id), lambda: add_deduction(
        db(), current_user, settlement_id, amount=form.amount.data, reason=form.reason.data),
        settlement_id=settlement_id)


@register.post("/providers/settlements/<int:settlement_id>/settle")
@login_required
def settle_form(settlement_id: int):
    form = SettleForm()
    return _recorded(form, "settle", _settlement_provider(settlement_id), lambda: settle(
        db(), current_user, settlement_id, settled_on=form.settled_on.data or None),
        settlement_id=settlement_id)


@register.post("/providers/<int:provider_id>/deposit")
@login_required
def deposit_form(provider_id: int):
    form = DepositForm()
    return _recorded(form, "deposit", provider_id, lambda: lodge_deposit(
        db(), current_user, provider_id, amount=form.amount.data))


@register.post("/providers/<int:provider_id>/year-end")
@login_required
def year_end_form(provider_id: int):
    form = YearEndForm()
    return _recorded(form, "year_end", provider_id, lambda: reckon_year(
        db(), current_user, provider_id, year=form.year.data))


def _settlement_provider(settlement_id: int) -> int:
    settlement = made_settlement(settlement_id)
    if settlement is None:
        abort(404)
    return settlement.provider_id


def made_provider(settlement_id: int) -> int:
    from archive.models import ProviderSettlement

    return db().get(ProviderSettlement, settlement_id).provider_id


# --- API (token) ---------------------------------------------------------------------------------

@register_api.get("/providers")
@token_required
def list_api():
    return jsonify(providers=[provider_json(db(), p) for p in providers(db(), g.api_user)])


@register_api.get("/providers/reminders")
@token_required
def reminders_api():
    return jsonify(reminders=[reminder_json(r) for r in renewal_reminders(db(), g.api_user)])


@register_api.post("/providers")
@token_required
def create_api():
    body = parse_body(ProviderBody)
    made = register_provider(db(), g.api_user, name=body.name, level=body.level, kind=body.type,
                             uscc=body.uscc, insurance_code=text(body.insurance_code),
                             township=body.township, deposit=text(body.deposit))
    shown = provider_json(db(), made)
    db().commit()
    return jsonify(shown), 201


@register_api.get("/providers/<int:provider_id>")
@token_required
def show_api(provider_id: int):
    return jsonify(provider_json(db(), get_provider(db(), g.api_user, provider_id), full=True,
                                 reader=g.api_user))


@register_api.patch("/providers/<int:provider_id>")
@token_required
def edit_api(provider_id: int):
    """Change the values given (the others stay), with `reason`; the trail keeps old and new."""
    body = parse_body(ProviderEditBody)
    made = edit_provider(db(), g.api_user, provider_id, reason=body.reason, name=body.name, level=body.level,
                         kind=body.type, uscc=body.uscc, insurance_code=text(body.insurance_code),
                         township=body.township)
    shown = provider_json(db(), made)
    db().commit()
    return jsonify(shown)


@register_api.get("/providers/settlements/due")
@token_required
def due_api():
    return jsonify(settlements=[{**settlement_json(db(), s, g.api_user), "provider": name, "overdue": overdue}
                                for s, name, overdue in settlements_due(db(), g.api_user, within=None)])


@register_api.post("/providers/settlements/findings/<int:finding_id>/resolve")
@token_required
def finding_api(finding_id: int):
    body = parse_body(FindingBody)
    made = resolve_finding(db(), g.api_user, finding_id, explanation=body.explanation)
    shown = finding_json(made)
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/<int:provider_id>/aliases")
@token_required
def alias_api(provider_id: int):
    body = parse_body(AliasBody)
    made = add_alias(db(), g.api_user, provider_id, alias=body.alias)
    shown = provider_json(db(), get_provider(db(), g.api_user, made.provider_id))
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/<int:provider_id>/sanctions")
@token_required
def sanction_api(provider_id: int):
    body = parse_body(SanctionBody)
    made = record_sanction(db(), g.api_user, provider_id, kind=body.kind, starts_on=body.starts_on,
                           ends_on=body.ends_on, description=body.description, case_no=body.case_no)
    shown = sanction_json(made, body.case_no if made.case_id else None)
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/<int:provider_id>/assessments")
@token_required
def assessment_api(provider_id: int):
    body = parse_body(AssessmentBody)
    made = record_assessment(db(), g.api_user, provider_id, year=text(body.year), period=body.period,
                             scores=body.scores, assessed_on=body.assessed_on)
    shown = assessment_json(made)
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/<int:provider_id>/settlements")
@token_required
def settlement_api(provider_id: int):
    body = parse_body(SettlementBody)
    made = record_settlement(db(), g.api_user, provider_id, month=body.month, claimed=text(body.claimed),
                             received_on=body.received_on, case_no=body.case_no)
    shown = settlement_json(db(), made, g.api_user)
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/settlements/<int:settlement_id>/deductions")
@token_required
def deduction_api(settlement_id: int):
    body = parse_body(DeductionBody)
    made = add_deduction(db(), g.api_user, settlement_id, amount=text(body.amount), reason=body.reason)
    shown = settlement_json(db(), made_settlement(made.settlement_id), g.api_user)
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/settlements/<int:settlement_id>/settle")
@token_required
def settle_api(settlement_id: int):
    body = parse_body(SettleBody)
    settled = settle(db(), g.api_user, settlement_id, settled_on=body.settled_on)
    shown = settlement_json(db(), settled, g.api_user)
    db().commit()
    return jsonify(shown)


@register_api.post("/providers/<int:provider_id>/deposit")
@token_required
def deposit_api(provider_id: int):
    body = parse_body(DepositBody)
    shown = provider_json(db(), lodge_deposit(db(), g.api_user, provider_id, amount=text(body.amount)))
    db().commit()
    return jsonify(shown), 201


@register_api.post("/providers/<int:provider_id>/year-end")
@token_required
def year_end_api(provider_id: int):
    body = parse_body(YearBody)
    made = reckon_year(db(), g.api_user, provider_id, year=text(body.year))
    shown = year_end_json(made)
    db().commit()
    return jsonify(shown), 201


def made_settlement(settlement_id: int):
    from archive.models import ProviderSettlement

    return db().get(ProviderSettlement, settlement_id)


register.register_blueprint(register_api)
