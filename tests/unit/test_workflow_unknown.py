"""An unknown value never takes the lenient branch: three-valued conditions and `if_unknown`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from archive.signoff import registry
from archive.signoff.conditions import parse_condition
from archive.signoff.steps import StepError, parse_step

LIMITS = {"big": 20000}


def test_a_condition_on_an_empty_field_is_unknown_unless_another_clause_is_false():
    condition = parse_condition([{"field": "claim_type", "op": "==", "value": "trauma"},
                                 {"field": "amount", "op": ">=", "value": {"limit": "big"}}],
                                "when", LIMITS)
    assert condition.evaluate({"claim_type": "trauma", "amount": None}) is None
    assert condition.unknown_fields({"claim_type": "trauma", "amount": None}) == ["amount"]
    assert condition.evaluate({"claim_type": "inpatient", "amount": None}) is False
    assert condition.unknown_fields({"claim_type": "inpatient", "amount": None}) == []
    assert condition.evaluate({"claim_type": "trauma", "amount": Decimal("20000")}) is True
    assert not condition.holds({"claim_type": "trauma", "amount": None})  # start_when, deadlines


def test_window_intake_investigates_or_blocks_on_an_unknown_amount():
    window = registry().get("window_intake")
    trauma, phone = window.step("trauma_investigation"), window.step("phone_verification")
    assert (trauma.if_unknown, phone.if_unknown) == ("apply", "block")
    unknown_trauma = {"claim_type": "trauma", "amount": None, "out_of_county": False}
    assert trauma.applies(unknown_trauma) and window.unknown_routing(unknown_trauma) == []
    assert not trauma.applies({**unknown_trauma, "amount": Decimal("500")})
    far = {"claim_type": "inpatient", "amount": None, "out_of_county": True}
    blocked = [(s.id, fields) for s, fields in window.unknown_routing(far)]
    assert blocked == [("phone_verification", ["amount"])]
    assert window.unknown_routing({**far, "out_of_county": False}) == []  # known not to apply


def test_if_unknown_takes_only_apply_or_block():
    raw = {"id": "check", "zh": "核查", "en": "Check", "role": "reviewer", "if_unknown": "skip"}
    with pytest.raises(StepError, match="if_unknown must be one of apply, block"):
        parse_step(raw, {"reviewer"}, {})
    assert parse_step({**raw, "if_unknown": "block"}, {"reviewer"}, {}).if_unknown == "block"
    default = parse_step({k: v for k, v in raw.items() if k != "if_unknown"}, {"reviewer"}, {})
    assert default.if_unknown == "apply"
