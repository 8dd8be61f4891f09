"""OFD (GB/T 33190) invoices: accepted at intake by content, fields from the document's own data
(CustomData, custom tags, the attached invoice XML) checked against the printed page, page text
for search, pages drawn for the viewer. The samples are real files (tests/fixtures/ofd/README.md);
the expected values were read by hand from their XML."""

from __future__ import annotations

import pytesseract
import pytest
from PIL import Image
from sqlalchemy import select

from archive.files import sniff
from archive.files.validate import Limits, Rejected, inspect_file
from archive.models import Document
from archive.models.cases import DocumentStatus
from archive.ocr.einvoice import draw_ofd_page, read_document
from archive.previews import NoSuchPage, page_image
from tests import factories
from tests.fixtures.einvoices import OFD_DIR, changed_ofd

LIMITS = Limits(max_bytes=50 * 2**20, max_pages=500, max_image_pixels=50_000_000)
DIGITAL = {  # 20240531141733.ofd: a 数电票 (电子发票（增值税专用发票）), no code, no check code
    "invoice_number": "24112000000048542163", "issue_date": "2024-05-28",
    "buyer_name": "海南麒麟云服科技有限公司", "buyer_tax_id": "91460300MAA92DJN95",
    "seller_name": "北京互联三六五科技有限公司", "seller_tax_id": "91110108690017781B",
    "amount": "4197.17", "tax": "251.83", "total_amount": "4449.00",
    "total_amount_capital": "4449.00",  # printed only: 肆仟肆佰肆拾玖圆整, read from the page text
    "items": [{"name": "*信息技术服务*技术服务费", "quantity": "1", "unit_price": "4197.16981132075",
               "amount": "4197.17", "tax_rate": "6%", "tax": "251.83"}],
    "qr_codes": ["01,31,,24112000000048542163,4449.00,20240528,,B2B6"],
}
OLDER = {  # 999.ofd: a 增值税电子普通发票 with a 4-page goods list, its invoice XML attached
    "invoice_code": "050001700111", "invoice_number": "12235358", "issue_date": "2020-08-05",
    "check_code": "16630282980991510014", "buyer_name": "个人", "seller_name": "财天下科技有限公司",
    "seller_tax_id": "91500102563638729E", "amount": "10000.00", "tax": "600.00", "total_amount": "10600.00",
    "total_amount_capital": "10600.00",
    "qr_codes": ["01,10,050001700111,12235358,10000.00,20200805,16630282980991510014,7257"],
}
TEMPLATE = {  # fptpl.ofd: 999's first page with its CustomData only (no tags, no attachment):
    # the tax and the one goods line the page prints (pointing at the goods list) read from its text
    **OLDER,
    "items": [{"name": "(详见销货清单)", "amount": "10000.00", "tax_rate": "6%", "tax": "600.00"}],
}


def _read(tmp_path, content: bytes, kind=None):
    path = tmp_path / "invoice.ofd"
    path.write_bytes(content)
    content_type, pages = inspect_file(path, len(content), LIMITS)
    assert content_type == sniff.OFD
    return read_document(path, content_type, kind=kind), pages


@pytest.mark.parametrize(("sample", "expected", "page_count"), [
    ("20240531141733.ofd", DIGITAL, 1), ("999.ofd", OLDER, 5), ("fptpl.ofd", TEMPLATE, 1)])
def test_each_sample_gives_its_fields_exactly(tmp_path, sample, expected, page_count):
    reading, pages = _read(tmp_path, (OFD_DIR / sample).read_bytes())
    assert pages == page_count and len(reading.pages) == page_count
    assert reading.kind == "vat_invoice" and reading.kind_guessed
    fields = dict(reading.fields)
    if sample == "999.ofd":
        items = fields.pop("items")
        assert len(items) == 100
        assert set(map(str, items)) == {str({"name": "*餐饮服务*餐费", "amount": "100.00", "tax_rate": "6%",
                                               "tax": "6.00"})}
    assert fields == expected
    assert [c for c in reading.checks if c["severity"] == "error"] == []
    sources = {name: place["source"] for name, place in reading.sources.items()}
    assert sources["invoice_number"] == sources["total_amount"] == "xml"
    assert sources["total_amount_capital"] == "text_layer"
    # A value from CustomData or the attached XML is shown where the page prints it.
    assert [name for name, place in reading.sources.items() if name != "items" and "page" not in place] == []


def test_tagged_fields_point_at_where_they_are_printed(tmp_path):
    reading, _ = _read(tmp_path, (OFD_DIR / "20240531141733.ofd").read_bytes())
    # InvoiceNo is text object 6922, Boundary="170 10.3 38 5" on a 210 × 140 mm page.
    assert reading.sources["invoice_number"] == {
        "page": 1, "source": "xml",
        "boxes": [[round(170 / 210, 5), round(10.3 / 140, 5), round(208 / 210, 5), round(15.3 / 140, 5)]]}


