"""Text of every page: the PDF text layer where it is usable, tesseract where it is not.

A PDF page is OCRed only when its text layer is missing, made of unmapped glyphs (`(cid:NN)`),
or far too thin for the page. Pages are handled one at a time, so a 500-page PDF or TIFF needs
the memory of one page; a page whose OCR fails is reported failed, the others still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytesseract
from PIL import Image, ImageOps

from archive.intake import sniff
from archive.pdf import PDFIUM_LOCK

OCR_DPI = 300
LANGUAGES = "chi_sim+eng"
MIN_TEXT_CHARS = 20  # a full page with fewer characters than this is treated as a scan
PLAUSIBLE_DPI = (50, 1200)
MAX_OCR_PIXELS = 40_000_000  # about A3 at 400 dpi
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass
class PageText:
    number: int
    source: str  # "text_layer" or "ocr"
    text: str = ""
    confidence: float | None = None  # mean word confidence 0–100 for OCR; None for a text layer
    words: list[Word] = field(default_factory=list)
    error: str | None = None  # set when this page could not be read


def join_cjk(text: str) -> str:
    """Drop the spaces tesseract puts between Chinese characters; keep those between words."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def read_pages(path: Path, content_type: str) -> Iterator[PageText]:
    if content_type == sniff.PDF:
        yield from _pdf_pages(path)
    else:
        yield from _image_pages(path)


def _pdf_pages(path: Path) -> Iterator[PageText]:
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            number = index + 1
            try:
                text = page.extract_text() or ""
                width, height = page.width, page.height
            except Exception as exc:  # noqa: BLE001 - a broken page must not lose the others
                text, width, height = "", 0, 0
                layer_error = str(exc)
            else:
                layer_error = None
            finally:
                page.close()  # pdfplumber caches parsed objects per page
            if layer_error is None and not needs_ocr(text, width, height):
                yield PageText(number, "text_layer", text=text.strip())
                continue
            try:
                image = _render(path, index)
            except Exception as exc:  # noqa: BLE001
                yield PageText(number, "ocr", error=f"page could not be rendered: {exc}")
                continue
            yield ocr_page(image, number)


def needs_ocr(text: str, width: float, height: float) -> bool:
    stripped = re.sub(r"\s", "", text)
    if not stripped or "(cid:" in text:
        return True
    page_area_a4 = (width * height) / (595 * 842) if width and height else 1
    return len(stripped) < MIN_TEXT_CHARS * min(1.0, page_area_a4)


def _render(path: Path, index: int) -> Image.Image:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
        try:
            page = document[index]
            bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
            image = bitmap.to_pil().copy()
            bitmap.close()
            page.close()
        finally:
            document.close()
    image.info["dpi"] = (OCR_DPI, OCR_DPI)
    return image


def _image_pages(path: Path) -> Iterator[PageText]:
    with Image.open(path) as image:
        for frame in range(getattr(image, "n_frames", 1)):
            try:
                image.seek(frame)
                page = image.copy()
                page.info["dpi"] = image.info.get("dpi", page.info.get("dpi"))
            except (OSError, ValueError) as exc:
                yield PageText(frame + 1, "ocr", error=f"page could not be decoded: {exc}")
                continue
            yield ocr_page(page, frame + 1)


def prepare(image: Image.Image) -> Image.Image:
    """Grey, upright (EXIF), contrast stretched, scaled to about 300 dpi."""
    image = ImageOps.exif_transpose(image).convert("L")
    dpi = image.info.get("dpi")
    try:
        resolution = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        resolution = 0.0
    if not PLAUSIBLE_DPI[0] <= resolution <= PLAUSIBLE_DPI[1]:
        # Missing, or nonsense such as the 1 dpi some scanners write: judge by the size.
        resolution = _guess_dpi(image)
    factor = OCR_DPI / resolution
    # Never enlarge past MAX_OCR_PIXELS, whatever the file claims: that way lies a memory bomb.
    factor = min(factor, (MAX_OCR_PIXELS / (image.width * image.height)) ** 0.5)
    if abs(factor - 1) > 0.1:
        image = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                             Image.Resampling.LANCZOS)
    return ImageOps.autocontrast(image, cutoff=1)


def _guess_dpi(image: Image.Image) -> float:
    # No resolution recorded: assume an A4 page scanned edge to edge; a small image is a
    # snippet, not a page, and is not blown up more than threefold.
    return max(100.0, max(image.width, image.height) / 11.69)


def ocr_page(image: Image.Image, number: int) -> PageText:
    try:
        data = pytesseract.image_to_data(prepare(image), lang=LANGUAGES,
                                         output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
        return PageText(number, "ocr", error=f"OCR failed: {str(exc).strip()[:200]}")
    words, lines, current_line, line_words = [], [], None, []
    for i, raw in enumerate(data["text"]):
        confidence = float(data["conf"][i])
        text = raw.strip()
        if confidence < 0 or not text:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current_line and line_words:
            lines.append(join_cjk(" ".join(line_words)))
            line_words = []
        current_line = key
        line_words.append(text)
        words.append(Word(text, data["left"][i], data["top"][i], data["width"][i],
                          data["height"][i], confidence))
    if line_words:
        lines.append(join_cjk(" ".join(line_words)))
    confidence = round(sum(w.confidence for w in words) / len(words), 1) if words else 0.0
    return PageText(number, "ocr", text="\n".join(lines), confidence=confidence, words=words)
