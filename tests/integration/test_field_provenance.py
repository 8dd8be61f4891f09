"""Where each field was read (provenance): boxes as fractions of the page, checked against the
generator's own layout — born-digital PDFs (text layer, PDF points) and scans (real tesseract)."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from archive.demo import documents as gen
from archive.models import Document
from archive.ocr.extract import analyse
from archive.ocr.pages import read_pages, shown_sources
from tests import factories
from tests.integration.test_ocr import image_pdf

PDF_LEFT, PDF_FIRST_BASELINE, PDF_LINE_STEP, PDF_SIZE = 50, 100, 18, 11  # archive.demo.documents._pdf
SCAN_LEFT, SCAN_TOP, SCAN_STEP, SCAN_SIZE = 80, 80, 44, (1240, 1754)  # ... scanned_image


def printed_at_pdf(lines: list[str], label: str) -> tuple[float, float, float, float]:
    """Where the value after `label` is printed on the generated PDF: fractions of the page."""
    width, height = A4
    index, line = next((i, line) for i, line in enumerate(lines) if label in line)
    prefix, value = line.split(label, 1)[0] + label, line.split(label, 1)[1].split()[0]
    left = PDF_LEFT + stringWidth(prefix, gen.CID_FONT, PDF_SIZE)
    right = left + stringWidth(value, gen.CID_FONT, PDF_SIZE)
    baseline = PDF_FIRST_BASELINE + PDF_LINE_STEP * index  # from the top of the page
    return left / width, (baseline - PDF_SIZE) / height, right / width, baseline / height


def printed_at_scan(lines: list[str], label: str) -> tuple[float, float, float, float]:
    """Where the value after `label` is drawn on gen.scanned_image (the title is line 0)."""
    index, line = next((i, line) for i, line in enumerate(lines) if label in line)
    prefix, value = line.split(label, 1)[0] + label, line.split(label, 1)[1].split()[0]
    font = gen._cjk_font(28)
    draw = ImageDraw.Draw(Image.new("L", SCAN_SIZE))
    left, top, right, bottom = draw.textbbox(
        (SCAN_LEFT + font.getlength(prefix), SCAN_TOP + SCAN_STEP * (index + 1)), value, font=font)
    return left / SCAN_SIZE[0], top / SCAN_SIZE[1], right / SCAN_SIZE[0], bottom / SCAN_SIZE[1]


def assert_covers(source: dict, printed, *, page: int = 1, slack: float = 0.004) -> None:
    """One box on `page` whose edges are within `slack` (fraction of the page) of the print."""
    assert source["page"] == page
    [box] = source["boxes"]
    for edge, (found, expected) in enumerate(zip(box, printed, strict=True)):
        assert abs(found - expected) <= slack, (edge, box, printed)


def assert_overlaps(source: dict, printed, *, page: int = 1, at_least: float = 0.7) -> None:
    """One box on `page` that overlaps the print by `at_least` of their union (IoU). Tesseract's
    boxes of Chinese characters are a few pixels off the ink, so a scan gets this test."""
    assert source["page"] == page
    [box] = source["boxes"]
    width = min(box[2], printed[2]) - max(box[0], printed[0])
    height = min(box[3], printed[3]) - max(box[1], printed[1])
    both = max(width, 0) * max(height, 0)
    area = (box[2] - box[0]) * (box[3] - box[1]) + (printed[2] - printed[0]) * (printed[3] - printed[1])
    assert both / (area - both) >= at_least, (box, printed)


@pytest.fixture(scope="module")
def invoice():
    return gen.invoice(random.Random(11))


def test_born_digital_fields_are_boxed_where_they_are_printed(tmp_path, invoice):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(invoice.content)
    reading = analyse(list(read_pages(path, "application/pdf")), kind="invoice")
    assert reading.fields["invoice_number"] == invoice.truth["invoice_number"]
    for name, label in (("invoice_number", "票据号码："), ("invoice_code", "票据代码："),
                        ("payer_name", "交款人："), ("insurance_number", "医保号：")):
        assert_covers(reading.sources[name], printed_at_pdf(invoice.lines, label))
    # One box per line item, each on its own printed row.
    rows = reading.sources["line_items"]["boxes"]
    assert len(rows) == len(invoice.truth["line_items"]) == 3
    assert [round(b[1] * A4[1]) for b in rows] == sorted(round(b[1] * A4[1]) for b in rows)


def test_a_field_on_a_later_page_names_that_page(tmp_path):
    # A referral whose first page is a cover sheet: every field is read on page 2.
    referral = gen.referral(random.Random(5))
    path = tmp_path / "referral.pdf"
    path.write_bytes(gen._pdf([["封面 转诊材料 共两页 请按顺序装订归档"], referral.lines], "转诊转院审批表"))
    reading = analyse(list(read_pages(path, "application/pdf")), kind="referral")
    assert reading.fields["id_number"] == referral.truth["id_number"]
    assert_covers(reading.sources["id_number"], printed_at_pdf(referral.lines, "身份证号："), page=2)


@pytest.mark.ocr
@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
@pytest.mark.parametrize("container", ["png", "pdf"])
def test_scanned_fields_are_boxed_where_they_are_printed(tmp_path, invoice, container, engine, monkeypatch):
    monkeypatch.setenv("ARCHIVE_OCR_ENGINE", engine)
    scan = gen.scanned_image(invoice.lines, title="医疗收费票据")
    path = tmp_path / f"scan.{container}"
    # In a PDF the scan fills the A4 page, which is rendered for OCR at 300 dpi: other pixels,
    # the same fractions.
    path.write_bytes(scan if container == "png" else image_pdf(scan))
    content_type = "image/png" if container == "png" else "application/pdf"
    [page] = read_pages(path, content_type)
    assert page.source == "ocr"
    reading = analyse([page], kind="invoice")
    labels = {"invoice_number": "票据号码：", "invoice_code": "票据代码：", "payer_name": "交款人：",
              "insurance_number": "医保号：", "hospital": "收款单位："}
    # OCR does not read every field of every scan; each one it read right is boxed where printed.
    read = [name for name in labels if reading.fields.get(name) == invoice.truth[name]]
    assert "invoice_number" in read and len(read) >= 3, reading.fields
    for name in read:
        assert_overlaps(reading.sources[name], printed_at_scan(invoice.lines, labels[name]))


def test_processing_stores_the_sources_with_the_fields(runtime, users, invoice):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    result = factories.upload(runtime, users["intake_clerk"], case_no, invoice.content, kind="invoice")
    with runtime.sessions() as session:
        document = session.get_one(Document, result.document_id)
        assert document.fields["invoice_number"] == invoice.truth["invoice_number"]
        assert set(document.field_sources) == set(document.fields)
        assert_covers(document.field_sources["invoice_number"],
                      printed_at_pdf(invoice.lines, "票据号码："))
        assert (document.pages[0].width, document.pages[0].height) == pytest.approx(A4)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_boxes_of_a_page_read_turned_are_put_back_on_the_page_as_stored(turn):
    from PIL import ImageOps

    from archive.ocr.pages import PageLine, PageText, Word, _turned_back

    # A mark at a known place; the page turned as ocr_page turns it before reading it again.
    page = Image.new("L", (100, 200), 255)
    ImageDraw.Draw(page).rectangle((10, 20, 29, 39), fill=0)
    turned = page.rotate(-turn, expand=True)
    left, top, right, bottom = ImageOps.invert(turned).getbbox()
    w, h = turned.size
    as_read = (left / w, top / h, right / w, bottom / h)
    read = PageText(1, "ocr", text="X", words=[Word("X", left, top, right - left, bottom - top, 90.0)],
                    lines=[PageLine("X", (90.0,), (as_read,))], width=w, height=h)
    back = _turned_back(read, turn, page.size)
    # The line keeps the upright geometry it was read in (the field readers pair by it); the
    # viewer is given its box on the page as stored, and the words are kept there.
    assert back.lines[0].boxes[0] == as_read
    shown = shown_sources([back], {"mark": {"page": 1, "boxes": [as_read]}})
    assert shown["mark"]["boxes"][0] == pytest.approx([0.1, 0.1, 0.3, 0.2])
    word = back.words[0]
    assert (word.left, word.top, word.width, word.height) == (10, 20, 20, 20)
    assert (back.width, back.height) == (100, 200)
