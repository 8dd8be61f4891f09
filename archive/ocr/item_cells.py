"""A row of an itemised table read from its cells: name and spec, then unit price, quantity,
amount and insurance class (archive/ocr/tables.py puts a scanned row's cells in this order)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from archive.ocr.label_spec import label_rules
from archive.ocr.lines import Line, confident, is_cjk
from archive.ocr.normalize import read_amount
from archive.ocr.reference import catalogue, fits, known_name

# A row of the itemised table: name and spec, then unit price, quantity, amount, insurance class.
_ITEM_NUMBERS = re.compile(
    r"\s+(?P<price>\d+\.\d{2})\s+(?P<quantity>\d+(?:\.\d+)?)\s+(?P<amount>\d+\.\d{2})"
    r"(?:\s+(?P<cls>[甲乙丙])类?)?$")  # 甲 or 甲类
# A dose in millilitres with its l read as 1 or I (10m1, 2mI): no spec is printed so.
_MILLILITRES = re.compile(r"(?<=\d)m[1I|]$")
_SPACE_BY_CJK = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")
# On an OCR page a row's name, unit and class are vouched for by nothing else on the page: its
# figures multiply out and the sums add up whatever a name, unit or class cell says. So they are taken as read
# only at a confidence the engine rarely gives a misread Chinese character (PP-OCR scale; the
# tuning photos' names read right are at 90 or above but for 1 in 100); below it the catalogue
# may vouch for them (`known_name`, `fits`), or the row is not read.
TEXT_MIN_CONFIDENCE = 80.0
# What a name and a spec cell are made of: a name is words (Chinese, Latin letters, a dose such as
# 0.9%); a spec is a unit ([item_units] in labels.toml: 次, 小时) or a dose (0.25g, 250ml,
# 0.5g*24片). A cell with other marks, a Chinese spec that is no unit, or a dose ending in a figure
# (0.25g read 0.259) is a misreading, however confident.
_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9%.·+\-/()（）]+")
_DOSE = re.compile(r"\d[\dA-Za-zμ.%*:/×\u4e00-\u9fff]*[A-Za-zμ%\u4e00-\u9fff]")


def _item_row(line: Line, has_spec: bool, min_confidence: float) -> tuple[dict | None, bool, str | None]:
    """(the row's item, read with confidence throughout, the row as read when the catalogue
    corrected it) or (None, False, None) when it does not read."""
    numbers = _ITEM_NUMBERS.search(line.text)
    if numbers is None:
        return None, False, None
    cells = _item_cells(line.text[:numbers.start()])
    if cells is None and has_spec:
        cells = _name_split_by_a_gap(line.text[:numbers.start()])
    if cells is not None and has_spec and len(cells) == 1:
        cells = _split_after_known_name(line.text, *cells[0]) or cells
    if cells is None or (has_spec and len(cells) < 2) or not is_cjk(line.text[slice(*cells[0])]):
        # With a spec column, a row of one text cell that does not begin with a catalogue name is
        # a spec run into the name: not to be split by guessing.
        return None, False, None
    name, spec = [*(_SPACE_BY_CJK.sub("", line.text[start:stop]) for start, stop in cells), None][:2]
    spec = spec and _MILLILITRES.sub("ml", spec)
    item = {"name": name, "spec": spec, "unit_price": read_amount(numbers["price"]),
            "quantity": numbers["quantity"], "amount": read_amount(numbers["amount"]),
            "insurance_class": numbers["cls"]}
    item = {k: v for k, v in item.items() if v is not None}
    # A name read with confidence is taken as read, on the catalogue or not. A doubtful one is
    # the catalogue's name only when that name differs from it in the doubtful characters alone:
    # otherwise the closest name may be another item's (头孢呋辛酯 with 酯 at 80 is not 头孢呋辛钠),
    # and the row stays unread, flagged, rather than take it.
    ocr = line.confidences is not None
    text_min = max(min_confidence, TEXT_MIN_CONFIDENCE) if ocr else min_confidence
    name_sure = confident(line, *cells[0], text_min) and (not ocr or _NAME.fullmatch(name) is not None)
    known = name if name_sure or name in catalogue() else known_name(
        *_pinned(line, cells[0], min_confidence), "catalogue")
    entry = catalogue().get(known or "", {})
    unit = entry.get("unit")
    if unit and spec not in (None, unit) and fits(*_pinned(line, cells[1], min_confidence), unit):
        item["spec"] = unit  # a misread unit is the one the catalogue bills (旦 for 日)
    # A dose's Latin letters read lower (10ml at 55–80 on the tuning photos) and its one common
    # misreading (g read 9, l read 1) is caught by its form: it keeps the page's threshold.
    spec_sure = spec is None or (
        confident(line, *cells[1], min_confidence if re.match(r"\d", spec) else text_min)
        and (not ocr or _spec_form(spec)))
    class_sure = not numbers["cls"] or confident(line, *numbers.span("cls"), text_min)
    sure = confident(line, 0, len(line.text), min_confidence) and name_sure and spec_sure and class_sure
    if line.confidences is not None and not _multiplies_out(numbers):
        # Read by OCR, figures that do not multiply out hold a misread one, however sure each
        # looked: the row is not taken (the list is then not given, and a person reads it).
        return None, False, None
    if sure and known == name and item.get("spec") == spec:
        return item, True, None
    if known is None:
        return None, False, None
    # Doubtful figures confirm one another; a doubtful spec or class is taken only when it is
    # what the catalogue bills for the name.
    spec_taken = item.get("spec") is None or item["spec"] == unit or spec_sure
    class_taken = class_sure or numbers["cls"] == entry.get("class")
    agree = Decimal(numbers["price"]) * Decimal(numbers["quantity"]) == Decimal(numbers["amount"])
    if agree and spec_taken and class_taken:
        corrected = known != name or item.get("spec") != spec
        return {**item, "name": known}, False, line.text if corrected else None
    return None, False, None


def _spec_form(spec: str) -> bool:
    return spec in _units() or _DOSE.fullmatch(spec) is not None


@cache
def _units() -> frozenset[str]:
    return frozenset(label_rules().get("item_units", {}).get("words", ()))


def _multiplies_out(numbers: re.Match) -> bool:
    """Unit price × quantity is the amount, to the cent (as the statement check rounds it)."""
    product = Decimal(numbers["price"]) * Decimal(numbers["quantity"])
    return product.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(numbers["amount"])


def _pinned(line: Line, span: tuple[int, int], min_confidence: float) -> tuple[str, tuple[float, ...] | None]:
    """A cell's text and the confidences of its characters, those read with confidence (at or
    above `min_confidence`) raised to certain: only the characters OCR doubted may be changed
    to make the cell a catalogue name or unit."""
    start, stop = span
    if line.confidences is None:
        return line.text[start:stop], None
    return line.text[start:stop], tuple(100.0 if c >= min_confidence else c
                                        for c in line.confidences[start:stop])


def _split_after_known_name(text: str, start: int, stop: int) -> list[tuple[int, int]] | None:
    """The cell text[start:stop] as a catalogue name and what follows it (血常规次: 血常规, 次),
    when it begins with exactly one such name and what follows can be that name's spec; None
    otherwise. A longer name that begins with a listed one (肝功能检查次, 阿莫西林胶囊0.25g) is not
    that item: cut there, its name would be the list's and the rest of it a spec."""
    compact, ends = "", []
    for position in range(start, stop):
        if not text[position].isspace():
            compact += text[position]
            ends.append(position + 1)
    splits = [len(name) for name in catalogue() if compact.startswith(name) and len(compact) > len(name)
              and _can_be_spec(compact[len(name):], catalogue()[name].get("unit"))]
    if len(splits) != 1:
        return None
    cut = ends[splits[0] - 1]
    rest = cut + len(text[cut:stop]) - len(text[cut:stop].lstrip())
    return [(start, cut), (rest, stop)]


