"""Every user-visible string has a Simplified Chinese translation, and the compiled catalogue is current."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "archive" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
            "n_": (1, 2)}
METHODS = [("archive/**.py", "python"), ("templates/**.html", "jinja2")]


def extracted_ids() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    # A plural message is its (singular, plural) pair, as the catalogue keys it.
    return {message if isinstance(message, str) else tuple(message) for _, _, message, _, _ in found}


def test_every_string_is_translated():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue
                  if m.id and m.string and all(m.string) and "fuzzy" not in m.flags}
    missing = extracted_ids() - translated
    assert not missing, f"add zh translations for: {sorted(missing)}"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "run: pybabel compile -d archive/translations"


def _key(value):
    """A plural message's parts come as a list from the .mo file, a tuple from the .po file."""
    return tuple(value) if isinstance(value, list | tuple) else value
