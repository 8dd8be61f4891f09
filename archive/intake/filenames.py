"""Safe display names for uploaded files. Stored keys never come from names (they are sha256)."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(original: str | None) -> str:
    """A name that is safe in a Content-Disposition header and on any file system.

    Path separators and control characters become "_", leading dots go (no hidden or
    "../" names), Chinese characters stay, and long names are cut on a character boundary
    keeping the extension.
    """
    name = unicodedata.normalize("NFC", original or "")
    name = _UNSAFE.sub("_", name).strip().lstrip("._ ")
    if not name:
        return "unnamed"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return (stem.rstrip(". ") or "unnamed") + suffix
