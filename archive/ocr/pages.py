"""Text of every page: the PDF text layer where it is usable, OCR where it is not.

A PDF page is OCRed only when its text layer is missing, made of unmapped glyphs (`(cid:NN)`),
or far too thin for the page. Pages are handled one at a time, so a 500-page PDF or TIFF needs
the memory of one page; a page whose OCR fails is reported failed, the others still read.
The OCR engine is the one `ocr.engine` names (archive.ocr.engines: tesseract or rapidocr).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytesseract
from PIL import Image

from archive.files import sniff
from archive.ocr.engines import OcrEngine, OcrEngineError, configured_engine
from archive.ocr.engines.tesseract import LANGUAGES, PAGE_SEGMENTATION  # noqa: F401 - also read from here
from archive.ocr.preprocess import MAX_OCR_PIXELS, Prepared, prepare
from archive.ocr.registration import doubt_inked, regroup
from archive.ocr.two_inks import doubt_crossed, read_apart
from archive.pdf import PDFIUM_LOCK

OCR_DPI = 300
MIN_TEXT_CHARS = 20  # a full page with fewer characters than this is treated as a scan
# Fewer characters than this: a blank or nearly blank page, nothing to turn. (Characters, not
# words: PP-OCR gives a run of characters as one word where tesseract gives one word each.)
MIN_CHARACTERS_TO_TURN = 10
WIDE_GAP = 0.6  # a gap between words wider than this many line heights separates two fields
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_NOISE_WORD = re.compile(r"[”“\"'‘’_|~^`]+")


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: int = 0  # the engine's printed line (archive.ocr.engines.base)


# Where something is printed: (left, top, right, bottom) as fractions of the page's width and
# height. Fractions, not pixels, so a box fits every rendering of the page (OCR at 300 dpi, the
# viewer's 1,400 px JPEG, a thumbnail) and a text layer's PDF points alike.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageLine:
    """One printed line: its text and, per character of `text`, the confidence of its word (OCR;
    None for a text layer) and the box it was read from (None for a space put in between)."""

    text: str
    confidences: tuple[float, ...] | None
    boxes: tuple[Box | None, ...] = ()


@dataclass
class PageText:
    number: int
    source: str  # "text_layer" or "ocr"
    text: str = ""
    confidence: float | None = None  # mean word confidence 0–100 for OCR; None for a text layer
    words: list[Word] = field(default_factory=list)
    error: str | None = None  # set when this page could not be read
    lines: list[PageLine] | None = None  # the lines of `text` with character confidences and boxes
    width: float | None = None  # of the page as read: image pixels for OCR, PDF points for a text layer
    height: float | None = None
    # OCR of a photo, a skewed scan or a page read turned: boxes are read on the page upright and
    # deskewed; this 3×3 matrix takes them onto the image as stored, which the viewer shows
    # (`shown_sources`). The words are kept on the image as stored.
    shown: tuple[tuple[float, ...], ...] | None = None
    # A pre-printed form read in its two inks apart: the same page read whole, with both inks, as
    # a page that is no form is (archive.ocr.apart_fields takes a value read apart only if it is
    # confirmed). None for other pages.
    whole: PageText | None = None


def join_cjk(text: str) -> str:
    """Drop the spaces tesseract puts between Chinese characters; keep those between words."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def read_pages(path: Path, content_type: str, *, max_ocr_pages: int | None = None) -> Iterator[PageText]:
    """Every page's text. With `max_ocr_pages` (settings `ocr.max_pages`), pages that would be
    OCRed after that many are not (a 1,200-frame TIFF is not minutes of tesseract): they carry
    an error saying so, which flags the document for a person, and text-layer pages still read."""
    budget = _OcrBudget(max_ocr_pages)
    if content_type == sniff.PDF:
        yield from _pdf_pages(path, budget)
    else:
        yield from _image_pages(path, budget)


