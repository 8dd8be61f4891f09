"""An unknown value never takes the lenient branch: steps routed on an empty field.

A step's `when` on an empty field (no amount entered yet) is unknown. By default the step then
runs (the stricter branch, archive.signoff.steps.Step.applies); a step marked
`if_unknown = "block"` instead refuses to send the case on until the field is filled in, and
says which field and which step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.auth import scope_kind
from archive.signoff.definitions import Definition
from archive.signoff.errors import Incomplete, NoChain, _
from archive.signoff.hospitals import hospital_of
from archive.signoff.steps import Label

FIELD_NAMES = {"amount": Label("申报金额", "claimed amount"), "township": Label("乡镇", "township"),
               "claim_type": Label("报销类别", "claim type"),
               "out_of_county": Label("是否县外就医", "treated outside the county"),
               "designated_provider": Label("是否定点医疗机构", "designated provider"),
               "hospital": Label("就诊医院", "hospital where treated"),
               "village": Label("村", "village"),
               "filed_by": Label("申报方（参保人外报或定点机构内报）",
                                 "who files the claim (the insured, or the designated provider)")}


def refuse_unknown_routing(facts: Mapping[str, Any], definition: Definition) -> None:
    """Refuse (422) while a step marked `if_unknown = "block"` depends on an empty field."""
    unknown = definition.unknown_routing(facts)
    if unknown:
        step, fields = unknown[0]
        names = [FIELD_NAMES.get(f, Label(f, f)) for f in fields]
        raise Incomplete(_("Fill in %(fields)s first: whether step %(step)s applies depends on it."),
                         fields=Label("、".join(n.zh for n in names), ", ".join(n.en for n in names)),
                         step=step.label)


def choose_chain(registry, facts: Mapping[str, Any]) -> Definition:
    """The chain a case leaving intake starts; refused (422) while a fact that decides it is
    empty (say, who files an inpatient claim at a designated hospital in the county), naming it."""
    definition, unknown = registry.route(facts)
    if unknown:
        names = [FIELD_NAMES.get(f, Label(f, f)) for f in unknown]
        raise Incomplete(_("Fill in %(fields)s first: which sign-off chain the case takes depends "
                           "on it."),
                         fields=Label("、".join(n.zh for n in names), ", ".join(n.en for n in names)))
    if definition is None:
        raise NoChain(_("No sign-off chain applies to a case like this one; check its claim "
                        "type and fields."))
    return definition


# The case field that places a case in the scope of a role outside the agency (archive.access).
SCOPE_FIELDS = {"hospital": ("hospital",), "village": ("township", "village"), "township": ("township",)}


def refuse_unplaced(case, definition: Definition) -> None:
    """Refuse (422) a case that a step of its chain waits for a hospital's, village's or
    township's officer to sign while the case does not say which: nobody could see it there."""
    facts = {name: getattr(case, name) for name in ("township", "village")}
    facts["hospital"] = hospital_of(case)  # as the documents read, else as typed
    for step in definition.steps:
        kind = scope_kind(step.role)
        missing = [f for f in SCOPE_FIELDS.get(kind, ()) if not facts[f]]
        if missing:
            names = [FIELD_NAMES[f] for f in missing]
            raise Incomplete(_("Fill in %(fields)s first: step %(step)s is signed by its own "
                               "officer, who sees only the cases of it."),
                             fields=Label("、".join(n.zh for n in names), ", ".join(n.en for n in names)),
                             step=step.label)