def test_page_text_is_searchable_in_reading_order(tmp_path):
    reading, _ = _read(tmp_path, (OFD_DIR / "999.ofd").read_bytes())
    first, last = reading.pages[0].text, reading.pages[4].text
    assert "发票号码：12235358" in first
    assert "价税合计（大写）  壹万零陆佰圆整  （小写）¥10600.00" in first
    assert "总计  ¥10000.00  ¥600.00" in last
    line = next(line for line in reading.pages[0].lines if line.text.startswith("发票号码"))
    left, top, right, bottom = line.boxes[line.text.index("1")]  # where 12235358 is printed
    assert 0.7 < left < 0.9 and 0.05 < top < bottom < 0.2


def test_the_page_is_drawn_with_its_text_where_the_document_puts_it():
    page = draw_ofd_page(OFD_DIR / "20240531141733.ofd", 0, 1400)
    assert page.size == (1400, round(140 * 1400 / 210))
    grey = page.convert("L")
    scale = 1400 / 210

    def crop(left, top, width, height):
        return grey.crop(tuple(round(v * scale) for v in (left, top, left + width, top + height)))

    # The invoice number (text object 6922 at 170, 10.3 mm) reads back from the drawing.
    number = pytesseract.image_to_string(crop(169, 10, 40, 6),
                                         config="--psm 7 -c tessedit_char_whitelist=0123456789")
    assert "24112000000048542163" in number.replace(" ", "")
    # The seller's name (6927 at 120, 33.8 mm) is ink; the empty table body below the line item is not.
    assert crop(120, 33.8, 40, 5).getextrema()[0] < 100
    assert crop(60, 70, 40, 15).getextrema()[0] > 200
    # Ruled lines of the template (a 201 mm rule at y = 51.8) and the QR image are drawn.
    assert crop(50, 51.6, 100, 0.8).getextrema()[0] < 200
    assert crop(7, 6.5, 19, 19).getextrema() == (0, 255)
    # The ⊗ before the capital amount (path 6933, Fill="true" without a colour) is outlined, not a disc.
    assert crop(57.9471 + 2.2, 97 + 1.1, 0.5, 0.4).getextrema()[0] > 200
    assert crop(57.9471 + 0.3, 97 + 2.3, 0.5, 0.4).getextrema()[0] < 150  # its circle


@pytest.mark.parametrize(("change", "code", "status", "reason"), [
    (lambda: changed_ofd("999.ofd", drop=("OFD.xml",)), "unsupported_type", 415, "without OFD.xml"),
    (lambda: changed_ofd("999.ofd", add={"../../etc/evil": b"x"}), "corrupt_ofd", 422, "outside itself"),
    (lambda: changed_ofd("999.ofd", add={"Doc_0/Res/bomb.png": bytes(10 * 2**20)}), "corrupt_ofd", 422,
     "zip bomb"),
    (lambda: changed_ofd("999.ofd", drop=("Doc_0/Document.xml",)), "corrupt_ofd", 422,
     "missing: Doc_0/Document.xml"),
    (lambda: changed_ofd("999.ofd", replace={"OFD.xml": (b"<ofd:DocRoot>", b"<ofd:DocRoot")}), "corrupt_ofd",
     422, "not well-formed"),
], ids=["no_ofd_xml", "path_traversal", "zip_bomb", "no_document", "broken_ofd_xml"])
def test_a_package_that_cannot_be_an_ofd_is_refused_with_its_reason(tmp_path, change, code, status, reason):
    content = change()
    path = tmp_path / "bad.ofd"
    path.write_bytes(content)
    with pytest.raises(Rejected) as refused:
        inspect_file(path, len(content), LIMITS)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert reason in refused.value.reason


def test_a_missing_page_part_fails_that_page_only(tmp_path):
    content = changed_ofd("999.ofd", drop=("Doc_0/Pages/Page_2/Content.xml",))
    reading, pages = _read(tmp_path, content)
    assert pages == 5
    failed = [c for c in reading.checks if c["code"] == "page_failed"]
    assert len(failed) == 1 and "第 3 页" in failed[0]["message"]
    assert "Doc_0/Pages/Page_2/Content.xml" in failed[0]["message"]
    assert reading.fields["invoice_number"] == "12235358" and reading.pages[3].text
    with pytest.raises(ValueError, match="Page_2"):
        draw_ofd_page(tmp_path / "invoice.ofd", 2, 200)


