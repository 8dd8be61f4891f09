"""串换 by item code (项目编码) through the API (issue 18): a daily statement whose reader gives
each item's printed code is compared with storage_config/catalogue.toml by code and by name; an
item billed under another item's code, or under a code the catalogue does not hold, is an ERROR
that blocks the next sign-off. The reader of this installation leaves the code column out
(archive/ocr/tables.py, not ours to change): the test sets the codes on the fields as read, as a
reader that gives them would (the only part not run for real)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive.models import Document
from archive.workflows.flag_settings import flag_settings
from tests import factories
from tests.e2e.claim_api import claim, headers, inpatient_invoice, statement, submit


@pytest.fixture
def desk(runtime):
    return factories.sign_off_desk(runtime)


def test_an_item_billed_under_another_items_code_blocks_the_sign_off(client, runtime, desk):
    clerk = headers(runtime, desk["intake_clerk"])
    files = [(inpatient_invoice(admitted=date(2026, 3, 5), discharged=date(2026, 3, 6)), "invoice"),
             (statement(days=1, start=date(2026, 3, 5)), "daily_statement")]
    case_no = claim(client, clerk, files)
    code_of = {entry["name"]: code for code, entry in flag_settings().catalogue.items()}
    with runtime.sessions.begin() as session:
        document = session.scalar(select(Document).where(Document.kind == "daily_statement"))
        fields = dict(document.fields)
        days = [dict(day) for day in fields.get("days") or [fields]]
        items = [dict(item) for item in days[0]["items"]]
        for item in items:
            item["code"] = code_of.get(item["name"], "ZZ00000")
        first = items[0]["name"]
        other = next(name for name in code_of if name != first)
        items[0]["code"] = code_of[other].lower()  # another item's code, as printed
        days[0]["items"] = items
        document.fields = {**fields, "days": days} if fields.get("days") else {**fields, **days[0]}
    assert submit(client, clerk, case_no).status_code == 201
    _chain, step, role = factories.active_step(runtime, case_no)
    signer = headers(runtime, desk[factories.SECOND_SIGNER.get(step, role)])
    shown = client.get(f"/api/cases/{case_no}/findings", headers=signer).json
    [substituted] = [f for f in shown["findings"] if f["code"] == "item_substituted"]
    assert substituted["blocking"]
    assert f"{first}（编码 {code_of[other]} 为“{other}”）" in substituted["message"]
    chains = client.get(f"/api/cases/{case_no}/workflow", headers=signer).json["chains"]
    version = next(c["version"] for c in chains if c["status"] == "active")
    refused = client.post(f"/api/cases/{case_no}/decision", headers=signer, json={
        "decision": "approve", "opinion": "同意。", "expected_version": version,
        "findings": factories.FINDINGS.get(step, {})})
    assert refused.status_code == 422 and "item_substituted" in refused.json["message"]
