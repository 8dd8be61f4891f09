"""An item's name on a scanned statement and the catalogue (storage_config/reference.toml): the
catalogue only helps a doubtful name, and never puts another item's name over one read with
confidence (archive/ocr/item_cells.py)."""

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line
from tests.unit.test_reference import STATEMENT_HEAD

GAP = "    "


def _line(text: str, confidence_of: dict[int, float] | None = None) -> Line:
    """A line read at 95 but for the characters at the given places."""
    confidence_of = confidence_of or {}
    return Line(text, tuple(confidence_of.get(n, 95.0) for n in range(len(text))))


def _statement(row: Line, total: str) -> list[Line]:
    return [*(_line(text) for text in STATEMENT_HEAD), row, _line(f"当日合计：{total}")]


def test_a_name_read_with_confidence_is_kept_though_the_catalogue_has_a_near_one():
    # 头孢呋辛酯 (another drug) is not on the catalogue, 头孢呋辛钠 is; 酯 read at 80 (above the
    # page's threshold, below certainty) is what is printed.
    row = _line(GAP.join(("头孢呋辛酯", "0.25g", "12.50", "2", "25.00", "乙")), {4: 80.0})
    reading = read_fields("daily_statement", _statement(row, "25.00"))
    assert [item["name"] for item in reading.fields["items"]] == ["头孢呋辛酯"]
    assert reading.matched == []


def test_a_doubtful_name_the_catalogue_reaches_only_through_a_sure_character_stays_unread():
    # 辛 doubtful, 酯 read at 80: 头孢呋辛钠 would change the sure 酯, so the row is not taken and
    # the list is flagged rather than given with another item's name.
    row = _line(GAP.join(("头孢呋辛酯", "0.25g", "12.50", "2", "25.00", "乙")), {3: 30.0, 4: 80.0})
    reading = read_fields("daily_statement", _statement(row, "25.00"))
    assert "items" not in reading.fields
    assert [item["field"] for item in reading.unreadable] == ["items"]


def test_a_doubtful_name_is_the_catalogue_name_differing_in_the_doubtful_characters_only():
    row = _line(GAP.join(("头孢呋辛酯", "0.75g", "117.18", "3", "351.54", "甲")), {4: 30.0})
    reading = read_fields("daily_statement", _statement(row, "351.54"))
    assert [item["name"] for item in reading.fields["items"]] == ["头孢呋辛钠"]
    assert reading.matched[0]["known"] == "头孢呋辛钠 0.75g"