@dataclass
class _OcrBudget:
    pages: int | None  # None: no limit
    used: int = 0

    def spend(self) -> bool:
        """True if one more page may be OCRed (and counts it)."""
        if self.pages is not None and self.used >= self.pages:
            return False
        self.used += 1
        return True

    def refusal(self, number: int) -> PageText:
        return PageText(number, "ocr", error=(
            f"not read: only the first {self.pages} scanned pages of a document are OCRed "
            "(ocr.max_pages); check the rest by hand or upload them as separate documents"))


def _pdf_pages(path: Path, budget: _OcrBudget) -> Iterator[PageText]:
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            number = index + 1
            try:
                width, height = page.width, page.height
                # The same text map extract_text() joins, kept with the char behind each character.
                characters = page.get_textmap().tuples
                text = "".join(character for character, _ in characters)
            except Exception as exc:  # noqa: BLE001 - a broken page must not lose the others
                text, width, height, characters = "", 0, 0, []
                layer_error = str(exc)
            else:
                layer_error = None
            finally:
                page.close()  # pdfplumber caches parsed objects per page
            if layer_error is None and not needs_ocr(text, width, height):
                yield PageText(number, "text_layer", text=text.strip(),
                               lines=text_layer_lines(characters, width, height), width=width, height=height)
                continue
            if not budget.spend():
                yield budget.refusal(number)
                continue
            try:
                image = _render(path, index)
            except Exception as exc:  # noqa: BLE001
                yield PageText(number, "ocr", error=f"page could not be rendered: {exc}")
                continue
            yield ocr_page(image, number)


def text_layer_lines(characters: list[tuple[str, dict | None]], width: float,
                     height: float) -> list[PageLine]:
    """The non-blank lines of a text layer, stripped, each character with its box on the page."""
    lines, text, boxes = [], [], []
    for character, char in [*characters, ("\n", None)]:
        if character == "\n":
            line = "".join(text)
            start = len(line) - len(line.lstrip())
            stop = len(line.rstrip())
            if stop > start:
                lines.append(PageLine(line[start:stop], None, tuple(boxes[start:stop])))
            text, boxes = [], []
            continue
        text.append(character)
        boxes.append(None if char is None else _fraction(
            char["x0"], char["top"], char["x1"], char["bottom"], width, height))
    return lines


def _fraction(left: float, top: float, right: float, bottom: float, width: float, height: float) -> Box:
    return (round(left / width, 5), round(top / height, 5),
            round(right / width, 5), round(bottom / height, 5))


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
            width, height = page.get_size()
            # A page of absurd size (a poster, or a 20000-pixel image at 1 pt per pixel) is rendered
            # no larger than an A3 page at 400 dpi.
            scale = min(OCR_DPI / 72, (MAX_OCR_PIXELS / max(1.0, width * height)) ** 0.5)
            bitmap = page.render(scale=scale)  # in colour: red seals are dropped by colour
            image = bitmap.to_pil().copy()
            bitmap.close()
            page.close()
        finally:
            document.close()
    image.info["dpi"] = (round(scale * 72),) * 2
    return image


def _image_pages(path: Path, budget: _OcrBudget) -> Iterator[PageText]:
    with Image.open(path) as image:
        for frame in range(getattr(image, "n_frames", 1)):
            if not budget.spend():
                yield budget.refusal(frame + 1)  # not even decoded
                continue
            try:
                image.seek(frame)
                page = image.copy()
                page.info["dpi"] = image.info.get("dpi", page.info.get("dpi"))
            except (OSError, ValueError) as exc:
                yield PageText(frame + 1, "ocr", error=f"page could not be decoded: {exc}")
                continue
            yield ocr_page(page, frame + 1)


