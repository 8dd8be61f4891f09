"""The case page's live parts over HTTP (issue 20, point 8): one endpoint draws the document rows,
the checklist, the findings and the verdict from one snapshot, with a version so an unchanged
case is answered 304; a case the user may not see does not exist (404)."""

from __future__ import annotations

import re

from archive.models import Document
from archive.queue import enqueue_processing
from archive.records.filing import set_record_class
from tests import factories


def checklist_items(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li data-kind="(\w+)" class="check-(\w+)"', html))


def verdict(html: str) -> str:
    return re.search(r'data-verdict="(\w+)"', html).group(1)


def live(client, case_no: str, etag: str | None = None, lang: str = "en"):
    headers = {"If-None-Match": f'"{etag}"'} if etag else {}
    return client.get(f"/cases/{case_no}/live?lang={lang}", headers=headers)


def test_the_parts_follow_one_snapshot_and_are_not_resent_unchanged(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claim_type="inpatient", amount="3000")
    # Kind left to recognition, not yet read: the invoice may be this one, so nothing is refused yet.
    pending = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=2),
                               filename="发票&'1.pdf", process=False).document_id
    factories.login(client, "intake_clerk")

    first = live(client, case_no)
    assert first.status_code == 200 and first.json["pending"] is True
    parts = first.json["parts"]
    assert set(parts) == {"documents", "checklist", "verdict", "computation"}
    assert checklist_items(parts["checklist"]) == {"invoice": "waiting", "daily_statement": "waiting"}
    assert verdict(parts["verdict"]) == "pending" and "不予受理" not in parts["verdict"]
    assert f'data-id="{pending}"' in parts["documents"]
    assert 'data-code="missing_daily_statements"' not in parts["documents"]
    # Escaped as the page escapes it: a file name is data, never markup.
    assert "发票&amp;&#39;1.pdf" in parts["documents"] and "发票&'" not in parts["documents"]
    # The page carries the same version, so its first refresh costs nothing.
    version = first.json["version"]
    assert f'data-version="{version}"' in client.get(f"/cases/{case_no}?lang=en").get_data(as_text=True)
    assert first.headers["ETag"] == f'"{version}"'

    unchanged = live(client, case_no, version)
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    enqueue_processing(runtime, [pending])  # inline here: the document is read now
    done = live(client, case_no, version)
    assert done.status_code == 200 and done.json["version"] != version
    assert done.json["pending"] is False
    parts = done.json["parts"]
    # The rows, the checklist and the verdict say the same: the invoice is read, the statement
    # is missing, and so the case is not accepted (不予受理) — in this language.
    assert re.search(rf'data-id="{pending}".*?status-processed', parts["documents"], re.S)
    assert checklist_items(parts["checklist"]) == {"invoice": "present", "daily_statement": "missing"}
    assert verdict(parts["verdict"]) == "refused"
    assert 'data-code="missing_daily_statements"' in parts["documents"]
    assert "Not accepted while documents are missing" in parts["verdict"]
    assert "Daily itemised statement" in parts["verdict"] and "disabled" in parts["verdict"]
    # A language is a version of its own: the Chinese parts are drawn afresh, in Chinese.
    chinese = live(client, case_no, done.json["version"], lang="zh_CN")
    assert chinese.status_code == 200 and "不予受理" in chinese.json["parts"]["verdict"]


def test_a_read_document_of_no_known_kind_says_so_in_its_whole_row(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claim_type="inpatient", amount="3000")
    document_id = factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=4),
                                   filename="扫描.pdf").document_id
    # What recognition leaves when it cannot tell the kind (set directly: a real scan that
    # defeats the recogniser is not reproducible here).
    with runtime.sessions.begin() as session:
        document = session.get_one(Document, document_id)
        document.kind, document.status = None, "processed"
    factories.login(client, "intake_clerk")
    parts = live(client, case_no).json["parts"]
    row = re.search(rf'<tr data-id="{document_id}".*?</tr>', parts["documents"], re.S).group(0)
    assert "Processed — kind not recognised" in row and "kind not recognised: choose it" in row
    assert "Not yet recognised" not in row
    assert checklist_items(parts["checklist"])["invoice"] == "missing"
    assert verdict(parts["verdict"]) == "refused"

    # Chosen right there: read again as an invoice, and the row, checklist and verdict follow.
    assert f'action="/documents/{document_id}/kind"' in row
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    chosen = client.post(f"/documents/{document_id}/kind",
                         data={"kind": "invoice", "csrf_token": factories.csrf_from(page)})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(f"/cases/{case_no}")
    with runtime.sessions() as session:
        document = session.get_one(Document, document_id)
        assert (document.kind, document.status) == ("invoice", "processed")
    parts = live(client, case_no).json["parts"]
    assert checklist_items(parts["checklist"])["invoice"] == "present"
    assert "kind not recognised" not in parts["documents"]


def test_a_case_the_user_may_not_see_does_not_exist(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="司马限阅")
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(seed=9))
    with runtime.sessions.begin() as session:
        set_record_class(session, case_no, actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
    factories.login(client, "intake_clerk")
    refused = live(client, case_no)
    assert refused.status_code == 404
    assert "司马限阅" not in refused.get_data(as_text=True)
    assert live(client, "NO-SUCH-CASE").status_code == 404
