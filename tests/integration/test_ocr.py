"""Page text with real tesseract (chi_sim+eng) and real PDFs: OCR only where the text layer fails."""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from archive.demo import documents as gen
from archive.ocr import read_pages
from archive.ocr.pages import join_cjk

pytestmark = pytest.mark.ocr


def image_pdf(*pages: bytes | str) -> bytes:
    """A PDF whose pages are images (a scan) or, for str, a line of real text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if gen.CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(gen.CID_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in pages:
        if isinstance(page, str):
            pdf.setFont(gen.CID_FONT, 12)
            for i, line in enumerate(page.splitlines()):
                pdf.drawString(50, 780 - 18 * i, line)
        else:
            pdf.drawImage(ImageReader(Image.open(io.BytesIO(page))), 0, 0, *A4)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def invoice():
    return gen.invoice(random.Random(3))


@pytest.fixture(params=["tesseract", "rapidocr"])
def engine(request, monkeypatch):
    """The test run with each OCR engine as `ocr.engine`."""
    monkeypatch.setenv("ARCHIVE_OCR_ENGINE", request.param)
    return request.param


def test_born_digital_pdf_uses_the_text_layer(tmp_path, invoice):
    path = tmp_path / "a.pdf"
    path.write_bytes(invoice.content)
    [page] = read_pages(path, "application/pdf")
    assert page.source == "text_layer"
    assert invoice.truth["invoice_number"] in page.text
    assert invoice.truth["payer_name"] in page.text


def test_scan_is_ocred_with_confidence_word_boxes_and_no_spaces_in_chinese(tmp_path, invoice, engine):
    path = tmp_path / "scan.png"
    path.write_bytes(gen.scanned_image(invoice.lines, title="医疗收费票据"))
    [page] = read_pages(path, "image/png")
    assert page.source == "ocr" and page.error is None
    assert page.confidence > 60
    assert "医疗收费票据" in page.text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", page.text)
    number = invoice.truth["invoice_number"]
    box = next(w for w in page.words if number[:4] in w.text)
    assert box.width > 0 and box.height > 0 and 0 <= box.left < 2480


def test_only_the_page_without_text_is_ocred(tmp_path, invoice, engine):
    scan = gen.scanned_image(invoice.lines, title="医疗收费票据")
    path = tmp_path / "mixed.pdf"
    path.write_bytes(image_pdf("\n".join(invoice.lines), scan, "(cid:12)(cid:34)"))
    pages = list(read_pages(path, "application/pdf"))
    assert [p.source for p in pages] == ["text_layer", "ocr", "ocr"]
    assert invoice.truth["hospital"] in pages[1].text


def test_multipage_tiff_is_read_page_by_page(tmp_path, invoice, engine):
    path = tmp_path / "scan.tif"
    path.write_bytes(gen.scanned_image(invoice.lines, title="医疗收费票据", fmt="TIFF", pages=2))
    pages = list(read_pages(path, "image/tiff"))
    assert [p.number for p in pages] == [1, 2]
    assert all(p.source == "ocr" and "票据" in p.text for p in pages)


def test_join_cjk_keeps_spaces_between_latin_words():
    assert join_cjk("交 款 人 : John Smith 省 立 医院") == "交款人 : John Smith 省立医院"


def test_extract_command_prints_the_contract_json(tmp_path, invoice):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(invoice.content)
    result = subprocess.run([sys.executable, "-c", "from archive.cli import main; main()",
                             "extract", str(path), "--json"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["kind"] == "invoice" and output["kind_guessed"] is True
    assert output["fields"] == invoice.truth
    assert output["checks"] == []
    assert output["pages"] == [{"number": 1, "source": "text_layer", "confidence": None,
                                "text": output["pages"][0]["text"]}]


def test_extract_refuses_a_file_that_is_not_a_document(tmp_path):
    path = tmp_path / "word.pdf"
    path.write_bytes(b"PK\x03\x04 a Word file renamed")
    result = subprocess.run([sys.executable, "-c", "from archive.cli import main; main()",
                             "extract", str(path)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.startswith("archive: error: unsupported file type")


def test_nonsense_resolution_does_not_blow_up_the_page():
    from archive.ocr.preprocess import MAX_OCR_PIXELS, prepare

    page = Image.new("L", (1240, 1754), 255)
    page.info["dpi"] = (1, 1)  # what Pillow writes into a TIFF by default
    prepared = prepare(page)
    assert abs(prepared.image.width - 2480) <= 2 and abs(prepared.image.height - 3508) <= 2  # A4 at 150 dpi
    assert prepared.dpi == 300
    huge = Image.new("L", (4000, 4000), 255)
    huge.info["dpi"] = (72, 72)
    prepared = prepare(huge)
    assert prepared.image.width * prepared.image.height <= MAX_OCR_PIXELS * 1.01


def test_a_capital_amount_on_a_scan_is_read_with_the_numerals_chi_sim_lacks(tmp_path, monkeypatch):
    from PIL import ImageDraw, ImageFont

    from archive.ocr import analyse, second_reading

    monkeypatch.setenv("ARCHIVE_OCR_ENGINE", "tesseract")  # chi_sim's gap, and tesseract's second reading

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 42)
    page = Image.new("RGB", (1400, 260), "white")
    draw = ImageDraw.Draw(page)
    draw.text((40, 40), "合计（小写）：¥7,890.00", font=font, fill="black")
    draw.text((40, 150), "合计（大写）：柒仟捌佰玖拾元整", font=font, fill="black")
    path = tmp_path / "total.png"
    page.save(path, dpi=(300, 300))

    fields = analyse(list(read_pages(path, "image/png")), kind="invoice").fields
    assert fields["total_amount_capital"] == fields["total_amount"] == "7890.00"

    monkeypatch.setattr(second_reading, "has_traditional_model", lambda: False)  # chi_sim alone
    fields = analyse(list(read_pages(path, "image/png")), kind="invoice").fields
    assert "total_amount_capital" not in fields
