"""Every user-visible string has a Simplified Chinese translation, and the compiled catalogue is current."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "archive" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
METHODS = [("archive/**.py", "python"), ("templates/**.html", "jinja2")]


def extracted_ids() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_string_is_translated():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string and "fuzzy" not in m.flags}
    missing = extracted_ids() - translated
    assert not missing, f"add zh translations for: {sorted(missing)}"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run: pybabel compile -d archive/translations"
