"""The one lock around PDFium, shared by everything in the process that opens a PDF with it.

PDFium is not thread-safe — not even across different documents — and intake checks, OCR page
rendering and page previews can run in threads of the same process (the embedded job runner, a
threaded WSGI server). A lock per module would not exclude the others; this one does.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
