"""The JSON bodies the API accepts, checked before any service sees them.

Each body is a pydantic model that forbids keys it does not name, so a key such as `actor`
or `case_no` can never reach a service's keyword arguments, and a value of the wrong shape
(an object where text belongs) is a 400 with its reason, not a 500.
"""

from __future__ import annotations

from typing import Annotated

from flask import request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from archive.intake import Rejected

# A JSON scalar; numbers and flags are accepted where the services parse text (amounts, flags).
Scalar = StrictStr | StrictInt | StrictFloat | StrictBool
Text = Annotated[StrictStr, Field(max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseOpening(Body):
    claimant_name: Scalar | None = None
    claim_type: Scalar | None = None
    claimant_id_number: Scalar | None = None
    insurance_number: Scalar | None = None
    township: Scalar | None = None
    village: Scalar | None = None
    amount: Scalar | None = None
    out_of_county: Scalar | None = None
    designated_provider: Scalar | None = None
    hospital: Scalar | None = None
    filed_by: Scalar | None = None


class CaseCorrection(CaseOpening):
    reason: Text | None = None


class FieldCorrection(Body):
    value: Scalar | None = None
    reason: Text | None = None


class Reclassification(Body):
    kind: Text | None = None
    reason: Text | None = None


class Removal(Body):
    reason: Text | None = None


class Decision(Body):
    decision: Text | None = None
    opinion: Text | None = None
    expected_version: StrictInt | StrictStr | None = None
    step: Text | None = None
    findings: dict[str, Scalar | None] | None = None
    missing: list[Text] | Text | None = None
    deductions: list[dict[str, Scalar | None]] | None = None


class FindingResolution(Body):
    finding: Text | None = None
    reason: Text | None = None


class AmountAdjustment(Body):
    amount: Scalar | None = None
    reason: Text | None = None


# A year's days off or make-up working days: lines of text, or {"day" | "from", "to", "name"}.
Days = Text | list[Text | dict[str, Scalar | None]]


class CalendarEntry(Body):
    holidays: Days | None = None
    workdays: Days | None = None
    notice: Text | None = None


class PhoneCall(Body):
    month: Text | None = None
    outcome: Text | None = None
    note: Text | None = None


class RecheckFinding(Body):
    outcome: Text | None = None
    note: Text | None = None
    difference: Scalar | None = None


def parse_body(model: type[Body], *, required: bool = True) -> Body:
    """The request's JSON body as `model`, or a 400 naming what is wrong with it."""
    body = request.get_json(silent=True)
    if body is None and not required:
        return model()
    if not isinstance(body, dict):
        raise Rejected("send a JSON object", code="bad_json", status=400)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise Rejected("; ".join(_problem(error) for error in exc.errors()[:10]),
                       code="bad_json", status=400) from None


def _problem(error) -> str:
    where = ".".join(str(part) for part in error["loc"] if not str(part).startswith(("str", "int", "float",
                                                                                     "bool", "list", "dict")))
    if error["type"] == "extra_forbidden":
        return f"unknown field {where!r}"
    return f"{where!r}: {error['msg']}"


def text(value) -> str | None:
    return None if value is None else str(value)