def _can_be_spec(rest: str, unit: str | None) -> bool:
    """Whether `rest` can be the spec of an item billed per `unit`: as long as that unit (a
    misread one is set right after, see `fits`), or without a unit (a drug) a dose (0.25g, 10ml)."""
    return len(rest) == len(unit) if unit else bool(re.match(r"\d", rest))


def _name_split_by_a_gap(text: str) -> list[tuple[int, int]] | None:
    """The name and spec cells of a row whose name OCR read in two parts (头孢呋  辛钠  0.75g),
    when the two together are a catalogue name; None otherwise."""
    cells = [match.span() for match in re.finditer(r"\S+(?:\s\S+)*", text)]
    if len(cells) != 3 or re.sub(r"\s", "", text[cells[0][0]:cells[1][1]]) not in catalogue():
        return None
    return [(cells[0][0], cells[1][1]), cells[2]]


def _item_cells(text: str) -> list[tuple[int, int]] | None:
    """Spans of the name and spec cells: cells are parted by wide gaps, or (none wide) by the one
    space between a name and its spec; None when that does not give one or two cells."""
    cells = [match.span() for match in re.finditer(r"\S+(?:\s\S+)*", text)]
    if len(cells) == 1:
        words = [match.span() for match in re.finditer(r"\S+", text)]
        cells = words if len(words) == 2 else cells
    return cells if 1 <= len(cells) <= 2 else None
