"""Masking personal identifiers (个人信息脱敏) for people without "identifiers.view".

Resident ID numbers (GB 11643, 18 characters, also written in groups or after a prefix such as
"ID") keep their region code and last four characters (110101********1234), the old 15-digit ones
their region code and last three; mobile numbers their first three and last four digits
(138****5678, also when written 138 1234 5678); landlines their area code and last four digits
(027-****5000).

One function (`mask`) over text and over data (dicts and lists of strings, e.g. a document's
fields), applied where data leaves the system: every value a template prints (the app's Jinja
`finalize`), JSON responses (web and API), search hits and snippets, and the BagIt export.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from archive.auth import can

PERMISSION = "identifiers.view"
# A number starts where no digit stands before it — a letter may (ID3201…, Tel138…) — and ends
# where neither digit nor letter follows, so invoice codes, case and archive numbers, amounts and
# hashes are left alone.
_START, _END = r"(?<![0-9])", r"(?![0-9A-Za-z])"
_GAP = r"[ \-\u00a0]?"  # the space or hyphen people write inside a long number
_YYMMDD = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# 18-character IDs, written whole or in groups (320102 19850615 4410), and the 15-digit IDs
# issued before 1999 (region, YYMMDD, sequence; the birth date must be one, as these are rarer).
ID_NUMBER = re.compile(_START + r"(\d{6})" + _GAP + r"\d{8}" + _GAP + r"(\d{3}[\dXx])" + _END)
OLD_ID_NUMBER = re.compile(_START + r"(\d{6})" + _GAP + _YYMMDD + _GAP + r"(\d{3})" + _END)
MOBILE = re.compile(_START + r"(1[3-9]\d)" + _GAP + r"\d{4}" + _GAP + r"(\d{4})" + _END)
LANDLINE = re.compile(r"(?<![0-9A-Za-z-])(\(0\d{2,3}\) ?|0\d{2,3}[- ])\d{3,4}[- ]?(\d{4})" + _END)
# Fields that hold an identifier whatever it looks like (an old 15-digit ID, a phone with spaces).
IDENTIFIER_FIELDS = frozenset({"id_number", "claimant_id_number", "phone", "hospital_phone"})


def may_see_identifiers(user) -> bool:
    return can(user, PERMISSION)


def mask_text(text: str) -> str:
    """`text` with every ID and phone number in it masked; Markup stays Markup (only digits
    become asterisks, so the HTML stays as safe as it was)."""
    masked = ID_NUMBER.sub(r"\1********\2", text)
    masked = OLD_ID_NUMBER.sub(r"\1******\2", masked)
    masked = MOBILE.sub(r"\1****\2", masked)
    masked = LANDLINE.sub(r"\1****\2", masked)
    return Markup(masked) if isinstance(text, Markup) else masked


def mask(value: Any) -> Any:
    """Text, or data made of dicts, lists and strings, with identifiers masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _mask_field(key, item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask(item) for item in value]
    return value


def for_user(user, value: Any) -> Any:
    """`value` as `user` may see it."""
    return value if may_see_identifiers(user) else mask(value)


def _mask_field(name, value):
    if name in IDENTIFIER_FIELDS and isinstance(value, str) and value:
        masked = mask_text(value)
        if masked == value:  # not a pattern we know: keep only the last four characters
            masked = "*" * max(len(value) - 4, 4) + value[-4:] if len(value) > 4 else "****"
        return masked
    return mask(value)
