"""The index follows the database: a processed upload, a case correction, a sign-off that
moves the case on, a re-classification and a deletion each show in search — through the
single writer's catch-up from the audit trail, also when the follow-up job was lost."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from archive import create_app
from archive.demo import documents as gen
from archive.intake.cases import update_case
from archive.jobs import run_sync_index
from archive.models import Document
from archive.search import catch_up, matching_document_ids, rebuild, search
from archive.search.backend import rebuild_backend
from archive.search.sync import index_mark
from tests import factories


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def rt(request, make_rt, db_url):
    """SQLite and PostgreSQL with Whoosh, and PostgreSQL with its own search backend."""
    if request.param == "postgres" and not db_url.startswith("postgresql"):
        pytest.skip("the postgres search backend needs a PostgreSQL database")
    return make_rt(ARCHIVE_DATABASE_URL=db_url, ARCHIVE_SEARCH_BACKEND=request.param)


def found(rt, user, query: str, **filters) -> set[int]:
    with rt.sessions() as session:
        return matching_document_ids(session, rt.search_index(), user, query, filters=filters)


def call(client, token, method, path, json=None):
    return client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})


def test_corrections_sign_offs_reclassification_and_deletion_reach_the_index(rt, desk):
    admin, clerk = desk["admin"], desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claimant_name="欧阳娜娜", claim_type="outpatient",
                                  amount="120.50")
    upload = factories.upload(rt, clerk, case_no, factories.invoice_pdf(21), kind="invoice")
    document_id = upload.document_id
    invoice_number = gen.invoice(random.Random(21)).truth["invoice_number"]
    assert found(rt, admin, invoice_number) == {document_id}  # processed → caught up
    client, token = create_app(rt).test_client(), factories.api_token(rt, clerk)

    response = call(client, token, "PATCH", f"/api/cases/{case_no}",
                    {"claimant_id_number": "11010519491231002X", "reason": "补录身份证号"})
    assert response.status_code == 200, response.json
    assert found(rt, desk["archivist"], "id:11010519491231002x") == {document_id}  # sees IDs

    factories.send_for_sign_off(rt, clerk, case_no)  # no follow-up job: the sweep's catch-up
    assert found(rt, admin, "", status="intake") == {document_id}
    run_sync_index(rt)
    step = factories.active_step(rt, case_no)[1]
    assert found(rt, admin, "", step=step) == {document_id}
    assert found(rt, admin, "", status="intake") == set()

    response = call(client, token, "PATCH", f"/api/documents/{document_id}",
                    {"kind": "referral", "reason": "实为转诊单"})
    assert response.status_code == 200, response.json
    assert found(rt, admin, "kind:referral") == {document_id} and found(rt, admin, "kind:invoice") == set()
    with rt.sessions() as session:
        assert search(session, rt.search_index(), admin, invoice_number).facets["kind"] == {"referral": 1}

    response = call(client, token, "DELETE", f"/api/documents/{document_id}?reason=误传")
    assert response.status_code == 200, response.json
    assert found(rt, admin, invoice_number) == set()
    with rt.sessions() as session:
        assert session.get(Document, document_id) is None
        assert search(session, rt.search_index(), admin, "").total == 0


def test_a_change_whose_job_was_lost_is_indexed_by_the_next_catch_up(rt, desk, monkeypatch):
    archivist, clerk = desk["archivist"], desk["intake_clerk"]  # may search by an ID number
    case_no = factories.make_case(rt, clerk, claimant_name="欧阳娜娜", claim_type="outpatient")
    document_id = factories.upload(rt, clerk, case_no, factories.invoice_pdf(22), kind="invoice").document_id

    def queue_down(job, *args):  # the one stand-in here: a queue that is down when asked
        raise ConnectionError("queue unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(rt.queue, "submit", queue_down)
        with rt.sessions.begin() as session:  # the change asks for its index job, which is lost
            update_case(session, case_no, actor=session.merge(clerk), reason="更正",
                        claimant_id_number="110105194912310038")
    assert found(rt, archivist, "id:110105194912310038") == set()  # nobody told the index yet
    with rt.sessions() as session:
        report = catch_up(rt.search_index(), session)
        assert report.documents == 1 and report.mark == index_mark(rt.search_index())
        assert catch_up(rt.search_index(), session).documents == 0  # nothing new: nothing done
    assert found(rt, archivist, "id:110105194912310038") == {document_id}


def test_a_rebuilt_index_starts_from_the_newest_event(rt, desk, tmp_path):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    factories.upload(rt, clerk, case_no, factories.invoice_pdf(23), kind="invoice")
    with rt.sessions() as session:
        index = rebuild(session, tmp_path / "index") if rt.settings.get("search.backend") == "whoosh" \
            else rebuild_backend(rt, session)[0]
        newest = session.scalar(select(Document.id).order_by(Document.id.desc()))
        assert newest is not None
        assert catch_up(index, session).events == 0


def test_reclassify_and_delete_refuse_bad_requests(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    document_id = factories.upload(rt, clerk, case_no, factories.invoice_pdf(24), kind="invoice").document_id
    client = create_app(rt).test_client()
    token, cashier = factories.api_token(rt, clerk), factories.api_token(rt, desk["cashier"])
    assert call(client, token, "PATCH", f"/api/documents/{document_id}",
                {"kind": "poem", "reason": "x"}).status_code == 400
    assert call(client, token, "PATCH", f"/api/documents/{document_id}", {"kind": "other"}).status_code == 400
    assert call(client, token, "DELETE", f"/api/documents/{document_id}").status_code == 400
    assert call(client, cashier, "DELETE", f"/api/documents/{document_id}?reason=x").status_code == 403
    assert call(client, token, "DELETE", "/api/documents/999999?reason=x").status_code == 404
    with rt.sessions() as session:
        assert session.get(Document, document_id).kind == "invoice"


def test_a_reclassified_document_is_read_again_as_its_new_kind(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claim_type="outpatient")
    document_id = factories.upload(rt, clerk, case_no, factories.invoice_pdf(24), kind="referral").document_id
    truth = gen.invoice(random.Random(24)).truth
    with rt.sessions() as session:
        assert "invoice_number" not in session.get(Document, document_id).fields  # read as a referral
    client, token = create_app(rt).test_client(), factories.api_token(rt, clerk)

    response = call(client, token, "PATCH", f"/api/documents/{document_id}",
                    {"kind": "invoice", "reason": "实为住院发票"})
    assert response.status_code == 200 and response.json["kind"] == "invoice"
    with rt.sessions() as session:  # jobs run inline here: read again already
        document = session.get(Document, document_id)
        assert (document.status, document.kind, document.kind_guessed) == ("processed", "invoice", False)
        assert document.fields["invoice_number"] == truth["invoice_number"]
        assert document.field_sources["invoice_number"]
    assert found(rt, desk["admin"], "kind:invoice") == {document_id}
