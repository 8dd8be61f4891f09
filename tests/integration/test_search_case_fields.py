"""Issue 20 point 5: typing a case number, a claimant's name or an 18-digit ID number into the
search box finds the case's documents, although no page shows them (the case's own fields are
indexed with each of its documents, archive.search.index.case_line), on both backends. Issue 22
defect 2 still holds: without "identifiers.view" only what the mask shows of the ID is found,
and a change to the case reaches the index through its follow-up."""

from __future__ import annotations

import random

import pytest

from archive.demo import documents as gen
from archive.intake import open_case
from archive.intake.cases import update_case
from archive.search import search
from archive.search.backend import rebuild_backend
from tests.integration.test_search_identifiers import store
from tests.search_backends import BACKENDS, backend_settings

ID = gen.id_number(random.Random(20))
NEW_ID = gen.id_number(random.Random(21))
# Neither page names the claimant nor their ID: only the case does.
BILL = "住院费用一日清单\n床位费 30.00\n西药费 12.50"
OTHER = "医疗收费票据\n交款人：李娜\n合计：88.00"


@pytest.fixture(params=BACKENDS)
def runtime(request, make_rt):
    return make_rt(**backend_settings(request, request.node.name))


@pytest.fixture
def world(runtime, users):
    with runtime.sessions.begin() as session:
        clerk = session.merge(users["intake_clerk"])
        case = open_case(session, actor=clerk, claimant_name="欧阳娜娜", claim_type="inpatient",
                         claimant_id_number=ID)
        bill = store(session, clerk, case, "daily_statement", BILL, {})
        other_case = open_case(session, actor=clerk, claimant_name="李娜", claim_type="inpatient")
        other = store(session, clerk, other_case, "invoice", OTHER, {"payer_name": "李娜"})
        rebuild_backend(runtime, session)
        return {"case_no": case.case_no, "bill": bill, "other": other}


def run(runtime, user, query: str):
    with runtime.sessions() as session:
        return search(session, runtime.search_index(), session.merge(user), query, page_size=100)


def hits(result) -> list[int]:
    return [hit.document_id for hit in result.hits]


def test_a_case_number_name_or_id_number_finds_the_cases_documents(runtime, users, world):
    reviewer = users["reviewer"]  # may see identifiers
    for typed in (ID, ID[:10], ID[8:16], "欧阳娜娜", "欧阳", world["case_no"], world["case_no"][-6:]):
        found = run(runtime, reviewer, typed)
        assert (hits(found), found.total) == ([world["bill"]], 1), typed
    shown = run(runtime, reviewer, ID).hits[0]
    assert f"<mark>{ID}</mark>" in str(shown.snippet) and world["case_no"] in str(shown.snippet)
    # The other case's claimant is on its page and in its case line: one hit, not two.
    assert hits(run(runtime, reviewer, "李娜")) == [world["other"]]


def test_without_the_right_only_the_shown_part_of_the_id_is_found(runtime, users, world):
    admin = users["admin"]  # sees 110101********1234
    nowhere = run(runtime, admin, "不存在的值")
    for probe in (ID, ID[:10], ID[4:12], ID[6:14], ID[:17]):
        found = run(runtime, admin, probe)
        assert (found.total, found.facets, found.hits) == (0, nowhere.facets, []), probe
    for visible in (ID[:6], ID[-4:], "欧阳娜娜", world["case_no"]):
        found = run(runtime, admin, visible)
        assert hits(found) == [world["bill"]], visible
        assert ID not in str(found.hits[0].snippet) and ID[6:14] not in str(found.hits[0].snippet)


def test_a_changed_case_is_found_by_its_new_fields_only(runtime, users, world):
    reviewer = users["reviewer"]
    with runtime.sessions.begin() as session:  # the change asks for the index to follow it
        update_case(session, world["case_no"], actor=session.merge(users["intake_clerk"]),
                    reason="更正", claimant_name="司马相如", claimant_id_number=NEW_ID)
    assert hits(run(runtime, reviewer, "司马相如")) == [world["bill"]]
    assert hits(run(runtime, reviewer, NEW_ID)) == [world["bill"]]
    assert run(runtime, reviewer, "欧阳娜娜").total == 0 and run(runtime, reviewer, ID).total == 0
