"""The forms of the provider register's pages: each checks what it can before the service (which
checks everything again), and a refused one is shown again on its page, beside its fields."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from archive.providers.rules import uscc_reason
from archive.web.desk_forms import (
    CHOOSE,
    FILL_IN,
    TOO_LONG,
    DeskForm,
    iso_date,
    iso_month,
    yuan_amount,
)

YEAR = Regexp(r"^\s*\d{4}\s*$", message=_l("Type the year as four digits, e.g. 2026."))
SANCTION_KINDS = ("violation", "warning", "suspension")
PERIODS = ("mid_year", "year_end")


def _typed(limit: int, required: bool = True) -> list:
    return [DataRequired(message=FILL_IN) if required else Optional(), Length(max=limit, message=TOO_LONG)]


def _amount(required: bool = True) -> list:
    return [*([DataRequired(message=FILL_IN)] if required else []), Length(max=20, message=TOO_LONG),
            yuan_amount]


def valid_uscc(_form, field) -> None:
    if problem := uscc_reason(field.data):
        raise ValidationError(_("The unified social credit code %(code)s is not valid: %(reason)s.",
                                code=(field.data or "-").strip().upper() or "-",
                                reason=problem.pick(get_locale())))


class ProviderForm(DeskForm):
    """A new provider; level and type are chosen from the register's settings (set by the view)."""

    name = StringField("name", validators=_typed(128))
    level = SelectField("level", validate_choice=True)
    type = SelectField("type", validate_choice=True)
    uscc = StringField("uscc", validators=[valid_uscc])
    insurance_code = StringField("insurance_code", validators=_typed(32, required=False))
    township = StringField("township", validators=_typed(64, required=False))
    deposit = StringField("deposit", validators=_amount(required=False))


class AliasForm(DeskForm):
    alias = StringField("alias", validators=_typed(128))


class DepositForm(DeskForm):
    amount = StringField("amount", validators=_amount())


class SanctionForm(DeskForm):
    kind = StringField("kind", validators=[DataRequired(message=CHOOSE), AnyOf(SANCTION_KINDS, CHOOSE)])
    starts_on = StringField("starts_on", validators=[DataRequired(message=FILL_IN), iso_date])
    ends_on = StringField("ends_on", validators=[Optional(), iso_date])
    description = StringField("description", validators=_typed(2000))
    case_no = StringField("case_no", validators=_typed(32, required=False))


class AssessmentForm(DeskForm):
    """The year and period; the scores (score_CODE) are the assessment sheet's own items and
    checked by the service."""

    year = StringField("year", validators=[DataRequired(message=FILL_IN), YEAR])
    period = StringField("period", validators=[DataRequired(message=CHOOSE), AnyOf(PERIODS, CHOOSE)])
    assessed_on = StringField("assessed_on", validators=[Optional(), iso_date])


class SettlementForm(DeskForm):
    month = StringField("month", validators=[DataRequired(message=FILL_IN), iso_month])
    claimed = StringField("claimed", validators=_amount())
    received_on = StringField("received_on", validators=[Optional(), iso_date])
    case_no = StringField("case_no", validators=_typed(32, required=False))


class DeductionForm(DeskForm):
    amount = StringField("amount", validators=_amount())
    reason = TextAreaField("reason", validators=_typed(2000))


class SettleForm(DeskForm):
    settled_on = StringField("settled_on", validators=[Optional(), iso_date])


class ExplainForm(DeskForm):
    explanation = StringField("explanation", validators=_typed(2000))


class YearEndForm(DeskForm):
    year = StringField("year", validators=[DataRequired(message=FILL_IN), YEAR])
