"""The forms of the case page and the viewer (decision, finding resolution, approved amount,
document kind, field correction, saved list views): each checks what it can before the service,
and a refusal is put beside the field it concerns, so the page can be shown again with what was
typed. The services check everything again; these only say it where it was typed."""

from __future__ import annotations

from flask_babel import get_locale, gettext
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from archive.errors import Refusal
from archive.models.cases import DOCUMENT_KINDS
from archive.web.desk_forms import CHOOSE, FILL_IN, TOO_LONG, DeskForm, yuan_amount
from archive.workflows import deduction_lines
from archive.workflows.adjustments import MAX_REASON

DECISIONS = ("approve", "return", "reject")


def _deduction_lines(_form, field) -> None:
    """Lines the service could not read at all; their amounts it checks with the rest."""
    try:
        deduction_lines(field.data)
    except Refusal as refusal:
        raise ValidationError(refusal.message(gettext, get_locale())) from None


class DecisionForm(DeskForm):
    """A decision at the step the case waits at. The findings of the step (finding-NAME) are
    the step's own and checked by the service; what the step requires (an opinion, what is
    missing) is the service's to say, naming the field it concerns (`place_refusal`)."""

    decision = StringField("decision", validators=[InputRequired(CHOOSE), AnyOf(DECISIONS, CHOOSE)])
    opinion = TextAreaField("opinion", validators=[Length(max=2000, message=TOO_LONG)])
    # The kinds are checked below: choices given as plain values are deprecated in WTForms.
    missing_kind = SelectMultipleField("missing_kind", validate_choice=False)
    missing = TextAreaField("missing", validators=[Length(max=2000, message=TOO_LONG)])
    deductions = TextAreaField("deductions", validators=[Length(max=5000, message=TOO_LONG),
                                                         _deduction_lines])
    expected_version = IntegerField("expected_version", validators=[InputRequired()])
    step = StringField("step", validators=[Optional(), Length(max=64)])

    def validate_missing_kind(self, field) -> None:
        if any(kind not in DOCUMENT_KINDS for kind in field.data or []):
            raise ValidationError(CHOOSE)


class ResolveFindingForm(DeskForm):
    finding = StringField("finding", validators=[DataRequired(), Length(max=200)])
    reason = StringField("reason", validators=[DataRequired(message=FILL_IN),
                                               Length(max=2000, message=TOO_LONG)])


class AdjustAmountForm(DeskForm):
    """An empty amount sets the approved amount back to the computed one."""

    amount = StringField("amount", validators=[Length(max=20, message=TOO_LONG), yuan_amount])
    reason = StringField("reason", validators=[DataRequired(message=FILL_IN),
                                               Length(max=MAX_REASON, message=TOO_LONG)])


class KindForm(DeskForm):
    kind = StringField("kind", validators=[DataRequired(message=CHOOSE), AnyOf(DOCUMENT_KINDS, CHOOSE)])


class SavedViewForm(DeskForm):
    name = StringField("name", validators=[DataRequired(message=FILL_IN),
                                           Length(max=64, message=TOO_LONG)])


class FieldCorrectionForm(DeskForm):
    """A field read from a document, corrected in the viewer; the value is checked by the
    service against the field's kind (an amount, a date, an ID number)."""

    value = StringField("value", validators=[Length(max=200, message=TOO_LONG)])
    reason = StringField("reason", validators=[DataRequired(message=FILL_IN),
                                               Length(max=500, message=TOO_LONG)])
    page = IntegerField("page", default=1, validators=[Optional()])
