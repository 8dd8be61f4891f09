"""Personal identifiers (ID and phone numbers) are masked for people without "identifiers.view"
on every surface: case page, document viewer, search (web, API, and the service the CLI runs),
JSON answers and the BagIt export; people with the right see them in full.

The document is generated here with known truth: a referral form whose text layer carries an
ID number (GB 11643, valid check digit), a mobile number and a landline.
"""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest

from archive.auth import can
from archive.demo import documents as gen
from archive.search import search
from tests import factories

ID = gen.id_number(random.Random(61))
ID_MASKED = f"{ID[:6]}********{ID[-4:]}"
MOBILE, MOBILE_MASKED = "13812345678", "138****5678"
LANDLINE, LANDLINE_MASKED = "0755-83456789", "0755-****6789"
FULL, MASKED = (ID, MOBILE, LANDLINE), (ID_MASKED, MOBILE_MASKED, LANDLINE_MASKED)
# The same identifiers as people also write them (issue 22, defect 5): grouped with spaces, after
# a prefix, spaced mobiles. What must never show in full: a second person's birth date and serial,
# and the spaced mobile's middle digits.
OTHER = gen.id_number(random.Random(63))
WRITTEN = [f"家属身份证：{OTHER[:6]} {OTHER[6:14]} {OTHER[14:]}", f"经办人证件ID{OTHER}",
           "家属手机：139 8765 4321"]
WRITTEN_HIDDEN = (OTHER[6:14], "139 8765 4321", "13987654321")
# reviewer: may see identifiers; admin (and payment roles) may not (roles.toml "identifiers.view").
SEES, BLIND = "reviewer", "admin"


@pytest.fixture
def world(runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="王芳", claimant_id_number=ID)
    made = gen.referral(random.Random(62), patient="王芳")
    lines = [line.replace(made.truth["id_number"], ID) for line in made.lines]
    lines += [f"联系电话：{MOBILE}", f"医院电话：{LANDLINE}", *WRITTEN]
    content = gen._pdf([lines], "转诊转院审批表")
    document_id = factories.upload(runtime, clerk, case_no, content, filename="转诊单.pdf",
                                   kind="referral").document_id
    return {"case_no": case_no, "document_id": document_id}


def signed_in(app, role):
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    return client


def assert_shows(text: str, role: str, where: str, *, expect_all: bool = True):
    """Full identifiers for SEES, masked ones (and never the full ones) for everyone else."""
    full_role = role == SEES
    for full, masked in zip(FULL, MASKED, strict=True):
        if full_role:
            if expect_all:
                assert full in text, f"{where}: {role} should see {full}"
        else:
            assert full not in text, f"{where}: {role} sees {full}"
            if expect_all:
                assert masked in text, f"{where}: {role} should see {masked}"


def test_the_permission_is_data(users):
    assert can(users[SEES], "identifiers.view") and not can(users[BLIND], "identifiers.view")
    assert not can(users["admin"], "identifiers.view")


@pytest.mark.parametrize("role", [SEES, BLIND])
def test_case_page_and_viewer(app, world, role):
    client = signed_in(app, role)
    case_page = client.get(f"/cases/{world['case_no']}").get_data(as_text=True)
    assert ID in case_page if role == SEES else (ID not in case_page and ID_MASKED in case_page)
    viewer = client.get(f"/documents/{world['document_id']}?page=1")
    assert viewer.status_code == 200
    assert_shows(viewer.get_data(as_text=True), role, "viewer")  # page text and fields
    shown = [hidden for hidden in WRITTEN_HIDDEN if hidden in viewer.get_data(as_text=True)]
    assert shown == (list(WRITTEN_HIDDEN[:2]) if role == SEES else [])
    states = client.get(f"/cases/{world['case_no']}/documents.json").get_data(as_text=True)
    assert ID not in states or role == SEES


@pytest.mark.parametrize("role", [SEES, BLIND])
def test_search_web_and_api_by_id_number(app, runtime, users, world, role):
    """Searching BY an ID number: only a user with the right finds the document by it (issue
    22: for anyone else the masked digits are not searchable, and an exact ID search is
    refused); what is found shows only masked text in the snippet and fields."""
    client = signed_in(app, role)
    html = client.get("/search", query_string={"q": ID}).get_data(as_text=True)
    results = html.split('id="search-form"')[1].split("</form>", 1)[1]  # the form echoes the query
    assert (f"/cases/{world['case_no']}" in results) == (role == SEES)
    assert_shows(results, role, "search page", expect_all=False)
    token = factories.api_token(runtime, users[role])
    for query in ({"q": ID}, {"id_number": ID}, {"q": MOBILE}, {"q": "王芳"}):
        response = client.get("/api/search", query_string=query,
                              headers={"Authorization": f"Bearer {token}"})
        if role == BLIND and query != {"q": "王芳"}:
            assert response.status_code == (400 if "id_number" in query else 200), query
            assert ID not in response.get_data(as_text=True) and not response.json.get("hits")
            continue
        answer = json.loads(response.get_data(as_text=True))
        assert [hit["document_id"] for hit in answer["hits"]] == [world["document_id"]], query
        hit_text = json.dumps(answer["hits"], ensure_ascii=False)
        assert_shows(hit_text, role, f"api {query}", expect_all=False)
        if role == BLIND:
            assert answer["hits"][0]["fields"]["id_number"] == ID_MASKED


def test_search_as_the_cli_runs_it(runtime, users, world):
    # `archive search --user U` calls this same service and prints its result.
    with runtime.sessions.begin() as session:
        blind = search(session, runtime.search_index(), session.merge(users[BLIND]), "王芳")
        full = search(session, runtime.search_index(), session.merge(users[SEES]), "王芳")
        assert search(session, runtime.search_index(), session.merge(users[BLIND]), MOBILE).total == 0
    blind_text = json.dumps(blind.as_dict(), ensure_ascii=False, default=str)
    assert_shows(blind_text, BLIND, "cli", expect_all=False)
    assert blind.total == full.total == 1 and ID_MASKED in blind_text  # the fields, masked
    assert ID in json.dumps(full.as_dict(), ensure_ascii=False, default=str)


def test_originals_and_page_images_need_the_right(app, world):
    # Neither can be masked: the scan shows the numbers as they were printed.
    for path in (f"/documents/{world['document_id']}/original",
                 f"/documents/{world['document_id']}/pages/1/thumb.jpg"):
        assert signed_in(app, SEES).get(path).status_code == 200, path
        assert signed_in(app, BLIND).get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["archivist", "admin"])
def test_export_masks_for_an_exporter_without_the_right(app, world, role):
    response = signed_in(app, role).get(f"/cases/{world['case_no']}/case-file.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as bag:
        names = bag.namelist()
        text = {name: bag.read(name).decode("utf-8", "replace") for name in names
                if name.endswith((".json", ".jsonl", ".txt"))}
    info = next(body for name, body in text.items() if name.endswith("bag-info.txt"))
    case_json = json.loads(next(body for name, body in text.items() if name.endswith("/case.json")))
    everything = "\n".join(text.values())
    originals = [name for name in names if "/data/originals/" in name]
    if role == "archivist":
        assert "Identifiers: full" in info and case_json["claimant_id_number"] == ID
        assert len(originals) == 1
    else:
        assert "Identifiers: masked" in info and case_json["claimant_id_number"] == ID_MASKED
        assert ID not in everything and originals == []
        assert not [hidden for hidden in WRITTEN_HIDDEN if hidden in everything]
        assert case_json["documents"][0]["file"] is None and case_json["documents"][0]["sha256"]