def ocr_page(image: Image.Image, number: int, *, psm: int | None = None,
             engine: OcrEngine | None = None) -> PageText:
    """Preprocess, OCR, and put the words back into lines; a poor reading is tried once turned.
    `engine`: the configured one (`ocr.engine`) unless given; `psm` is tesseract's only."""
    try:
        engine = engine or configured_engine()
        prepared = prepare(image, binarise=engine.binarise)
        page = _ocr(engine, prepared, number, image.size, psm)
        page.error = page.error or prepared.why_unreadable(page.words)  # a photo with no page in it
        sideways = _lines_run_down(page)
        if sum(len(word.text) for word in page.words) >= MIN_CHARACTERS_TO_TURN and (
                (page.confidence or 0) < engine.retry_below or sideways):
            # Some text, badly read: perhaps the page lies sideways or upside down. (A blank page
            # has nothing to turn, and orientation detection is slow: only here is it paid for.)
            # PP-OCR reads a sideways page's lines well, one by one, but in the wrong order: there
            # the lines running down the page tell, and a reading turned upright is better whatever
            # its confidence.
            for turn in engine.turns(prepared.image):
                turned = image.rotate(-turn, expand=True)
                again = prepare(turned, binarise=engine.binarise)
                retry = _ocr(engine, again, number, turned.size, psm)
                upright = sideways and retry.words and not _lines_run_down(retry)
                if upright or (retry.confidence or 0) > (page.confidence or 0):
                    page, sideways = _turned_back(retry, turn, image.size), False
                    page.error = again.why_unreadable(page.words)
        return page
    except (OcrEngineError, pytesseract.TesseractError, RuntimeError, OSError, ValueError, cv2.error) as exc:
        return PageText(number, "ocr", error=f"OCR failed: {str(exc).strip()[:200]}")


def _ocr(engine: OcrEngine, prepared: Prepared, number: int, size: tuple[int, int],
         psm: int | None = None) -> PageText:
    options = {"psm": psm} if psm is not None else {}
    whole = None
    if prepared.inks is not None:  # a pre-printed form: its print and its fill read apart
        found = read_apart(engine, prepared.inks, prepared.dpi, options)
        whole = _ocr(engine, replace(prepared, inks=None), number, size, psm)
    else:
        found = doubt_inked(engine.read(prepared.image, dpi=prepared.dpi, **options), prepared.form_ink)
    # Word boxes are kept in the coordinates of the page as stored, not of the prepared image.
    back = 1 / prepared.scale
    rows: dict[int, list[Word]] = {}
    for word in found:
        rows.setdefault(word.line, []).append(Word(
            word.text, round(word.left * back), round(word.top * back), round(word.width * back),
            round(word.height * back), word.confidence, word.line))
    refined = engine.refine(list(rows.values()), prepared)
    if prepared.inks is None:
        refined = [doubt_inked(row, prepared.form_ink, prepared.scale) for row in refined]
    else:  # read apart: a figure the form's print crosses is taken only if read so again whole
        refined = [doubt_crossed(row, prepared.form_ink, prepared.image, prepared.dpi, prepared.scale)
                   for row in refined]
    # Values a printer filled in off register go back onto their labels' lines.
    read_again = regroup(refined)
    words = [word for row in read_again for word in row]
    lines = [assemble_line(row, size) for row in read_again]
    confidence = round(sum(w.confidence for w in words) / len(words), 1) if words else 0.0
    shown = prepared.to_shown(*size)
    if shown is not None:  # the words are kept where they are on the image (a photo as taken)
        words = [_word_moved(word, shown, size, size) for word in words]
    return PageText(number, "ocr", text="\n".join(line.text for line in lines), confidence=confidence,
                    words=words, lines=lines, width=size[0], height=size[1], shown=shown, whole=whole)


def _lines_run_down(page: PageText) -> bool:
    """Most lines of three characters or more are much taller than wide: a sideways page."""
    spans = []
    for line in page.lines or []:
        boxes = [box for box in line.boxes if box is not None]
        if len(boxes) >= 3:
            width = (max(b[2] for b in boxes) - min(b[0] for b in boxes)) * (page.width or 1)
            height = (max(b[3] for b in boxes) - min(b[1] for b in boxes)) * (page.height or 1)
            spans.append(height > 1.5 * width)
    return len(spans) >= 3 and sum(spans) > len(spans) / 2


# Fractions of a page turned `turn` degrees clockwise, back to fractions of the page as stored.
_TURNED_BACK = {90: ((0.0, 1.0, 0.0), (-1.0, 0.0, 1.0), (0.0, 0.0, 1.0)),
                180: ((-1.0, 0.0, 1.0), (0.0, -1.0, 1.0), (0.0, 0.0, 1.0)),
                270: ((0.0, -1.0, 1.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0))}


