"""Safe display names for uploaded files. Stored keys never come from names (they are sha256)."""

from __future__ import annotations

import re
import unicodedata

from archive.files.sniff import EXTENSIONS

MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|\u2028\u2029]+")
# Characters that draw nothing or change how others are drawn: bidirectional overrides
# (`发票\u202Efdp.exe` shows as `发票exe.pdf`), zero-width spaces and joiners, the BOM (Unicode
# category Cf), and surrogates or private-use code points that no font shows (Cs, Co).
_INVISIBLE = {"Cf", "Cs", "Co"}
# The spellings of each detected type's extension that are kept as the sender wrote them.
_ALIASES = {".pdf": {".pdf"}, ".jpg": {".jpg", ".jpeg", ".jpe"}, ".png": {".png"},
            ".tif": {".tif", ".tiff"}, ".ofd": {".ofd"}, ".xml": {".xml"}}
_LOOKS_LIKE_EXTENSION = re.compile(r"[A-Za-z0-9]{0,4}[A-Za-z][A-Za-z0-9]{0,4}")


def safe_filename(original: str | None, content_type: str | None = None) -> str:
    """A name that is safe in a Content-Disposition header and on any file system.

    Invisible format characters go, path separators and control characters become "_", leading
    dots go (no hidden or "../" names), Chinese characters stay, and long names are cut on a
    character boundary keeping the extension. With the type detected from the content, the
    extension is that type's: a name's own extension replaced when it is another one
    (`invoice.exe` sent as a PDF is kept as `invoice.pdf`), the detected one added otherwise.
    """
    name = unicodedata.normalize("NFC", original or "")
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE)
    name = _UNSAFE.sub("_", name).strip().lstrip("._ ")
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    if content_type in EXTENSIONS:
        stem, suffix = _with_detected_extension(stem, suffix, EXTENSIONS[content_type])
    if not stem.strip("._ "):
        return "unnamed" + suffix if content_type in EXTENSIONS else "unnamed"
    budget = MAX_NAME_BYTES - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return (stem.rstrip(". ") or "unnamed") + suffix


def _with_detected_extension(stem: str, suffix: str, detected: str) -> tuple[str, str]:
    if suffix.lower() in _ALIASES.get(detected, {detected}):
        return stem, suffix
    if suffix and _LOOKS_LIKE_EXTENSION.fullmatch(suffix[1:]):
        return stem.rstrip(". "), detected  # another type's extension: replaced
    return stem + suffix, detected  # "scan 2026.11" keeps its ".11" and gets ".pdf" after it


def visible_original(original: str | None) -> str:
    """The name as sent, kept for the record, with every invisible or control character written
    out as `<U+202E>`: it can be shown anywhere without reordering the text around it, and
    still says exactly what was sent."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in _INVISIBLE | {"Cc", "Zl", "Zp"}
                   else c for c in original or "")
