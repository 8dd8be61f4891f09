"""One file in, a Reading out, whatever format it came in: the entry point processing and
`archive extract` use.

PDFs and images go through the page reading (`analyse`); OFD and e-invoice XML bring their own
data, read exactly (source `xml`), with the printed page read as well for what the data lacks and
to check the data against. On invoice pages the QR codes are decoded (source `qr`). Every field
carries its source in `Reading.sources[name]["source"]`: `text_layer`, `ocr`, `xml` or `qr`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from archive.files import sniff
from archive.ocr.checks import check_document
from archive.ocr.einvoice_xml import is_einvoice, read_invoice_xml
from archive.ocr.extract import MIN_CONFIDENCE, Reading, analyse, unreadable_finding
from archive.ocr.fields import field_label, guess_kind
from archive.ocr.ofd_document import open_document
from archive.ocr.ofd_draw import draw_page, draw_text_card
from archive.ocr.ofd_fields import locate, mismatches, read_ofd_data
from archive.ocr.ofd_package import OfdError, open_package, parse_xml
from archive.ocr.ofd_text import page_text
from archive.ocr.pages import PageText, read_pages
from archive.ocr.qr import MAX_PAGES, QrCode, apply_codes, decode
from archive.pdf import PDFIUM_LOCK

QR_KINDS = (None, "invoice", "vat_invoice")
QR_WIDTH_PX = 1600  # an OFD page drawn this wide for its QR: a 20 mm code gets ~150 px
QR_PDF_DPI = 150  # a 2 cm invoice QR is ~120 px: plenty for zxing, half the pixels of 200 dpi
KEPT_CHECKS = ("page_failed", "low_confidence")


def read_document(path: Path, content_type: str, *, kind: str | None,
                  min_confidence: float = MIN_CONFIDENCE, case: dict | None = None,
                  max_ocr_pages: int | None = None) -> Reading:
    if content_type == sniff.OFD:
        return _ofd(path, kind, min_confidence, case)
    if content_type == sniff.XML:
        return _xml(path, kind)
    reading = analyse(list(read_pages(path, content_type, max_ocr_pages=max_ocr_pages)), kind=kind,
                      min_confidence=min_confidence, case=case)
    label_sources(reading)
    if reading.kind in QR_KINDS:
        try:
            codes = [code for number, image in _page_images(path, content_type)
                     for code in decode(image, number)]
        except (pdfium.PdfiumError, OSError, ValueError) as exc:
            reading.checks.append({"code": "qr_unreadable", "severity": "warning",
                                   "message": f"无法检查页面上的二维码：{str(exc)[:200]}"})
        else:
            _qr(reading, codes)
    return reading


def label_sources(reading: Reading) -> None:
    """Each field read from the pages gets its page's source (text layer or OCR)."""
    by_page = {page.number: page.source for page in reading.pages}
    default = reading.pages[0].source if len(reading.pages) == 1 else None
    for name in reading.fields:
        place = reading.sources.get(name) or {}
        source = by_page.get(place.get("page")) or default
        if source and "source" not in place:
            reading.sources[name] = {**place, "source": source}


def _qr(reading: Reading, codes: list[QrCode]) -> None:
    """The QR codes' values into the reading; their findings with its checks. Fields the QR filled
    are no longer missing, and the document's checks run again on what is now known."""
    before = dict(reading.fields)
    findings = apply_codes(reading.kind, codes, reading.fields, reading.sources)
    filled = set(reading.fields) - set(before) - {"qr_codes"}
    if filled:
        stale = check_document(reading.kind, before)
        reading.checks = [c for c in reading.checks if c.get("field") not in filled and c not in stale] \
            + check_document(reading.kind, reading.fields)
    reading.checks = reading.checks + findings


def draw_ofd_page(path: Path, index: int, width: int) -> Image.Image:
    """Page `index` (0-based) of an OFD, for the viewer."""
    package = open_package(path)
    try:
        document = open_document(package)
        if not 0 <= index < len(document.page_refs):
            raise OfdError(f"the OFD has no page {index + 1}")
        page = document.page(index)
        if page.error:
            raise OfdError(page.error)
        return draw_page(document, page, width)
    finally:
        package.close()


def draw_xml_page(path: Path, width: int) -> Image.Image:
    """An e-invoice XML has no drawing: its fields as lines of text."""
    return draw_text_card(_xml_text(path)[1].splitlines(), width)


def _xml_text(path: Path) -> tuple[tuple[dict, list[dict], str | None], str]:
    root = parse_xml(path.read_bytes(), "the XML file")
    read = read_invoice_xml(root) if is_einvoice(root) else ({}, [], None)
    fields = read[0]
    lines = [f"{field_label('vat_invoice', name)}：{value}" for name, value in fields.items()
             if name != "items"]
    lines += ["  ".join(str(value) for value in item.values()) for item in fields.get("items", [])]
    return read, "\n".join(lines)