def test_a_broken_data_part_is_reported_and_the_rest_still_read(tmp_path):
    content = changed_ofd("20240531141733.ofd", replace={
        "Doc_0/Tags/CustomTag.xml": (b"<ofd:InvoiceNo>", b"<ofd:InvoiceNo")})
    reading, _ = _read(tmp_path, content)
    assert [c["code"] for c in reading.checks] == ["ofd_part_unreadable"]
    assert "CustomTag.xml is not well-formed" in reading.checks[0]["message"]
    assert reading.fields["invoice_number"] == "24112000000048542163"  # from CustomData
    assert reading.fields["buyer_name"] == "海南麒麟云服科技有限公司"  # from the page text
    assert reading.sources["buyer_name"]["source"] == "text_layer"
    # 价税合计 is not in CustomData: the page text gives it by its label (（小写）¥4449.00, glued), and
    # the QR on the page agrees (no qr_mismatch finding above).
    assert reading.fields["total_amount"] == "4449.00"
    assert reading.sources["total_amount"]["source"] == "text_layer"


def test_declared_data_that_disagrees_with_the_printed_page_is_an_error(tmp_path):
    content = changed_ofd("20240531141733.ofd", replace={
        "OFD.xml": ("<ofd:CustomData Name=\"合计金额\">4197.17".encode(),
                    "<ofd:CustomData Name=\"合计金额\">4917.17".encode())})
    reading, _ = _read(tmp_path, content)
    mismatch = [c for c in reading.checks if c["code"] == "ofd_text_mismatch"]
    assert mismatch == [{"code": "ofd_text_mismatch", "severity": "error", "field": "amount",
                         "message": "OFD 数据中的合计金额为“4917.17”，版面上为“4197.17”，请核对原件"}]


def test_declared_data_the_page_does_not_print_at_all_is_an_error(tmp_path):
    content = changed_ofd("fptpl.ofd", replace={
        "OFD.xml": ("<ofd:CustomData Name=\"发票号码\">12235358".encode(),
                    "<ofd:CustomData Name=\"发票号码\">12235359".encode())})
    reading, _ = _read(tmp_path, content)
    codes = {(c["code"], c.get("field")) for c in reading.checks if c["severity"] == "error"}
    assert ("ofd_text_mismatch", "invoice_number") in codes
    assert ("qr_mismatch", "invoice_number") in codes  # the QR printed on the page says 12235358 too


def test_an_uploaded_ofd_is_processed_and_drawn(rt, tmp_path):
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    result = factories.upload(rt, clerk, case_no, (OFD_DIR / "20240531141733.ofd").read_bytes(),
                              filename="dzfp_24112000000048542163.ofd")
    with rt.sessions() as session:
        document = session.scalars(select(Document).where(Document.id == result.document_id)).one()
        assert document.status == DocumentStatus.PROCESSED, document.failure_reason
        assert (document.content_type, document.kind, document.page_count) == (sniff.OFD, "vat_invoice", 1)
        assert document.fields == DIGITAL
        assert document.pages[0].source == "text_layer"
        assert "北京互联三六五科技有限公司" in document.pages[0].text
        thumb = page_image(rt.store, document, 1, "thumb", cache_dir=tmp_path / "cache", tmp_dir=tmp_path,
                           max_bytes=2**26)
        with pytest.raises(NoSuchPage):
            page_image(rt.store, document, 2, "thumb", cache_dir=tmp_path / "cache", tmp_dir=tmp_path,
                       max_bytes=2**26)
    with Image.open(thumb) as drawn:
        assert drawn.width == 200 and drawn.convert("L").getextrema()[0] < 100


def test_a_page_of_absurd_proportions_is_read_but_not_drawn(tmp_path):
    content = changed_ofd("20240531141733.ofd", replace={
        "Doc_0/Pages/Page_0/Content.xml": (b"<ofd:PhysicalBox>0 0 210 140",
                                           b"<ofd:PhysicalBox>0 0 1 100000")})
    reading, _ = _read(tmp_path, content)
    assert reading.fields["invoice_number"] == "24112000000048542163"
    assert [c["code"] for c in reading.checks] == ["page_not_drawn"]
    with pytest.raises(ValueError, match="too long to draw"):
        draw_ofd_page(tmp_path / "invoice.ofd", 0, 1400)


def test_the_printed_title_decides_the_kind_and_data_without_an_invoice_number_makes_no_vat_invoice(tmp_path):
    """A medical e-bill OFD (医疗收费票据) may carry a 校验码 in its data: it stays an `invoice`,
    and the VAT reading of its data is not applied (a warning says so)."""
    content = changed_ofd("fptpl.ofd", replace={
        "Doc_0/Tpls/Tpl_0/Content.xml": ("重庆增值税电子普通发票".encode(), "医疗门诊收费票据".encode()),
        "OFD.xml": ("<ofd:CustomData Name=\"发票号码\">12235358</ofd:CustomData>".encode(), b"")})
    reading, _ = _read(tmp_path, content)
    assert reading.kind == "invoice" and reading.kind_guessed
    assert "einvoice_other_kind" in [c["code"] for c in reading.checks]
    assert "seller_name" not in reading.fields
    # A 校验码 printed on the page is read as the medical e-bill's own (the invoice labels), never
    # taken from the VAT data.
    assert reading.sources.get("check_code", {}).get("source") in (None, "text_layer")
