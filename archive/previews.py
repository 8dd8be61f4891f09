"""Page images for the screen: rendered on the server once, cached, never the original itself.

A scanned page can be a 10 MB TIFF frame; an office PC on a slow line should get a JPEG of a few
hundred kilobytes instead. Images are cached by the original's sha256, so the cache needs no
invalidation (an original never changes) and can be deleted at any time.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from archive.files import sniff
from archive.files.spool import readable_file
from archive.files.validate import Limits, Rejected, check_pdf_streams
from archive.models import Document
from archive.ocr.einvoice import draw_ofd_page, draw_xml_page
from archive.pdf import PDFIUM_LOCK
from archive.storage import ObjectStore

# Width in pixels of each rendition; heights follow the page's proportions.
SIZES = {"thumb": 200, "view": 1400}
JPEG_QUALITY = 82
# At most this many times the width squared: the tallest page drawn is four widths (the JPEG is
# cut to that anyway), so a page a metre wide and a point tall is not drawn 50,000 pixels high.
MAX_ASPECT = 4
# Stream limits when the caller has no settings at hand (the defaults of storage_config).
DEFAULT_LIMITS = Limits(max_bytes=0, max_pages=0, max_image_pixels=0)


class NoSuchPage(LookupError):
    """The document has no page with that number, or it cannot be drawn."""


def page_image(store: ObjectStore, document: Document, number: int, size: str, *,
               cache_dir: Path, tmp_dir: Path, max_bytes: int, limits: Limits | None = None) -> Path:
    """The cached JPEG of page `number` (1-based) at `size`, rendered on first request.

    A PDF's streams are measured first (`limits`, intake's): an original stored before intake
    refused decompression bombs, or changed in the store since, is not drawn.
    """
    if size not in SIZES:
        raise NoSuchPage(f"unknown size {size!r}")
    if not 1 <= number <= max(document.page_count, 1):
        raise NoSuchPage(f"the document has {document.page_count} page(s), not page {number}")
    sha256 = document.stored_object.sha256
    cached = cache_dir / sha256[:2] / f"{sha256}-p{number}-{size}.jpg"
    if cached.exists():
        return cached
    with readable_file(store, document.stored_object.store_key, max_bytes=max_bytes,
                       tmp_dir=tmp_dir) as original:
        try:
            if document.content_type == "application/pdf":
                check_pdf_streams(original, limits or DEFAULT_LIMITS)
            image = _draw(original, document.content_type, number - 1, SIZES[size])
        except Rejected as refusal:
            raise NoSuchPage(f"page {number} is not drawn: {refusal.reason}") from refusal
        except (OSError, ValueError, pdfium.PdfiumError) as exc:
            raise NoSuchPage(f"page {number} cannot be drawn: {exc}") from exc
    _save_atomically(image, cached)
    return cached


def _draw(path: Path, content_type: str, index: int, width: int) -> Image.Image:
    if content_type == "application/pdf":
        return _draw_pdf(path, index, width)
    if content_type == sniff.OFD:
        return draw_ofd_page(path, index, width)
    if content_type == sniff.XML:
        return draw_xml_page(path, width)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # intake already refused bombs; no second warning here
        with Image.open(path) as picture:
            try:
                picture.seek(index)
            except EOFError as exc:
                raise NoSuchPage(f"no page {index + 1}") from exc
            # JPEG can decode straight to a reduced size: a 5000 px scan never fully unpacks.
            picture.draft("RGB", (width, width * 2))
            page = ImageOps.exif_transpose(picture.convert("RGB"))
    page.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    return page


def _draw_pdf(path: Path, index: int, width: int) -> Image.Image:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
        try:
            if index >= len(document):
                raise NoSuchPage(f"no page {index + 1}")
            page = document[index]
            page_width, page_height = page.get_size()
            area = max(page_width, 1.0) * max(page_height, 1.0)
            scale = min(width / max(page_width, 1.0), (MAX_ASPECT * width * width / area) ** 0.5)
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
            page.close()
        finally:
            document.close()
    image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)  # the scale rounds up a pixel
    return image


def _save_atomically(image: Image.Image, target: Path) -> None:
    # Two requests may render the same page at once; each writes its own file and the last
    # rename wins, so nobody ever reads half a JPEG.
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".render-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as out:
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
