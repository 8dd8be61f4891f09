"""What field reading works on: lines of text with their confidences and boxes, the reading it
produces, and the small helpers the label, table and corroboration readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

JUNK = " _|”“\"'‘’`~^"  # what stamps, rules and paper grain become at the edges of a value
# A token of nothing but these, standing alone, is noise (a speck read as 、 or a rule as |).
JUNK_TOKEN = re.compile(rf"(?:(?<=\s)|^)[{re.escape(JUNK.strip())}、，。,.·]+(?=\s|$)")


Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the page


@dataclass(frozen=True)
class Line:
    """A line of text; for OCR with the confidence of each character (None: a text layer), and
    where it is printed: per character its box on `page` (empty when not known)."""

    text: str
    confidences: tuple[float, ...] | None = None
    boxes: tuple[Box | None, ...] = ()
    page: int | None = None


@dataclass
class FieldReading:
    fields: dict = field(default_factory=dict)
    unreadable: list[dict] = field(default_factory=list)  # {"field", "read", "reason"}
    # Where each value was read (provenance): {"page": n, "boxes": [[left, top, right, bottom]]},
    # fractions of the page's width and height; a list field has a box per row.
    sources: dict = field(default_factory=dict)
    # Doubtful values taken as a name on a reference list, {"field", "read", "known"}, or (with
    # "unread": the positions of characters not read) as the amount the figures say.
    matched: list[dict] = field(default_factory=list)


def union(boxes) -> list[float] | None:
    """The smallest box holding every known box (None: none known)."""
    known = [box for box in boxes if box is not None]
    if not known:
        return None
    return [min(b[0] for b in known), min(b[1] for b in known), max(b[2] for b in known),
            max(b[3] for b in known)]


def rows_source(lines: list[Line]) -> dict | None:
    """A list field's provenance: one box per row, on the page of the first row."""
    boxes = [(line.page, union(line.boxes)) for line in lines]
    boxes = [(page, box) for page, box in boxes if page is not None and box is not None]
    if not boxes:
        return None
    first = boxes[0][0]
    return {"page": first, "boxes": [box for page, box in boxes if page == first]}


@cache
def label_pattern(label: str, misread: int | None = None) -> str:
    """OCR puts spaces anywhere and mixes full- and half-width brackets: allow both. The
    character at `misread` may be any Chinese character, or two (入 read as 和人)."""
    # 《》〈〉: how OCR reads some brackets
    brackets = {"（": "[（(《〈]", "(": "[（(《〈]", "）": "[）)》〉]", ")": "[）)》〉]"}
    return r"\s*".join(r"[\u4e00-\u9fff]{1,2}" if n == misread else brackets.get(ch, re.escape(ch))
                       for n, ch in enumerate(label))


def is_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def confident(line: Line, start: int, stop: int, min_confidence: float) -> bool:
    return line.confidences is None or min(line.confidences[start:stop] or (100.0,)) >= min_confidence
