"""数电票 XML and the 2019 e-invoice XML: accepted at intake by their content, fields read from the
XML exactly (source `xml`), drawn for the viewer; XML that is no e-invoice, or that declares
entities, is refused with its reason."""

from __future__ import annotations

import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from archive.files import sniff
from archive.files.validate import Limits, Rejected, inspect_file
from archive.models import Document
from archive.models.cases import DocumentStatus
from archive.ocr.einvoice import read_document
from archive.previews import page_image
from tests import factories
from tests.fixtures.einvoices import OFD_DIR, digital_invoice_xml

DIGITAL_FIELDS = {
    "invoice_number": "24112000000048542163", "issue_date": "2024-05-28",
    "seller_name": "北京互联三六五科技有限公司", "seller_tax_id": "91110108690017781B",
    "buyer_name": "海南麒麟云服科技有限公司", "buyer_tax_id": "91460300MAA92DJN95",
    "amount": "4197.17", "tax": "251.83", "total_amount": "4449.00", "total_amount_capital": "4449.00",
    "items": [{"name": "*信息技术服务*技术服务费", "quantity": "1", "unit_price": "4197.16981132075",
               "amount": "4197.17", "tax_rate": "6%", "tax": "251.83"}],
}


def _read(tmp_path, content: bytes, kind=None):
    path = tmp_path / "invoice.xml"
    path.write_bytes(content)
    content_type, pages = inspect_file(path, len(content), factories_limits())
    assert (content_type, pages) == (sniff.XML, 1)
    return read_document(path, content_type, kind=kind)


def factories_limits() -> Limits:
    return Limits(max_bytes=50 * 2**20, max_pages=500, max_image_pixels=50_000_000)


def test_a_digital_invoice_xml_is_read_exactly(tmp_path):
    reading = _read(tmp_path, digital_invoice_xml())
    assert reading.kind == "vat_invoice" and reading.kind_guessed
    assert reading.fields == DIGITAL_FIELDS
    assert {source["source"] for source in reading.sources.values()} == {"xml"}
    assert set(reading.sources) == set(DIGITAL_FIELDS)
    assert reading.checks == []
    assert "发票号码：24112000000048542163" in reading.pages[0].text  # searchable


@pytest.mark.parametrize("variant", [
    # The issue time with a time of day, as some platforms write it.
    {"issue_time": "2024-05-28 10:11:12"},
    # A red-letter (negative) invoice: amounts and the capital carry the sign.
    {"amount": "-4197.17", "tax": "-251.83", "total": "-4449.00", "capital": "（负数）肆仟肆佰肆拾玖圆整"},
])
def test_variants_of_the_digital_schema(tmp_path, variant):
    reading = _read(tmp_path, digital_invoice_xml(**variant))
    assert reading.fields["issue_date"] == "2024-05-28"
    if "total" in variant:
        assert (reading.fields["amount"], reading.fields["tax"], reading.fields["total_amount"],
                reading.fields["total_amount_capital"]) == ("-4197.17", "-251.83", "-4449.00", "-4449.00")
        assert [c for c in reading.checks if c["code"] != "items_mismatch"] == []


def test_number_and_date_where_only_header_and_request_time_carry_them(tmp_path):
    supervision = (b"<TaxSupervisionInfo><InvoiceNumber>24112000000048542163</InvoiceNumber>"
                   b"<IssueTime>2024-05-28</IssueTime>")
    content = digital_invoice_xml().replace(supervision, b"<TaxSupervisionInfo>").replace(
        b"<Drawer>", b"<RequestTime>2024-05-28 09:00:00</RequestTime><Drawer>")
    reading = _read(tmp_path, content)
    assert reading.fields["invoice_number"] == "24112000000048542163"
    assert reading.fields["issue_date"] == "2024-05-28"


def test_the_2019_einvoice_xml_embedded_in_ofd_files_is_read_too(tmp_path):
    with zipfile.ZipFile(OFD_DIR / "999.ofd") as package:
        content = package.read("Doc_0/Attachs/original_invoice.xml")
    reading = _read(tmp_path, content)
    fields = dict(reading.fields)
    items = fields.pop("items")
    assert fields == {"invoice_code": "050001700111", "invoice_number": "12235358",
                      "issue_date": "2020-08-05",
                      "check_code": "16630282980991510014", "buyer_name": "个人",
                      "seller_name": "财天下科技有限公司", "seller_tax_id": "91500102563638729E",
                      "amount": "10000.00", "tax": "600.00", "total_amount": "10600.00",
                      "qr_codes": ["01,10,050001700111,12235358,10000.00,20200805,16630282980991510014,7257"]}
    assert len(items) == 100 and items[0] == {"name": "*餐饮服务*餐费", "amount": "100.00", "tax_rate": "6%",
                                              "tax": "6.00"}
    assert reading.checks == []


def test_a_value_that_is_not_what_its_field_must_be_is_reported_not_taken(tmp_path):
    reading = _read(tmp_path, digital_invoice_xml(issue_time="下周一"))
    assert "issue_date" not in reading.fields
    assert [c["field"] for c in reading.checks if c["code"] == "field_unreadable"] == ["issue_date"]


@pytest.mark.parametrize(("content", "reason"), [
    (b"<?xml version='1.0'?><html><body>hello</body></html>", "only as a VAT e-invoice"),
    (b"<?xml version='1.0'?><EInvoice><Header>", "not well-formed"),
    (b"<?xml version='1.0'?><!DOCTYPE EInvoice [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
     b"<EInvoice>&b;</EInvoice>", "entities or a DTD"),
], ids=["other_xml", "broken_xml", "entity_expansion"])
def test_xml_that_is_not_an_einvoice_is_refused(tmp_path, content, reason):
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    with pytest.raises(Rejected) as refused:
        inspect_file(path, len(content), factories_limits())
    assert reason in refused.value.reason
    assert refused.value.code == "unsupported_type" and refused.value.status == 415


def test_an_uploaded_xml_invoice_is_processed_and_drawn(rt, tmp_path):
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    result = factories.upload(rt, clerk, case_no, digital_invoice_xml(), filename="dzfp.xml")
    with rt.sessions() as session:
        document = session.scalars(select(Document).where(Document.id == result.document_id)).one()
        assert document.status == DocumentStatus.PROCESSED, document.failure_reason
        assert (document.content_type, document.kind, document.page_count) == (sniff.XML, "vat_invoice", 1)
        assert document.fields == DIGITAL_FIELDS
        assert document.field_sources["total_amount"] == {"source": "xml"}
        image = page_image(rt.store, document, 1, "view", cache_dir=tmp_path / "cache", tmp_dir=tmp_path,
                           max_bytes=2**26)
    with Image.open(image) as drawn:
        assert drawn.width == 1400 and drawn.convert("L").getextrema()[0] < 100  # text drawn on it


def test_an_einvoice_xml_in_gbk_is_read(tmp_path):
    content = digital_invoice_xml().decode().replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    reading = _read(tmp_path, content)
    assert reading.fields == DIGITAL_FIELDS


def test_an_einvoice_registered_as_another_kind_keeps_its_kind_and_says_why_no_fields(tmp_path):
    reading = _read(tmp_path, digital_invoice_xml(), kind="invoice")
    assert (reading.kind, reading.fields) == ("invoice", {})
    assert [c["code"] for c in reading.checks] == ["einvoice_other_kind"]