def _xml(path: Path, kind: str | None) -> Reading:
    try:
        (fields, refused, qr_text), text = _xml_text(path)
    except OfdError as exc:
        page = PageText(1, "xml", error=str(exc))
        return Reading(kind, False, [page], {}, [_failed(page)])
    taken_kind = kind or "vat_invoice"
    page = PageText(1, "xml", text=text)
    reading = Reading(taken_kind, kind is None, [page], {}, [])
    if taken_kind != "vat_invoice":
        reading.checks.append(_other_kind(taken_kind))
        return reading
    reading.fields = fields
    reading.sources = {name: {"source": "xml"} for name in fields}
    reading.checks = check_document(taken_kind, fields) + [
        unreadable_finding(taken_kind, item) for item in refused]
    if qr_text:
        reading.checks += apply_codes(taken_kind, [QrCode(1, qr_text, None)], reading.fields, reading.sources)
    return reading


def _ofd(path: Path, kind: str | None, min_confidence: float, case: dict | None) -> Reading:
    package = open_package(path)
    try:
        document = open_document(package)
        ofd_pages = [document.page(index) for index in range(len(document.page_refs))]
        pages = [page_text(page) for page in ofd_pages]
        texts = {item.id: (page.number, item) for page in ofd_pages for item in page.texts()}
        sizes = {page.number: (page.width, page.height) for page in ofd_pages}
        data = read_ofd_data(document, texts, sizes)
        invoice = bool(data.fields)
        # The printed title says what the document is (a medical e-bill OFD may carry a 校验码 in
        # its data too); the data makes it a VAT invoice only with an invoice number of its own.
        text_kind = kind or guess_kind("\n".join(page.text for page in pages)) or (
            "vat_invoice" if "invoice_number" in data.fields else None)
        reading = analyse(pages, kind=text_kind, min_confidence=min_confidence, case=case)
        reading.kind_guessed = kind is None and reading.kind is not None
        label_sources(reading)
        if invoice and reading.kind == "vat_invoice":
            _merge(reading, data, pages)
        elif invoice:
            reading.checks.append(_other_kind(reading.kind))
        if reading.kind in QR_KINDS:
            codes = []
            for page in ofd_pages[:MAX_PAGES]:
                try:
                    codes += [] if page.error else decode(draw_page(document, page, QR_WIDTH_PX), page.number)
                except OfdError as exc:
                    reading.checks.append({"code": "page_not_drawn", "severity": "warning",
                                           "message": f"第 {page.number} 页无法绘制：{exc}"})
            _qr(reading, codes)
        reading.checks += [{"code": "ofd_part_unreadable", "severity": "warning",
                            "message": f"OFD 文件的部分内容无法读取：{problem}"} for problem in data.problems]
        return reading
    finally:
        package.close()


def _merge(reading: Reading, data, pages: list[PageText]) -> None:
    """The OFD's data over what its page text gave; the page text's findings on those fields go,
    the data's disagreements with the page come."""
    reading.fields.update(data.fields)
    reading.sources.update(data.sources)
    for name, place in data.sources.items():
        if "page" not in place and name != "items" and (found := locate(name, data.fields[name], pages)):
            reading.sources[name] = {**found, "source": "xml"}
    checks = [c for c in reading.checks if c["code"] in KEPT_CHECKS
              or (c.get("field") and c["field"] not in data.fields)]
    checks += check_document(reading.kind, reading.fields)
    checks += [unreadable_finding(reading.kind, item) for item in data.refused]
    for name, declared, printed in mismatches(data, "\n".join(page.text for page in pages)):
        label = field_label(reading.kind, name)
        shown = f"版面上为“{printed}”" if printed is not None else "版面上没有印出该值"
        checks.append({"code": "ofd_text_mismatch", "severity": "error", "field": name,
                       "message": f"OFD 数据中的{label}为“{declared}”，{shown}，请核对原件"})
    reading.checks = checks
    if data.qr:
        reading.checks += apply_codes(reading.kind, [QrCode(1, data.qr, None)], reading.fields,
                                      reading.sources)


def _other_kind(kind: str | None) -> dict:
    return {"code": "einvoice_other_kind", "severity": "warning",
            "message": f"文件含增值税电子发票数据，但登记的材料类型为 {kind}，数据未采用"}


def _failed(page: PageText) -> dict:
    return {"code": "page_failed", "severity": "error",
            "message": f"第 {page.number} 页无法读取：{page.error}"}


def _page_images(path: Path, content_type: str) -> Iterator[tuple[int, Image.Image]]:
    """The first pages as images, for their QR codes."""
    if content_type == sniff.PDF:
        for index in range(MAX_PAGES):
            with PDFIUM_LOCK:
                document = pdfium.PdfDocument(str(path))
                try:
                    if index >= len(document):
                        return
                    page = document[index]
                    bitmap = page.render(scale=QR_PDF_DPI / 72)
                    image = bitmap.to_pil().convert("L")
                    bitmap.close()
                    page.close()
                finally:
                    document.close()
            yield index + 1, image
        return
    with Image.open(path) as picture:
        for frame in range(min(MAX_PAGES, getattr(picture, "n_frames", 1))):
            picture.seek(frame)
            yield frame + 1, picture.convert("L")
