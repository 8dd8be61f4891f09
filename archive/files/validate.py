"""Checks an upload must pass before anything is stored: type, size, pages, integrity."""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pypdfium2.raw as pdfium_c
from PIL import Image, UnidentifiedImageError

from archive.errors import Refusal, _, n_
from archive.files import sniff
from archive.files.pdfstreams import Source, StreamLimits, find_oversized
from archive.pdf import PDFIUM_LOCK


class Rejected(Refusal):
    """An upload (or a case's data) that is refused: a template and its parameters, translated
    when shown (archive.errors.Refusal); `reason` is the English text, for logs and old callers."""

    def __init__(self, template: str, *, code: str = "invalid_file", status: int = 422,
                 **params) -> None:
        super().__init__(template, **params)
        self.reason = self.message()
        self.code = code
        self.status = status


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pages: int
    max_image_pixels: int
    # Decoded size of one PDF stream: page content, fonts and forms / an image (see pdfstreams).
    max_pdf_stream_bytes: int = 64 * MB
    max_pdf_image_bytes: int = 256 * MB
    max_ocr_pages: int | None = None  # scanned pages OCRed per document (settings ocr.max_pages)

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_pages=int(settings.get("intake.max_pages")),
            max_image_pixels=int(settings.get("intake.max_image_pixels")),
            max_pdf_stream_bytes=int(float(settings.get("intake.max_pdf_stream_mb", 64)) * MB),
            max_pdf_image_bytes=int(float(settings.get("intake.max_pdf_image_mb", 256)) * MB),
            max_ocr_pages=int(settings.get("ocr.max_pages", 200)),
        )


def inspect_file(path: Path, size: int, limits: Limits, *,
                 content: bytes | None = None) -> tuple[str, int]:
    """Content type and page count of a spooled upload, or Rejected with the reason.

    `content` is the whole file when the caller holds it already: it is read from memory.
    """
    if size == 0:
        raise Rejected(_("the file is empty"), code="empty_file")
    if content is None:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    else:
        head = content[:1024]
    content_type = sniff.sniff_type(head)
    if content_type is None:
        raise Rejected(
            _("unsupported file type: only PDF, JPEG, PNG, TIFF, OFD and e-invoice XML are accepted "
              "(the type is read from the file's content, not its name)"),
            code="unsupported_type",
            status=415,
        )
    if content_type == sniff.PDF:
        check_pdf_streams(path, limits, content=content)
        pages = _pdf_pages(path, size, content)
    elif content_type in (sniff.OFD, sniff.XML):
        from archive.ocr.einvoice_intake import einvoice_pages  # the OFD/XML readers are ocr's

        pages = einvoice_pages(path, content_type, content)
    else:
        pages = _image_pages(io.BytesIO(content) if content is not None else path, limits)
    if pages > limits.max_pages:
        raise Rejected(_("too many pages: %(pages)s (limit %(limit)s)"), code="too_many_pages",
                       pages=pages, limit=limits.max_pages)
    return content_type, pages


