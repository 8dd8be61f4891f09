"""One file in, text and fields out (`archive extract`); the same steps processing uses."""

from __future__ import annotations

from pathlib import Path

from archive.intake.validate import Limits, inspect_file
from archive.ocr.checks import check_document
from archive.ocr.fields import extract_fields, guess_kind
from archive.ocr.pages import read_pages


def extract_file(path: Path, *, kind: str | None, limits: Limits) -> dict:
    """The contract JSON of `archive extract`: kind, pages, fields, checks."""
    content_type, _ = inspect_file(path, path.stat().st_size, limits)
    pages = list(read_pages(path, content_type))
    text = "\n".join(page.text for page in pages)
    guessed = kind is None
    kind = kind or guess_kind(text)
    fields = extract_fields(kind, text) if kind else {}
    checks = check_document(kind, fields)
    for page in pages:
        if page.error:
            checks.append({"code": "page_failed", "severity": "error",
                           "message": f"第 {page.number} 页无法读取：{page.error}"})
    return {
        "kind": kind,
        "kind_guessed": guessed and kind is not None,
        "pages": [{"number": p.number, "source": p.source, "confidence": p.confidence,
                   "text": p.text} for p in pages],
        "fields": fields,
        "checks": checks,
    }
