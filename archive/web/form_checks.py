"""What every desk form shares: the messages, the amount check (archive.amounts: 元, ￥, full-width
figures, 1,234.5) and the placing of a service's refusal beside the field it concerns, so a
refused form is shown again with what was typed instead of on a bare error page."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from archive.amounts import parse_yuan
from archive.errors import Refusal

FILL_IN, TOO_LONG = _l("Fill in this field."), _l("This is too long.")
CHOOSE = _l("Choose one of the listed values.")
AMOUNT = _l("Type an amount in yuan, such as 1,234.50 or ￥1234.5元.")
DATE = _l("Type a date as YYYY-MM-DD, e.g. 2026-03-05.")


def yuan_amount(_form, field) -> None:
    if (field.data or "").strip() and parse_yuan(field.data) is None:
        raise ValidationError(AMOUNT)


def iso_date(_form, field) -> None:
    if (field.data or "").strip():
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(DATE) from None


class DeskForm(FlaskForm):
    """A desk form: a service's refusal goes beside the one field it can concern (a form with
    one field to type), else at the form's top; forms with more say which (`refused_field`)."""

    def refused_field(self, refusal: Refusal) -> str | None:
        typed = [f.name for f in self if f.type not in ("CSRFTokenField", "HiddenField")]
        return typed[0] if len(typed) == 1 else None


def place_refusal(form: FlaskForm, refusal: Refusal, message: str) -> None:
    """Show a service's refusal beside the field it concerns, or at the top of the form
    (`form.form_errors`) when it concerns no one field."""
    name = form.refused_field(refusal)
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)
