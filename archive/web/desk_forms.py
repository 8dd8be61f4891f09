"""What the desk forms share: the messages shown beside a field, the checks of dates, months,
counts and sums as people type them (archive.amounts: 元, ￥, full-width figures, 1,234.5), and a
refused form brought back to its own page with what was typed.

A service's refusal goes beside the field it names (`Refusal.field`) when the form has that
field, else at the form's top (`place_refusal`).

A refused form is kept for the request (`keep`); its page asks for it by the form's kind and, on
pages with a form per row, the row's key (`typed_form`, `form_problem` in the templates), so each
error appears beside its field in the row it came from, and the other rows stay blank.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from flask import Blueprint, flash, g
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from archive.amounts import parse_yuan
from archive.errors import Refusal
from archive.web.context import db

FILL_IN = _l("Fill in this field.")
TOO_LONG = _l("This is too long.")
CHOOSE = _l("Choose one of the listed options.")
AMOUNT = _l("Enter an amount in yuan with at most two decimals, e.g. 1234.50 or ￥1,234.50.")
DATE = _l("Enter a date as YYYY-MM-DD, e.g. 2026-03-31.")
MONTH = _l("Enter a month as YYYY-MM, e.g. 2026-03.")


def required() -> DataRequired:
    return DataRequired(message=FILL_IN)


def at_most(length: int) -> Length:
    return Length(max=length, message=TOO_LONG)


class ListedChoice(SelectField):
    """A choice among the listed values, refused in the page's words (not WTForms' own)."""

    def pre_validate(self, form) -> None:
        listed = {str(choice[0] if isinstance(choice, tuple) else choice) for choice in self.choices or ()}
        if str(self.data) not in listed:
            raise ValidationError(CHOOSE)


def iso_date(_form, field) -> None:
    if field.data and field.data.strip():
        try:
            date.fromisoformat(unicodedata.normalize("NFKC", field.data).strip())
        except ValueError:
            raise ValidationError(DATE) from None


def iso_month(_form, field) -> None:
    if field.data and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", field.data.strip()):
        raise ValidationError(MONTH)


def signed_yuan(value: str | None) -> Decimal | None:
    """A sum that may be negative (a correction, an underpayment), as typed: "-￥12.50",
    "－１２．５０元"; None when it is not a sum."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    negative = text.startswith("-")
    amount = parse_yuan(text.removeprefix("-").strip())
    return None if amount is None else (-amount if negative else amount)


def yuan(*, signed: bool = False, allow_zero: bool = True):
    """A sum in yuan as people type it (￥, 元, full-width figures, thousands separators)."""

    def check(_form, field) -> None:
        if not (field.data and field.data.strip()):
            return
        amount = signed_yuan(field.data) if signed else parse_yuan(field.data)
        if amount is None or (amount == 0 and not allow_zero):
            raise ValidationError(AMOUNT)

    return check


yuan_amount = yuan()


def whole_number(text: str | None) -> int | None:
    """A count as typed, with full-width figures or thousands separators; None if not one."""
    figures = unicodedata.normalize("NFKC", text or "").strip()
    if not re.fullmatch(r"[0-9][0-9,]*", figures):
        return None
    try:
        return int(parse_decimal(figures, locale="zh_CN", strict=True))
    except NumberFormatError:
        return None


def count_between(low: int, high: int):
    def check(_form, field) -> None:
        if field.data and field.data.strip():
            number = whole_number(field.data)
            if number is None or not low <= number <= high:
                shown = format_decimal if high >= 10_000 else str  # a year is not 2,026
                raise ValidationError(_("Enter a whole number from %(low)s to %(high)s.",
                                        low=shown(low), high=shown(high)))

    return check


def note_for_discrepancy(form, field) -> None:
    if form.outcome.data == "discrepancy" and not (field.data or "").strip():
        raise ValidationError(_("A discrepancy needs a note saying what did not match."))


def refusal_text(refused: Refusal) -> str:
    """A service's refusal of a valid-looking form, to be shown on the form's page. Being signed
    out or not allowed is no matter of what was typed: those keep their own error page."""
    if refused.status in (401, 403):
        raise refused
    db().rollback()
    return refused.message(_, get_locale())


class DeskForm(FlaskForm):
    """A desk form whose service refusals are placed beside their field (`place_refusal`)."""


def place_refusal(form: FlaskForm, refusal: Refusal, message: str) -> None:
    """Show a service's refusal beside the field it names (`refusal.field`) when the form has
    that field, else at the top of the form (`form.form_errors`)."""
    name = refusal.field
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)


def keep(kind: str, form, *, key=None, problem: str | None = None) -> None:
    g.typed_form = (kind, None if key is None else str(key), form, problem)


def say_at_top(form, problem: str | None = None) -> None:
    """For a form sent from no page that shows it (a script, an old page): the reasons flashed."""
    for message in [problem] if problem else [m for errors in form.errors.values() for m in errors]:
        flash(message, "error")


def refused_in_month(kind: str, form, key, page, problem: str | None = None, status: int = 422):
    """A refused form of a row in a month's list (`page(month)`), drawn again on that month's
    list; sent without its month, the row may not be on the page drawn: its reasons flashed."""
    keep(kind, form, key=key, problem=problem)
    month = None if form.month.errors else (form.month.data or "").strip()
    if not month:
        say_at_top(form, problem)
    return again(page(month or None), status)


def again(page, status: int = 422):
    """The page of a refused form, drawn again with the refusal's status."""
    body = page[0] if isinstance(page, tuple) else page
    return body, status


def typed_form(kind: str, key=None):
    kept = g.get("typed_form")
    if kept and kept[0] == kind and kept[1] == (None if key is None else str(key)):
        return kept[2]
    return None


def form_problem(kind: str, key=None) -> str | None:
    kept = g.get("typed_form")
    if kept and kept[0] == kind and kept[1] == (None if key is None else str(key)):
        return kept[3]
    return None


def share_with_templates(blueprint: Blueprint) -> None:
    """Each desk with such forms registers the two; registering them twice is harmless."""
    blueprint.add_app_template_global(typed_form)
    blueprint.add_app_template_global(form_problem)
