"""Reading documents: page text (text layer or OCR), fields per kind, and checks."""

from archive.ocr.case_checks import case_findings
from archive.ocr.checks import check_document
from archive.ocr.extract import Reading, analyse, extract_file
from archive.ocr.fields import extract_fields, guess_kind
from archive.ocr.pages import PageText, read_pages

__all__ = ["PageText", "Reading", "analyse", "case_findings", "check_document", "extract_fields",
           "extract_file", "guess_kind", "read_pages"]
