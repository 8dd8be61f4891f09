"""Issue 22, defect 2: ID and phone numbers cannot be recovered by searching.

Someone without "identifiers.view" (here the administrator) sees 110101********6213,
138****5678 and 0755-****6789. The attack that worked: confirm an ID (`id_number=…`: one hit
or none) and rebuild one digit by digit (`q=<known digits><guess>`, 43 queries). Now only
what the mask shows can be found; exact searches by an identifier are refused; hits, totals,
facets, scores and snippets never depend on the hidden digits. A reviewer (who may see them)
keeps the full search — which also shows each probe here would have told the attacker something.
"""

from __future__ import annotations

import json
import random
import uuid

import pytest

from archive.demo import documents as gen
from archive.intake import open_case
from archive.models import Document, Page, StoredObject
from archive.models.cases import DocumentStatus
from archive.records.masking import mask_text
from archive.search import IdentifierRefused, index_status, search
from archive.search.backend import rebuild_backend
from archive.search.index import VERSION_FILE
from archive.search.schema import fold
from tests.search_backends import BACKENDS, backend_settings

ID = gen.id_number(random.Random(68))  # valid (GB 11643): 110101 19991224 6213
LAST4, BIRTH = ID[-4:], ID[6:14]
# The ID's last four (shown) also in the invoice number (shown) and the mobile's middle (masked).
MOBILE, LANDLINE, INVOICE = f"138{LAST4}5678", "0755-83456789", f"0023{LAST4}"
HOLDER = (f"医疗收费票据\n交款人：王芳 身份证号：{ID}\n联系电话：{MOBILE}\n"
          f"医院电话：{LANDLINE}\n票据号码：{INVOICE}\n合计：88.00")
# The ID's hidden middle (the birth date) visible in another document: found there.
DATE_DOC = f"住院费用一日清单\n姓名：李娜\n出生 {BIRTH} 入院\n床位费 30.00"
NOWHERE = "不存在的值"


def store(session, actor, case, kind: str, text: str, fields: dict) -> int:
    blob = StoredObject(sha256=uuid.uuid4().hex * 2, size=1, store_key=uuid.uuid4().hex,
                        content_type="application/pdf")
    document = Document(case=case, stored_object=blob, kind=kind, original_filename=f"{kind}.pdf",
                        filename=f"{kind}.pdf", content_type="application/pdf", page_count=1,
                        status=DocumentStatus.PROCESSED, fields=fields, uploaded_by_id=actor.id)
    document.pages = [Page(number=1, text=text, source="text_layer")]
    session.add(document)
    session.flush()
    return document.id


@pytest.fixture(params=BACKENDS)
def runtime(request, make_rt):
    """The embedded default with each search backend in turn (the same tests for both)."""
    return make_rt(**backend_settings(request, request.node.name))


@pytest.fixture
def world(runtime, users):
    with runtime.sessions.begin() as session:
        clerk = session.merge(users["intake_clerk"])
        first = open_case(session, actor=clerk, claimant_name="王芳", claim_type="inpatient",
                          claimant_id_number=ID)
        holder = store(session, clerk, first, "invoice", HOLDER,
                       {"payer_name": "王芳", "id_number": ID, "invoice_number": INVOICE,
                        "phone": MOBILE, "hospital": "县人民医院"})
        second = open_case(session, actor=clerk, claimant_name="李娜", claim_type="inpatient")
        dated = store(session, clerk, second, "daily_statement", DATE_DOC, {"patient_name": "李娜"})
        session.flush()
        index, _ = rebuild_backend(runtime, session)
    return {"index": index, "holder": holder, "dated": dated}


def run(runtime, world, user, query: str = "", **filters):
    with runtime.sessions() as session:  # not committed: the audit events are another test's
        return search(session, world["index"], session.merge(user), query, filters=filters,
                      page_size=100)


def answer(result) -> tuple:
    """All a searcher learns from a result, but the query itself."""
    return (result.total, result.facets, [(hit.document_id, hit.score, str(hit.snippet), hit.page,
                                           json.dumps(hit.fields, ensure_ascii=False))
                                          for hit in result.hits])


def substrings(number: str):
    return [(number[start:end], start, end) for start in range(len(number))
            for end in range(start + 2, len(number) + 1)]


def hidden_span(number: str) -> tuple[int, int]:
    """Start and end of the digits the mask hides in `number`."""
    masked = mask_text(number)
    return masked.index("*"), masked.rindex("*") + 1 - (len(masked) - len(number))


