"""Chain definitions: the shipped files load, and a broken file is refused naming its file and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from archive.auth import roles
from archive.signoff import DefinitionError, load_registry, registry
from archive.signoff.conditions import ConditionError, parse_condition
from archive.workflows.filers import filer_of

LIMITS = {"big": 20000}

VALID = """\
# A small chain for the tests.
[chain]
name = "tiny"
zh = "小流程"
en = "Tiny"
priority = 1
start_when = [
  { field = "claim_type", op = "in", value = ["inpatient", "trauma"] },
]
deadline_days = 10
then = "follow"

[separation]
distinct_signers = true

[[step]]
id = "first"
zh = "一"
en = "One"
role = "reviewer"
decisions = ["approve", "return", "reject"]

[[step]]
id = "second"
zh = "二"
en = "Two"
role = "re_reviewer"
when = [
  { field = "claim_type", op = "==", value = "inpatient" },
  { field = "amount", op = ">=", value = { limit = "big" } },
]
"""

FOLLOW = """\
[chain]
name = "follow"
zh = "后续"
en = "Follow-up"
deadline_days = 3

[[step]]
id = "pay"
zh = "付"
en = "Pay"
role = "cashier"
"""


def load(tmp_path, text: str, follow: str = FOLLOW):
    (tmp_path / "tiny.toml").write_text(text, encoding="utf-8")
    (tmp_path / "follow.toml").write_text(follow, encoding="utf-8")
    return load_registry(tmp_path, limits=LIMITS)


def refusal(tmp_path, text: str, **kwargs) -> str:
    with pytest.raises(DefinitionError) as caught:
        load(tmp_path, text, **kwargs)
    return str(caught.value)


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if snippet in line]
    return lines[occurrence - 1]


def changed(old: str, new: str, text: str = VALID) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_the_valid_example_loads(tmp_path):
    chains = load(tmp_path, VALID)
    tiny = chains.get("tiny")
    assert [s.id for s in tiny.steps] == ["first", "second"]
    assert tiny.next_step("first", {"claim_type": "inpatient", "amount": Decimal("20000")}).id == "second"
    assert tiny.next_step("first", {"claim_type": "inpatient", "amount": Decimal("19999.99")}) is None
    assert chains.choose({"claim_type": "trauma"}).name == "tiny"
    assert chains.choose({"claim_type": "referral"}) is None


@pytest.mark.parametrize(("old", "new", "line_with", "says"), [
    ('role = "re_reviewer"', 'role = "chief_of_everything"', "chief_of_everything", "unknown role"),
    ('{ field = "amount", op', '{ field = "salary", op', '"salary"', "unknown field 'salary'"),
    ('op = "in", value = ["inpatient", "trauma"]', 'op = ">=", value = 3', 'op = ">="',
     "cannot be used on text field"),
    ('value = { limit = "big" }', 'value = "lots"', 'value = "lots"', "must be a number"),
    ('limit = "big"', 'limit = "huge"', '"huge"', "unknown limit 'huge'"),
    ('"inpatient", "trauma"]', '"inpatient", "traumatic"]', '"traumatic"', "not a valid claim_type"),
    ('deadline_days = 10', 'deadline_dayz = 10', "deadline_dayz", "unknown key 'deadline_dayz'"),
    ('decisions = ["approve", "return", "reject"]', 'decisions = ["return", "reject"]',
     'decisions = ["return"', "step 'second' is unreachable"),
    ('{ field = "claim_type", op = "==", value = "inpatient" },',
     '{ field = "claim_type", op = "==", value = "maternity" },', "when = [",
     "contradicts the chain's start_when"),
    ('op = ">=", value = { limit = "big" } },',
     'op = "<", value = 0 },\n  { field = "amount", op = ">", value = 5 },', "when = [",
     "contradicts itself"),
    ('id = "second"', 'id = "first"', 'id = "first"', "used twice"),
    ('role = "reviewer"', 'role = "reviewer"\nchecks = ["telepathy"]', "telepathy", "unknown check"),
    ('name = "tiny"', 'name = "small"', 'name = "small"', "must match the file name"),
    ('then = "follow"', 'then = "nowhere"', 'then = "nowhere"', "unknown chain 'nowhere'"),
    ('zh = "二"', 'zh = "二', 'zh = "二', "not valid TOML"),
    ('role = "reviewer"', 'role = "reviewer"\ndeductions = "yes"', "deductions", "true or false"),
])
def test_a_broken_definition_names_file_and_line(tmp_path, old, new, line_with, says):
    text = changed(old, new)
    message = refusal(tmp_path, text)
    occurrence = 2 if new == 'id = "first"' or line_with == "when = [" else 1  # not start_when
    assert message.startswith(f"{tmp_path / 'tiny.toml'}:{line_of(text, line_with, occurrence)}: "), message
    assert says in message


def test_chains_that_follow_each_other_in_a_circle_are_refused(tmp_path):
    follow = FOLLOW.replace("deadline_days = 3", 'deadline_days = 3\nthen = "tiny"')
    message = refusal(tmp_path, VALID, follow=follow)
    assert message.startswith(f"{tmp_path / 'tiny.toml'}:{line_of(VALID, 'then = ')}: ")
    assert "in a circle (follow → tiny → follow)" in message


def test_a_chain_that_can_never_start_is_refused(tmp_path):
    message = refusal(tmp_path, changed('then = "follow"\n', ""))
    assert "follow.toml:1: chain 'follow' can never start" in message


def test_every_shipped_chain_loads_with_known_roles():
    chains = registry()
    assert set(chains.definitions) >= {"out_of_network", "in_network", "window_intake", "referral",
                                       "payment", "audit"}
    for definition in chains.definitions.values():
        for step in definition.steps:
            assert step.role in roles(), (definition.name, step.id)
            assert step.label.zh and step.label.en


# Who files the claim decides 外报 / 内报 (archive.workflows.filers): recorded, or derived from
# the facts that decide it; where the care was given no longer picks the chain by itself.
IN_COUNTY = {"designated_provider": True, "out_of_county": False}


@pytest.mark.parametrize(("facts", "chain"), [
    ({"claim_type": "inpatient", **IN_COUNTY, "filed_by": "insured"}, "window_intake"),
    ({"claim_type": "maternity", **IN_COUNTY, "filed_by": "insured"}, "window_intake"),
    ({"claim_type": "inpatient", "designated_provider": False, "out_of_county": False}, "window_intake"),
    ({"claim_type": "inpatient", "designated_provider": True, "out_of_county": True}, "window_intake"),
    ({"claim_type": "inpatient", **IN_COUNTY, "filed_by": "provider"}, "in_network"),
    ({"claim_type": "referral", **IN_COUNTY}, "referral"),
    ({"claim_type": "settlement", **IN_COUNTY}, "in_network"),
    ({"claim_type": "audit", **IN_COUNTY}, "audit"),
    ({"claim_type": "audit", "designated_provider": False, "out_of_county": False}, "audit"),
])
def test_the_chain_is_chosen_by_the_case_fields(facts, chain):
    assert registry().choose({**facts, "filed_by": filer_of(facts)}).name == chain


def test_who_files_an_in_county_claim_at_a_designated_hospital_is_not_guessed():
    facts = {"claim_type": "inpatient", **IN_COUNTY}
    assert filer_of(facts) is None
    assert registry().choose({**facts, "filed_by": None}) is None  # not the first chain tried later
    definition, unknown = registry().route({**facts, "filed_by": None})
    assert (definition.name, unknown) == ("window_intake", ["filed_by"])


def test_chain_three_deadlines_follow_the_claim_type():
    window = registry().get("window_intake")
    assert window.chain_days({"claim_type": "trauma"}) == 30
    assert window.chain_days({"claim_type": "maternity"}) == 15
    assert window.chain_days({"claim_type": "inpatient", "out_of_county": True}) == 7
    assert window.chain_days({"claim_type": "inpatient", "out_of_county": False}) == 20


def test_conditions_are_data_not_code():
    condition = parse_condition([{"field": "amount", "op": ">=", "value": {"limit": "big"}},
                                 {"field": "claim_type", "op": "not_in", "value": ["referral"]}],
                                "when", LIMITS)
    assert condition.holds({"amount": Decimal("20000.00"), "claim_type": "inpatient"})
    assert not condition.holds({"amount": Decimal("19999.99"), "claim_type": "inpatient"})
    assert not condition.holds({"amount": None, "claim_type": "inpatient"})  # empty field: false
    assert not condition.holds({"amount": Decimal("50000"), "claim_type": "referral"})
    with pytest.raises(ConditionError, match="exactly field, op and value"):
        parse_condition([{"field": "amount", "op": ">=", "value": 1, "code": "__import__('os')"}],
                        "when", LIMITS)
    with pytest.raises(ConditionError, match="list of"):
        parse_condition("amount >= 20000", "when", LIMITS)


def test_satisfiability_is_decided_per_field():
    def satisfiable(*clauses):
        return parse_condition([dict(zip(("field", "op", "value"), c, strict=True)) for c in clauses],
                               "when", LIMITS).satisfiable()

    assert satisfiable(("amount", ">=", 100), ("amount", "<", 101))
    assert not satisfiable(("amount", ">", 100), ("amount", "<=", 100))
    assert not satisfiable(("claim_type", "==", "trauma"), ("claim_type", "in", ["inpatient"]))
    assert satisfiable(("township", "!=", "城关镇"))
    assert not satisfiable(("township", "==", "城关镇"), ("township", "!=", "城关镇"))
    assert not satisfiable(("out_of_county", "==", True), ("out_of_county", "!=", True))
