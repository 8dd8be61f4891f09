"""The case list's filter form: what people type in the list's query, parsed and checked field by
field, so a bad date or amount is said beside its field and the other filters still apply."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from archive.amounts import yuan_to_fen
from archive.case_lists import SORTS, STATUS_TABS, CaseFilters
from archive.models.cases import CLAIM_TYPES
from archive.web.desk_forms import AMOUNT, CHOOSE

SORT_LABELS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"),
               "amount_desc": _l("Largest amount first"), "amount_asc": _l("Smallest amount first"),
               "claimant": _l("By claimant"), "case_no": _l("By case number")}


def _date(text: str | None) -> date | None:
    """A day typed as 2026-03-01 (or 2026/3/1); None when empty; ValueError when not a day."""
    text = (text or "").strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    year, month, day = (int(part) for part in text.split("-"))  # ValueError on anything else
    return date(year, month, day)


class CaseFilterForm(FlaskForm):
    """GET parameters of /cases; no CSRF token: it only reads."""

    class Meta:
        csrf = False

    status = StringField(validators=[Optional(), AnyOf(STATUS_TABS, message=CHOOSE)])
    claim_type = StringField(validators=[Optional(), AnyOf(CLAIM_TYPES, message=CHOOSE)])
    township = StringField(validators=[Optional(), Length(max=64)])
    hospital = StringField(validators=[Optional(), Length(max=128)])
    opened_from = StringField(validators=[Optional()])
    opened_to = StringField(validators=[Optional()])
    amount_min = StringField(validators=[Optional(), Length(max=20)])
    amount_max = StringField(validators=[Optional(), Length(max=20)])
    sort = StringField(validators=[Optional(), AnyOf(tuple(SORTS), message=CHOOSE)])

    def validate_opened_from(self, field) -> None:
        _check_date(field)

    def validate_opened_to(self, field) -> None:
        _check_date(field)
        start, end = _parsed(_date, self.opened_from.data), _parsed(_date, field.data)
        if start and end and end < start:
            raise ValidationError(_l("The end of the range comes before its start."))

    def validate_amount_min(self, field) -> None:
        _check_amount(field)

    def validate_amount_max(self, field) -> None:
        _check_amount(field)
        low, high = _parsed(yuan_to_fen, self.amount_min.data), _parsed(yuan_to_fen, field.data)
        if low is not None and high is not None and high < low:
            raise ValidationError(_l("The largest amount is below the smallest."))

    def filters(self) -> CaseFilters:
        """The filters that passed their checks (a refused one does not narrow the list)."""
        ok = {name: field.data for name, field in self._fields.items()
              if not field.errors and field.data not in (None, "")}
        return CaseFilters(
            status=ok.get("status"), claim_type=ok.get("claim_type"),
            township=(ok.get("township") or "").strip() or None,
            hospital=(ok.get("hospital") or "").strip() or None,
            opened_from=_parsed(_date, ok.get("opened_from")),
            opened_to=_parsed(_date, ok.get("opened_to")),
            amount_min_fen=_parsed(yuan_to_fen, ok.get("amount_min")),
            amount_max_fen=_parsed(yuan_to_fen, ok.get("amount_max")),
            sort=ok.get("sort") or "newest")


def _parsed(parse, text):
    try:
        return parse(text) if text else None
    except ValueError:
        return None


def _check_date(field) -> None:
    try:
        _date(field.data)
    except ValueError:
        raise ValidationError(_l("Type a date such as 2026-03-01.")) from None


def _check_amount(field) -> None:
    if field.data and yuan_to_fen(field.data) is None:
        raise ValidationError(AMOUNT)
