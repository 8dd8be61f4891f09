"""File types by content, never by name."""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
OFD = "application/ofd"  # GB/T 33190: a ZIP package with OFD.xml (validate checks the inside)
XML = "application/xml"  # an e-invoice's XML (数电票); validate checks that it is one

ACCEPTED = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", TIFF: "TIFF", OFD: "OFD", XML: "XML"}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif", OFD: ".ofd", XML: ".xml"}


def sniff_type(head: bytes) -> str | None:
    """The accepted content type the first bytes announce, or None."""
    # PDF readers accept the header anywhere in the first KiB; scanners sometimes prepend junk.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return OFD
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return XML
    return None
