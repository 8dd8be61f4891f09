"""QR codes on invoice pages (zxing-cpp): a VAT invoice QR's values are exact (source `qr`), fill
what the page does not print, and contradict a misprinted or misread value as an ERROR finding;
other payloads (a medical e-bill's) are kept raw; a QR that does not decode is reported and
nothing else is affected. The QR codes are generated here (segno)."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw, ImageFilter

from archive.files import sniff
from archive.ocr.einvoice import read_document
from archive.ocr.qr import parse_vat_qr
from tests.fixtures.einvoices import qr_png, vat_invoice_pdf

OLDER_QR = "01,10,050001700111,12235358,10000.00,20200805,16630282980991510014,7257"
PRINTED = ["发票代码：050001700111", "发票号码：12235358", "开票日期：2020年08月05日", "购买方名称：个人",
           "销售方名称：财天下科技有限公司", "合计金额：¥10000.00  合计税额：¥600.00",
           "价税合计（大写）：壹万零陆佰圆整  （小写）：¥10600.00"]


def test_the_vat_qr_payload_is_read_field_by_field():
    assert parse_vat_qr(OLDER_QR) == {
        "invoice_type": "10", "invoice_code": "050001700111", "invoice_number": "12235358",
        "amount": "10000.00",
        "issue_date": "2020-08-05", "check_code": "16630282980991510014"}
    # A 数电票's (from the real sample): no code, a 20-digit number, the amount with tax, no check code.
    assert parse_vat_qr("01,31,,24112000000048542163,4449.00,20240528,,B2B6") == {
        "invoice_type": "31", "invoice_number": "24112000000048542163", "total_amount": "4449.00",
        "issue_date": "2024-05-28"}
    for other in ("https://example.org/bill?id=1", "01,10,ABC,12235358,1.00,20200805,,x", "01,10"):
        assert parse_vat_qr(other) is None


def _read_pdf(tmp_path, lines, qr_text=None, *, qr_image=None, kind=None):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(vat_invoice_pdf(lines, qr_text, qr_image=qr_image))
    return read_document(path, sniff.PDF, kind=kind)


def test_a_qr_that_agrees_fills_what_the_page_does_not_print(tmp_path):
    reading = _read_pdf(tmp_path, PRINTED, OLDER_QR)
    assert reading.kind == "vat_invoice"
    assert reading.fields["invoice_number"] == "12235358"
    assert reading.sources["invoice_number"]["source"] == "text_layer"
    # 校验码 is not printed on this page: the QR gives it, exactly, with where the QR is.
    assert reading.fields["check_code"] == "16630282980991510014"
    check = reading.sources["check_code"]
    assert check["source"] == "qr" and check["page"] == 1
    left, top, right, bottom = check["boxes"][0]
    assert 0.05 < left < right < 0.2 and 0.03 < top < bottom < 0.15  # the QR's place, top left
    assert reading.fields["qr_codes"] == [OLDER_QR]
    assert [c for c in reading.checks if c["code"].startswith("qr_")] == []


def test_a_printed_value_the_qr_contradicts_is_an_error(tmp_path):
    printed = [line.replace("12235358", "12235858") for line in PRINTED]
    reading = _read_pdf(tmp_path, printed, OLDER_QR)
    assert reading.fields["invoice_number"] == "12235858"  # the printed value stays; the reviewer decides
    assert [c for c in reading.checks if c["code"] == "qr_mismatch"] == [{
        "code": "qr_mismatch", "severity": "error", "field": "invoice_number",
        "message": "发票号码：票面为“12235858”，二维码为“12235358”，不一致"}]


def test_a_medical_ebill_qr_payload_is_kept_raw(tmp_path):
    payload = "45060121|0003216549|6e5f1a|326.50|20260305"  # a bill platform's verification string
    lines = ["医疗收费电子票据", "票据代码：45060121", "票据号码：0003216549", "交款人：张伟",
             "合计（小写）：326.50"]
    reading = _read_pdf(tmp_path, lines, payload, kind="invoice")
    assert reading.fields["qr_codes"] == [payload]
    assert "check_code" not in reading.fields
    assert not [c for c in reading.checks if c["code"].startswith("qr_")]


def test_a_qr_that_does_not_decode_is_reported_and_nothing_else_changes(tmp_path):
    image = Image.open(io.BytesIO(qr_png(OLDER_QR))).convert("L")
    pen, rng = ImageDraw.Draw(image), random.Random(1)
    width, height = image.size
    for _ in range(120):  # modules of the data area blotted: found, but its error correction fails
        x, y = rng.randrange(width // 2, width - 30), rng.randrange(height // 2, height - 30)
        pen.rectangle([x - x % 6, y - y % 6, x - x % 6 + 5, y - y % 6 + 5], fill=rng.choice([0, 255]))
    damaged = io.BytesIO()
    image.save(damaged, "PNG")
    reading = _read_pdf(tmp_path, PRINTED, qr_image=damaged.getvalue())
    clean = _read_pdf(tmp_path, PRINTED)
    assert [c["code"] for c in reading.checks if c["code"].startswith("qr_")] == ["qr_unreadable"]
    assert "qr_codes" not in reading.fields
    assert reading.fields == clean.fields


@pytest.mark.timeout(120)
def test_a_qr_on_a_photographed_page_is_decoded(tmp_path):
    """A phone photo: the page turned a little, soft focus, JPEG."""
    page = Image.new("RGB", (1240, 1754), (238, 236, 230))
    page.paste(Image.open(io.BytesIO(qr_png(OLDER_QR, scale=5))).convert("RGB"), (120, 120))
    photo = page.rotate(7, expand=True, fillcolor=(90, 90, 90)).filter(ImageFilter.GaussianBlur(1.2))
    path = tmp_path / "photo.jpg"
    photo.save(path, "JPEG", quality=70)
    reading = read_document(path, sniff.JPEG, kind="vat_invoice")
    assert reading.fields["qr_codes"] == [OLDER_QR]
    assert reading.fields["invoice_number"] == "12235358"
    assert reading.sources["invoice_number"]["source"] == "qr"