@pytest.mark.parametrize("number", [ID, MOBILE, LANDLINE])
def test_no_substring_of_a_number_spanning_masked_digits_is_found(runtime, users, world, number):
    """Brute force: every substring of two or more characters of the stored number. One that
    covers a masked digit answers exactly as a value that exists nowhere (unless the masked
    text has it elsewhere, as the dated document has the birth date); the visible parts
    are found."""
    admin, reviewer = users["admin"], users["reviewer"]
    nowhere = answer(run(runtime, world, admin, NOWHERE))
    masked_texts = {world["holder"]: fold(mask_text(HOLDER)), world["dated"]: fold(DATE_DOC)}
    low, high = hidden_span(number)
    spanning = visible = 0
    for probe, start, end in substrings(number):
        result = run(runtime, world, admin, f'"{probe}"')
        expected = {document for document, text in masked_texts.items() if fold(probe) in text}
        assert {hit.document_id for hit in result.hits} == expected, probe
        assert result.total == len(expected) == sum(result.facets["kind"].values()), probe
        if start < high and end > low:  # covers a masked digit
            spanning += 1
            if not expected:
                assert answer(result) == nowhere, probe
            # someone who may see the number finds it with the same probe
            assert world["holder"] in {hit.document_id for hit in run(runtime, world, reviewer,
                                                                      f'"{probe}"').hits}, probe
        else:
            visible += 1
            assert world["holder"] in expected, probe
        for hit in result.hits:
            assert number not in str(hit.snippet) + json.dumps(hit.fields, ensure_ascii=False)
    assert spanning > 20 and visible >= 3


def test_rebuilding_a_number_digit_by_digit_learns_nothing(runtime, users, world):
    """The attack from the issue: the visible region code, then one guessed digit at a time.
    For the administrator every guess answers alike; for a reviewer one guess stands out
    (which is why the attack worked before)."""
    known = ID[:6]
    for role, distinguishable in (("admin", False), ("reviewer", True)):
        for position in range(6, 14):
            answers = {digit: answer(run(runtime, world, users[role], known + digit))
                       for digit in "0123456789"}
            distinct = {json.dumps(found, sort_keys=True) for found in answers.values()}
            assert (len(distinct) > 1) == distinguishable, (role, position)
            known = ID[:position + 1]  # a reviewer's guess: the real next digit


@pytest.mark.parametrize("filters, query, reviewer_finds", [
    ({"id_number": ID}, "", True),
    ({"id_number": "000000000000000000"}, "", False),  # refused whatever the value: no yes or no
    ({}, f"id:{ID}", True),
    ({}, f"身份证号:{ID}", True),
    ({}, f"王芳 -id:{ID}", False),
    ({"insurance_number": ID}, "", False),  # any exact field asked for a number shaped like one
    ({}, f"invoice:{MOBILE}", False),
    ({}, f"code:{LANDLINE}", False),
])
def test_exact_searches_by_an_identifier_are_refused(runtime, users, world, filters, query,
                                                     reviewer_finds):
    with pytest.raises(IdentifierRefused) as refused:
        run(runtime, world, users["admin"], query, **filters)
    assert refused.value.code == "identifiers_hidden"
    found = run(runtime, world, users["reviewer"], query, **filters)  # the right: answered
    assert (world["holder"] in {hit.document_id for hit in found.hits}) == reviewer_finds


def test_scores_and_snippets_ignore_masked_digits(runtime, users, world):
    """The birth date is visible in the dated document and hidden in the ID of the other: for
    the administrator only the date counts (one hit, the ID's digits neither found nor marked);
    for a reviewer both documents are found."""
    admin = run(runtime, world, users["admin"], BIRTH)
    assert [hit.document_id for hit in admin.hits] == [world["dated"]]
    assert f"<mark>{BIRTH}</mark>" in str(admin.hits[0].snippet)
    reviewer = run(runtime, world, users["reviewer"], BIRTH)
    assert {hit.document_id for hit in reviewer.hits} == {world["dated"], world["holder"]}
    visible = run(runtime, world, users["admin"], LAST4)  # the ID's last four, shown
    [hit] = visible.hits
    assert f"{ID[:6]}********<mark>{LAST4}</mark>" in str(hit.snippet) and ID not in str(hit.snippet)
    # The last four are also in the invoice number (shown) and the mobile's middle (masked):
    # the administrator's score counts two occurrences, a reviewer's three.
    [full] = run(runtime, world, users["reviewer"], LAST4).hits
    assert hit.score < full.score
    phone = run(runtime, world, users["admin"], MOBILE[1:8])  # covers the mobile's hidden middle
    assert phone.total == 0


def test_the_index_is_rebuilt_when_the_masking_rules_change(runtime, world):
    if runtime.settings.get("search.backend") != "whoosh":
        from sqlalchemy import update

        from archive.search.backend import backend_status, open_backend
        from archive.search.pg_table import search_state

        assert backend_status(runtime)[0]["status"] == "ok"
        with runtime.engine.begin() as connection:
            connection.execute(update(search_state).where(search_state.c.name == "masking")
                               .values(value=1))
        assert backend_status(runtime)[0]["status"] == "stale"
        open_backend(runtime)  # rebuilt under today's rules
        assert backend_status(runtime)[0]["status"] == "ok"
        return
    version = runtime.index_dir / VERSION_FILE
    stamp = json.loads(version.read_text())
    assert index_status(runtime.index_dir)["status"] == "ok" and stamp["masking"]
    version.write_text(json.dumps(stamp | {"masking": "rules of another day"}))
    assert index_status(runtime.index_dir)["status"] == "stale"