def check_pdf_streams(path: Path, limits: Limits, *, content: bytes | None = None) -> None:
    """Refuse a PDF with a stream that would decode past its limit, before any reader decodes it
    (PDFium counting pages, pdfminer reading the text layer, the viewer drawing a page)."""
    stream_limits = StreamLimits(content_bytes=limits.max_pdf_stream_bytes,
                                 image_bytes=limits.max_pdf_image_bytes)
    if content is not None:
        found = _oversized(Source.of_bytes(content), stream_limits, lambda: io.BytesIO(content))
    else:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            found = _oversized(Source.of_file(handle.fileno(), size), stream_limits,
                               lambda: open(path, "rb"))  # noqa: SIM115 - closed by _decipher
    if found is not None:
        template = (_("the PDF holds an image (at byte %(offset)s) that decompresses to more than "
                      "%(mb)s MB (a possible decompression bomb)") if found.image else
                    _("the PDF holds a content stream (at byte %(offset)s) that decompresses to "
                      "more than %(mb)s MB (a possible decompression bomb)"))
        raise Rejected(template, code="pdf_stream_too_large", offset=found.offset,
                       mb=found.limit // MB)


def _oversized(source: Source, stream_limits: StreamLimits, reopen):
    found = find_oversized(source, stream_limits)
    if found is None and b"/Encrypt" in source.read(max(0, source.size - 65536), 65536):
        # Encrypted streams look like noise until deciphered: measured again with the key of
        # the empty user password, which is what readers open such a file with.
        with reopen() as stream:
            decipher = _decipher(stream)
            if decipher is not None:
                found = find_oversized(source, stream_limits, decipher=decipher)
    return found


def _decipher(stream):
    """pdfminer's decryption for a file that opens without a password, or None."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(stream), password="")
    except Exception:  # noqa: BLE001 - unreadable or needs a password: PDFium refuses it next
        return None
    return document.decipher


def _pdf_pages(path: Path, size: int, content: bytes | None) -> int:
    if content is None:
        with open(path, "rb") as handle:
            handle.seek(max(0, size - 2048))
            tail = handle.read()
    else:
        tail = content[-2048:]
    if b"%%EOF" not in tail:
        raise Rejected(_("the PDF is truncated (no end-of-file marker)"), code="truncated_pdf")
    # PDFium (the engine that will render the pages) reads a large file from disk, never all of
    # it into memory. It is not thread-safe, hence the lock. Its C API is called directly: for
    # an invoice-sized file the Python helper's path resolution, warnings and finalizer cost
    # three times the open itself.
    with PDFIUM_LOCK:
        if content is None:
            document = pdfium_c.FPDF_LoadDocument(os.fsencode(path), None)
        else:  # `content` outlives the document: it is closed below
            document = pdfium_c.FPDF_LoadMemDocument(content, len(content), None)
        if not document:
            error = pdfium_c.FPDF_GetLastError()
            # PDFium reports the last error of the process when a load fails without one of its
            # own, so "password" after an earlier encrypted file is believed only with /Encrypt.
            if error == pdfium_c.FPDF_ERR_PASSWORD and _declares_encryption(path, size):
                raise Rejected(_("the PDF is protected by a password; upload an unprotected scan"),
                               code="encrypted_pdf")
            reason = _PDFIUM_ERRORS.get(error, _PDFIUM_ERRORS[pdfium_c.FPDF_ERR_FORMAT])
            raise Rejected(reason, code="corrupt_pdf")
        try:
            pages = pdfium_c.FPDF_GetPageCount(document)
        finally:
            pdfium_c.FPDF_CloseDocument(document)
    if pages <= 0:
        raise Rejected(_("the PDF has no pages"), code="corrupt_pdf")
    return pages


_PDFIUM_ERRORS = {
    pdfium_c.FPDF_ERR_FILE: _("the PDF cannot be read: the file cannot be opened"),
    pdfium_c.FPDF_ERR_FORMAT: _("the PDF cannot be read: data format error"),
    pdfium_c.FPDF_ERR_PASSWORD: _("the PDF cannot be read: it asks for a password but declares no "
                                  "encryption"),
    pdfium_c.FPDF_ERR_SECURITY: _("the PDF cannot be read: unsupported security scheme"),
    pdfium_c.FPDF_ERR_PAGE: _("the PDF cannot be read: page not found or content error"),
}


def pdf_security_revision(path: Path) -> int | None:
    """The revision of the security handler of a PDF that opens (no user password asked): None
    for a PDF that is not encrypted. A PDF with only an owner password (printing or copying
    restricted) opens and is accepted at upload, yet is encrypted all the same: its content
    streams stay enciphered, readable only while the cipher's software lasts."""
    with PDFIUM_LOCK:
        document = pdfium_c.FPDF_LoadDocument(os.fsencode(path), None)
        if not document:  # one that does not open has failed `inspect_file` already
            return None
        try:
            revision = pdfium_c.FPDF_GetSecurityHandlerRevision(document)
        finally:
            pdfium_c.FPDF_CloseDocument(document)
    return None if revision < 0 else revision


def _declares_encryption(path: Path, size: int) -> bool:
    """Whether the trailer (or cross-reference stream) near the end names an /Encrypt dictionary."""
    with open(path, "rb") as handle:
        handle.seek(max(0, size - 65536))
        return b"/Encrypt" in handle.read()


def _image_pages(source: Path | io.BytesIO, limits: Limits) -> int:
    """Count frames, refusing too many or oversized ones from their headers before any pixel
    is decoded."""
    try:
        with warnings.catch_warnings():
            # Our own pixel check below gives the clearer message; Pillow still raises
            # DecompressionBombError at twice its limit, before decoding.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                pages = _frames(image, limits.max_pages)
                for frame in range(pages):
                    image.seek(frame)
                    width, height = image.size
                    if width * height > limits.max_image_pixels:
                        raise Rejected(
                            _("image page %(page)s is %(width)s×%(height)s pixels, over the limit "
                              "of %(limit)s (a possible decompression bomb)"),
                            code="image_too_large", page=frame + 1, width=width, height=height,
                            limit=limits.max_image_pixels)
                    image.load()  # a truncated or corrupt image fails here
    except Rejected:
        raise
    except Image.DecompressionBombError as exc:
        raise Rejected(_("image too large to decode safely: %(detail)s"), code="image_too_large",
                       detail=_short(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise Rejected(_("the image cannot be read: %(detail)s"), code="corrupt_image",
                       detail=_short(exc)) from exc
    return pages


def _frames(image: Image.Image, max_pages: int) -> int:
    """How many frames (TIFF pages) the image has, walking their headers only and stopping
    past `max_pages`: every frame is a page, refused before any of them is decoded."""
    if not getattr(image, "is_animated", False):
        return 1
    count = 1
    while True:
        try:
            image.seek(count)
        except EOFError:
            break
        count += 1
        if count > max_pages:
            raise Rejected(n_("too many pages: the image has more than %(limit)s frame "
                              "(limit %(limit)s)",
                              "too many pages: the image has more than %(limit)s frames "
                              "(limit %(limit)s)", "limit"), code="too_many_pages", limit=max_pages)
    image.seek(0)
    return count


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