def _turned_back(page: PageText, turn: int, size: tuple[int, int]) -> PageText:
    """A page read after turning it `turn` degrees clockwise, put back on the page as stored. Its
    lines keep the geometry they were read in (upright: the field and table readers pair labels,
    values and columns by it); `shown` takes their boxes on through the turn back to the image as
    stored, which is what the viewer shows, and the words are moved there."""
    turn_back = np.array(_TURNED_BACK[turn])
    shown = turn_back @ (np.array(page.shown) if page.shown is not None else np.eye(3))
    turned = (page.width or 1, page.height or 1)
    return PageText(page.number, page.source, text=page.text, confidence=page.confidence,
                    words=[_word_moved(word, turn_back, turned, size) for word in page.words],
                    lines=page.lines, width=size[0], height=size[1],
                    shown=tuple(tuple(float(v) for v in row) for row in shown), whole=page.whole)


def _word_moved(word: Word, matrix, source: tuple[int, int], target: tuple[int, int]) -> Word:
    """`word`'s box, in pixels of `source`, through `matrix` (on fractions) into pixels of `target`."""
    (source_w, source_h), (target_w, target_h) = source, target
    left, top, right, bottom = _box_shown((word.left / source_w, word.top / source_h,
                                           (word.left + word.width) / source_w,
                                           (word.top + word.height) / source_h), matrix)
    return Word(word.text, round(left * target_w), round(top * target_h), round((right - left) * target_w),
                round((bottom - top) * target_h), word.confidence, word.line)


def assemble_line(words: list[Word], size: tuple[int, int] | None = None) -> PageLine:
    """One printed line from its words: no space inside Chinese, one between Latin words, and two
    for a gap wider than a character, which is where one printed field ends and the next begins.
    With the page's `size` (pixels), each character keeps its word's box as fractions."""
    height = sorted(w.height for w in words)[len(words) // 2] or 1
    text, confidences, boxes = "", [], []
    previous: Word | None = None
    for word in words:
        if _NOISE_WORD.fullmatch(word.text):
            continue  # a quote mark or rule read into the gap between two fields: the gap stays wide
        if previous is not None:
            gap = word.left - (previous.left + previous.width)
            if gap > WIDE_GAP * height:
                joint = "  "
            elif _CJK_CHAR.match(previous.text[-1]) and _CJK_CHAR.match(word.text[0]):
                joint = ""
            else:
                joint = " "
            text += joint
            confidences += [word.confidence] * len(joint)
            boxes += [None] * len(joint)
        text += word.text
        confidences += [word.confidence] * len(word.text)
        box = _fraction(word.left, word.top, word.left + word.width, word.top + word.height,
                        *size) if size else None
        boxes += [box] * len(word.text)
        previous = word
    return PageLine(text, tuple(confidences), tuple(boxes))


def shown_sources(pages: list[PageText], sources: dict) -> dict:
    """Fields' provenance boxes moved from the geometry the pages were read in onto the images as
    stored (a photo as taken), where the viewer draws them: each box's corners through the page's
    `shown` matrix, and the box around them."""
    matrices = {page.number: page.shown for page in pages if page.shown is not None}
    if not matrices:
        return sources
    moved = {}
    for name, place in sources.items():
        matrix = matrices.get(place.get("page")) if isinstance(place, dict) else None
        if matrix is None or not place.get("boxes"):
            moved[name] = place
            continue
        moved[name] = {**place, "boxes": [_box_shown(box, matrix) for box in place["boxes"]]}
    return moved


def _box_shown(box, matrix) -> list[float]:
    left, top, right, bottom = box
    points = []
    for x, y in ((left, top), (right, top), (right, bottom), (left, bottom)):
        u, v, w = (row[0] * x + row[1] * y + row[2] for row in matrix)
        points.append((u / w, v / w))
    xs, ys = [min(1.0, max(0.0, p[0])) for p in points], [min(1.0, max(0.0, p[1])) for p in points]
    return [round(min(xs), 5), round(min(ys), 5), round(max(xs), 5), round(max(ys), 5)]
