"""Intake's check of an OFD package or an e-invoice XML: refused with a clear reason, or its
page count. Only the package and the document's page list are judged here; a page or a data
part that is missing or broken is reported on the document when it is read, and the rest of it
is still read."""

from __future__ import annotations

import io
from pathlib import Path

from archive.files import sniff
from archive.files.validate import Rejected
from archive.ocr.einvoice_xml import ROOTS
from archive.ocr.ofd_document import open_document
from archive.ocr.ofd_package import MAX_MEMBER_BYTES, OfdError, open_package, parse_xml


def einvoice_pages(path: Path, content_type: str, content: bytes | None) -> int:
    if content_type == sniff.XML:
        data = content if content is not None else path.read_bytes()[:MAX_MEMBER_BYTES + 1]
        if len(data) > MAX_MEMBER_BYTES:
            raise Rejected(f"the XML file is over {MAX_MEMBER_BYTES // 2**20} MB", code="invalid_file")
        try:
            root = parse_xml(data, "the XML file")
        except OfdError as exc:
            raise Rejected(f"unsupported file type: {exc}", code="unsupported_type", status=415) from exc
        if root.tag not in ROOTS:
            raise Rejected("unsupported file type: an XML file is accepted only as a VAT e-invoice "
                           f"(root EInvoice or eInvoice), not <{root.tag}>",
                       code="unsupported_type", status=415)
        return 1
    try:
        package = open_package(io.BytesIO(content) if content is not None else path)
    except OfdError as exc:
        not_ofd = "without OFD.xml" in str(exc) or "not a readable ZIP" in str(exc)
        raise Rejected(("unsupported file type: " if not_ofd else "the OFD cannot be accepted: ") + str(exc),
                       code="unsupported_type" if not_ofd else "corrupt_ofd",
                       status=415 if not_ofd else 422) from exc
    try:
        pages = len(open_document(package).page_refs)
    except OfdError as exc:
        raise Rejected(f"the OFD cannot be read: {exc}", code="corrupt_ofd") from exc
    finally:
        package.close()
    if pages == 0:
        raise Rejected("the OFD has no pages", code="corrupt_ofd")
    return pages
