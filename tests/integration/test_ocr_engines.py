"""Both OCR engines on generated scans (real tesseract, real PP-OCR models from the wheel)."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from archive.demo import documents as gen
from archive.demo import scans
from archive.ocr import analyse
from archive.ocr.engines import get_engine
from archive.ocr.pages import ocr_page

pytestmark = pytest.mark.ocr
ENGINES = ["tesseract", "rapidocr"]
FIELDS = ("invoice_code", "invoice_number", "insurance_number", "payer_name", "issue_date")


@pytest.fixture(scope="module")
def invoice():
    return gen.invoice(random.Random(3))


@pytest.fixture(scope="module")
def degraded(invoice):
    """A 200–300 dpi JPEG with a red stamp, slight rotation, uneven light, blur and noise."""
    return Image.open(io.BytesIO(scans.scan(invoice, seed=1).content))


@pytest.mark.parametrize("name", ENGINES)
def test_each_engine_reads_a_degraded_scan_into_fields_with_word_boxes(name, invoice, degraded):
    page = ocr_page(degraded, 1, engine=get_engine(name))
    assert page.error is None and page.source == "ocr" and page.confidence > 60
    fields = analyse([page], kind="invoice").fields
    read = [field for field in FIELDS if fields.get(field) == invoice.truth[field]]
    assert len(read) >= 4, (fields, page.text)
    number = invoice.truth["invoice_number"]
    word = next(w for w in page.words if number[:4] in w.text)
    # The number is printed in the upper third of the page, left of the middle, one line high.
    assert 0 < word.left < degraded.width / 2 and 0 < word.top < degraded.height / 3
    assert 0 < word.height < degraded.height / 40 and word.width > 2 * word.height
    line = next(line for line in page.lines if number in line.text)
    assert len(line.boxes) == len(line.text) and line.confidences[line.text.index(number)] > 50


def test_rapidocr_reads_an_upside_down_and_a_sideways_page_upright(invoice):
    engine = get_engine("rapidocr")
    clean = Image.open(io.BytesIO(gen.scanned_image(invoice.lines, title="医疗收费票据")))
    for turn in (180, 270):  # Pillow turns counter-clockwise
        page = ocr_page(clean.rotate(turn, expand=True), 1, engine=engine)
        assert page.text.startswith("医疗收费票据"), (turn, page.text[:80])
        assert invoice.truth["invoice_number"] in page.text
        assert (page.width, page.height) == clean.rotate(turn, expand=True).size


@pytest.mark.parametrize("name", ENGINES)
def test_images_with_nothing_to_read_are_blank_pages_and_a_broken_one_has_a_reason(
        name, tmp_path, monkeypatch, degraded):
    from archive.ocr import read_pages

    engine = get_engine(name)
    for image in (Image.new("L", (1, 1), 255), Image.new("L", (5, 4000), 0),
                  Image.new("L", (9, 35000), 0), Image.new("F", (300, 300), 0.5)):
        page = ocr_page(image, 3, engine=engine)
        assert (page.number, page.text, page.error) == (3, "", None)  # blank, as tesseract said
    monkeypatch.setenv("ARCHIVE_OCR_ENGINE", name)
    path = tmp_path / "cut.jpg"
    buffer = io.BytesIO()
    degraded.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue()[:5000])  # an upload cut short
    [page] = read_pages(path, "image/jpeg")
    assert page.error.startswith("page could not be decoded: image file is truncated")


NO_NETWORK = textwrap.dedent("""
    import io, random, socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(args[:2])
        raise OSError("network access attempted")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.getaddrinfo = socket.create_connection = refuse
    from pathlib import Path
    from PIL import Image
    import rapidocr
    from archive.demo import documents as gen
    from archive.ocr.engines import get_engine
    from archive.ocr.engines.rapidocr import model_dir
    from archive.ocr.pages import ocr_page
    invoice = gen.invoice(random.Random(3))
    image = Image.open(io.BytesIO(gen.scanned_image(invoice.lines, title="医疗收费票据")))
    engine = get_engine("rapidocr")
    page = ocr_page(image, 1, engine=engine)
    package = Path(rapidocr.__file__).resolve().parent
    models = sorted(p.name for p in model_dir().glob("*.onnx"))
    ocr = engine._engine()
    loaded = [Path(part.session.session._model_path).resolve() for part in (ocr.text_det, ocr.text_rec)]
    print(repr((attempts, page.error, invoice.truth["invoice_number"] in page.text, models,
                [str(p.relative_to(package)) for p in loaded])))
""")


def test_rapidocr_reads_with_the_models_in_its_wheel_and_never_touches_the_network(tmp_path):
    # A fresh process, so the models are loaded with the network refused from the start.
    result = subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert result.returncode == 0, result.stderr
    attempts, error, found, models, loaded = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307
    assert attempts == [] and error is None and found
    assert models == ["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx",
                      "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]
    assert loaded == ["models/PP-OCRv6_det_small.onnx", "models/PP-OCRv6_rec_small.onnx"]
    assert result.stderr == ""  # nothing of rapidocr's logging reaches the user
