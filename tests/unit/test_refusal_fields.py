"""A refusal names the input it concerns (`concerns=`), and a desk form shows it beside that
field whatever the message's words: rewording a message must not move it to the form's top."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from archive.errors import Refusal
from archive.intake import Rejected
from archive.providers import inputs
from archive.signoff.errors import Incomplete
from archive.web.case_forms import AdjustAmountForm, DecisionForm
from archive.web.desk_forms import place_refusal
from archive.workflows import deduction_lines


@pytest.fixture
def request_context():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    with app.test_request_context(method="POST"):
        yield


def test_the_field_survives_beside_a_message_parameter_called_field():
    refusal = Incomplete("“%(value)s” cannot be taken as %(field)s.", concerns="value",
                         value="12", field="invoice number")
    assert refusal.field == "value"
    assert refusal.params == {"value": "12", "field": "invoice number"}
    assert refusal.message() == "“12” cannot be taken as invoice number."
    assert Rejected("bad kind", code="invalid_kind", concerns="kind").field == "kind"
    assert Refusal("no field named").field is None


def test_services_name_the_input_they_refuse():
    with pytest.raises(Incomplete) as line:
        deduction_lines("no amount here")
    assert line.value.field == "deductions"
    with pytest.raises(Refusal) as alias:
        inputs.text("  ", "alias")
    assert alias.value.field == "alias"


def test_a_reworded_refusal_still_lands_beside_its_field(request_context):
    form = AdjustAmountForm(formdata=MultiDict({"amount": "5", "reason": "x"}))
    place_refusal(form, Incomplete("Words no form was ever told about.", concerns="reason"), "said")
    assert form.reason.errors == ["said"] and not form.amount.errors and form.form_errors == []

    decision = DecisionForm(formdata=MultiDict({"decision": "approve"}))
    place_refusal(decision, Incomplete("An opinion is what this lacks.", concerns="deductions"), "d")
    assert decision.deductions.errors == ["d"] and not decision.opinion.errors


def test_a_refusal_of_no_field_of_the_form_goes_to_its_top(request_context):
    form = AdjustAmountForm(formdata=MultiDict({"amount": "5", "reason": "x"}))
    place_refusal(form, Incomplete("The reason of the amount.", concerns="opinion"), "elsewhere")
    place_refusal(form, Incomplete("The reason of the amount."), "nowhere")
    assert form.form_errors == ["elsewhere", "nowhere"]
    assert not form.reason.errors and not form.amount.errors
