"""Every field carries its source — `text_layer`, `ocr`, `xml` (OFD / 数电票 data) or `qr` — in
`Document.field_sources[name]["source"]`, beside where it was read; the viewer says which fields
came from the e-invoice's data or its QR code."""

from __future__ import annotations

import random

import pytest

from archive.demo import documents as gen
from archive.files import sniff
from archive.models import Document
from archive.ocr.einvoice import read_document
from tests import factories
from tests.fixtures.einvoices import OFD_DIR


def test_fields_of_a_born_digital_pdf_come_from_its_text_layer(tmp_path):
    invoice = gen.invoice(random.Random(3))
    path = tmp_path / "invoice.pdf"
    path.write_bytes(invoice.content)
    reading = read_document(path, sniff.PDF, kind="invoice")
    assert reading.fields["invoice_number"] == invoice.truth["invoice_number"]
    assert {place["source"] for place in reading.sources.values()} == {"text_layer"}
    assert set(reading.sources) == set(reading.fields)


@pytest.mark.ocr
def test_fields_of_a_scan_come_from_ocr(tmp_path):
    invoice = gen.invoice(random.Random(3))
    path = tmp_path / "scan.png"
    path.write_bytes(gen.scanned_image(invoice.lines, title="医疗收费票据"))
    reading = read_document(path, sniff.PNG, kind="invoice")
    assert reading.fields
    assert {reading.sources[name]["source"] for name in reading.fields} == {"ocr"}


def test_the_viewer_shows_which_fields_came_from_the_einvoice_data_and_its_qr(runtime, users, client):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    result = factories.upload(runtime, clerk, case_no, (OFD_DIR / "20240531141733.ofd").read_bytes(),
                              filename="dzfp.ofd")
    with runtime.sessions() as session:
        sources = session.get_one(Document, result.document_id).field_sources
    assert sources["invoice_number"]["source"] == "xml"
    assert sources["qr_codes"]["source"] == "qr" and sources["qr_codes"]["page"] == 1
    factories.login(client, clerk)
    page = client.get(f"/documents/{result.document_id}").get_data(as_text=True)
    assert page.count("取自电子发票数据") == sum(1 for name, place in sources.items()
                                          if place["source"] == "xml" and name != "items")
    assert "取自二维码" in page and "01,31,,24112000000048542163,4449.00,20240528,,B2B6" in page


def test_a_vat_invoice_is_found_by_its_seller_number_and_kind(runtime, users, app):
    from archive.search import rebuild

    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk)
    factories.upload(runtime, clerk, case_no, (OFD_DIR / "20240531141733.ofd").read_bytes(),
                     filename="dzfp.ofd")
    with runtime.sessions.begin() as session:
        rebuild(session, runtime.index_dir)
    client = app.test_client()
    token = factories.api_token(runtime, users["archivist"])
    answer = client.get("/api/search", query_string={
        "q": "互联三六五", "kind": "vat_invoice", "hospital": "北京互联三六五科技有限公司",
        "invoice_number": "24112000000048542163"}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 1 and answer.json["facets"]["kind"] == {"vat_invoice": 1}
    assert answer.json["hits"][0]["case_no"] == case_no
