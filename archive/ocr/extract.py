"""One file in, text and fields out (`archive extract`); the same steps processing uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.intake.validate import Limits, inspect_file
from archive.ocr.checks import check_document
from archive.ocr.fields import extract_fields, guess_kind
from archive.ocr.pages import PageText, read_pages

MIN_CONFIDENCE = 70.0  # below this mean word confidence a page is flagged for a human check


@dataclass
class Reading:
    kind: str | None
    kind_guessed: bool
    pages: list[PageText]
    fields: dict
    checks: list[dict]

    @property
    def needs_check(self) -> bool:
        """A person must look: a page unreadable or read with low confidence, or no kind."""
        return self.kind is None or any(c["code"] in ("page_failed", "low_confidence")
                                        for c in self.checks)


def analyse(pages: list[PageText], *, kind: str | None, min_confidence: float = MIN_CONFIDENCE) -> Reading:
    """Fields and findings from the pages' text; the kind is guessed when not given."""
    text = "\n".join(page.text for page in pages)
    guessed = kind is None
    kind = kind or guess_kind(text)
    if kind == "daily_statement" and len(pages) > 1:
        # One page per inpatient day: each day is read and checked on its own.
        days = [extract_fields(kind, page.text) for page in pages]
        fields = {**days[0], "days": days}
        checks = [finding for day in days for finding in check_document(kind, day)]
    else:
        fields = extract_fields(kind, text) if kind else {}
        checks = check_document(kind, fields)
    for page in pages:
        if page.error:
            checks.append({"code": "page_failed", "severity": "error",
                           "message": f"第 {page.number} 页无法读取：{page.error}"})
        elif page.confidence is not None and page.confidence < min_confidence:
            checks.append({"code": "low_confidence", "severity": "warning",
                           "message": f"第 {page.number} 页识别置信度 {page.confidence:.0f}，需人工核对"})
    return Reading(kind, guessed and kind is not None, pages, fields, checks)


def extract_file(path: Path, *, kind: str | None, limits: Limits) -> dict:
    """The contract JSON of `archive extract`: kind, pages, fields, checks."""
    content_type, _ = inspect_file(path, path.stat().st_size, limits)
    reading = analyse(list(read_pages(path, content_type)), kind=kind)
    return {
        "kind": reading.kind,
        "kind_guessed": reading.kind_guessed,
        "pages": [{"number": p.number, "source": p.source, "confidence": p.confidence,
                   "text": p.text} for p in reading.pages],
        "fields": reading.fields,
        "checks": reading.checks,
    }
