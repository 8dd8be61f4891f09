"""A name as read or written, in the form two writings of it compare: the provider register
matches documents by it (archive.providers.matching) and a case's hospital finds its level by it
(archive.hospital_levels). The seal's words and the OCR confusions come from the label rules."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from archive.ocr.label_spec import label_rules
from archive.signoff.hospitals import name_form


@cache
def _stamp_suffix() -> re.Pattern:
    words = label_rules()["values"]["seal_marks"]  # the reader drops the same words after a name
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # Bracketed or bare, repeated: 某院(章)、某院（财务专用章）、某院 收费专用章.
    return re.compile(rf"(?:\(?(?:{alternatives})\)?)+$")


@cache
def _confusion_table() -> dict[int, str]:
    """Every character of an OCR confusion group ([ocr_confusables] in archive/ocr/labels.toml)
    as the group's first: a name misread by one such character still compares equal."""
    table: dict[int, str] = {}
    for group in label_rules().get("ocr_confusables", {}).get("groups", []):
        for character in group[1:]:
            table[ord(character)] = group[0]
    return table


# Pure once the label rules are read (they are cached too); the statistics normalise every
# hospital name of a period, and the register's names, on each page.
@lru_cache(maxsize=65536)
def normal_name(name: str | None) -> str:
    """`name` as compared: NFKC (全角 brackets and spaces to 半角), no whitespace, without a
    trailing stamp word, OCR confusions folded. "" for nothing."""
    text = _stamp_suffix().sub("", name_form(name))
    return text.translate(_confusion_table())
