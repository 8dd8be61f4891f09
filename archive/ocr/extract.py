"""One file in, text and fields out (`archive extract`); the same steps processing uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive.files.validate import Limits, inspect_file
from archive.ocr.apart_fields import NOT_CONFIRMED, confirmed_apart
from archive.ocr.checks import check_document
from archive.ocr.fields import FieldReading, Line, field_label, guess_kind, missing_fields, read_fields
from archive.ocr.label_spec import field_rules, label_rules
from archive.ocr.pages import PageText, shown_sources

MIN_CONFIDENCE = 70.0  # below this mean word confidence a page is flagged for a human check
NEEDS_CHECK = ("page_failed", "low_confidence", "field_unreadable", "field_missing")
FIELD_FLAGS = ("field_unreadable", "field_missing")  # a field a person must read: kept until corrected
KEPT_UNTIL_CORRECTED = (*FIELD_FLAGS, "field_matched")
_REASONS = {"low_confidence": "识别置信度低", "unexpected_characters": "含有不应出现的字符",
            "not_a_date": "不是有效日期", "not_a_date_range": "不是有效的起止日期",
            "not_an_amount": "不是有效金额", "not_a_capital_amount": "不是有效的大写金额",
            "not_an_id_number": "不是18位身份证号", "not_a_credit_code": "不是18位统一社会信用代码",
            "check_digit": "校验位不符，可能识别有误", "row_unreadable": "有行未能完整识别",
            "contradicted": "与本票据的分项之和及大写金额均不符",
            NOT_CONFIRMED: "分色识别与整页识别不一致或未经核实"}


@dataclass
class Reading:
    kind: str | None
    kind_guessed: bool
    pages: list[PageText]
    fields: dict
    checks: list[dict]
    sources: dict = field(default_factory=dict)  # where each field was read (FieldReading.sources)

    @property
    def needs_check(self) -> bool:
        """A person must look: a page unreadable or read with low confidence, or no kind."""
        return must_be_checked(self.kind, self.checks)


def analyse(pages: list[PageText], *, kind: str | None, min_confidence: float = MIN_CONFIDENCE,
            case: dict[str, str | None] | None = None) -> Reading:
    """Fields and findings from the pages' text; the kind is guessed when not given. `case`:
    what the document's case states, which confirms a doubtful reading of the same value."""
    text = "\n".join(page.text for page in pages)
    guessed = kind is None
    kind = kind or guess_kind(text)
    groups = _statement_days(pages, case) if kind == "daily_statement" and len(pages) > 1 else [pages]
    if len(groups) > 1:
        # A page or pages per inpatient day: each day is read and checked on its own.
        readings = [read_fields(kind, _lines(group), case=case) for group in groups]
        days = [reading.fields for reading in readings]
        fields = {**days[0], "days": days}
        sources = readings[0].sources  # the top-level fields are the first day's
        checks = [finding for day in days for finding in check_document(kind, day)]
        checks += [finding for group, reading in zip(groups, readings, strict=True)
                   for finding in _field_findings(kind, reading, page=group[0].number)]
    elif kind:
        reading = read_fields(kind, _lines(pages), case=case)
        if any(page.whole is not None for page in pages):  # a pre-printed form read apart
            reading = _confirmed_apart(kind, reading, read_fields(
                kind, _lines([page.whole or page for page in pages]), case=case), case)
        fields, sources = reading.fields, reading.sources
        checks = check_document(kind, fields) + _field_findings(kind, reading)
    else:
        fields, checks, sources = {}, [], {}
    for page in pages:
        if page.error:
            checks.append({"code": "page_failed", "severity": "error",
                           "message": f"第 {page.number} 页无法读取：{page.error}"})
        elif page.confidence is not None and page.confidence < min_confidence:
            checks.append({"code": "low_confidence", "severity": "warning",
                           "message": f"第 {page.number} 页识别置信度 {page.confidence:.0f}，需人工核对"})
    return Reading(kind, guessed and kind is not None, pages, fields, checks, shown_sources(pages, sources))


def recheck(kind: str | None, fields: dict, previous: list[dict], *, corrected: set[str]) -> list[dict]:
    """The findings after a person corrected fields: the checks run again on the fields in
    force; pages that could not be read or were read poorly stay flagged; a field seen but not
    taken stays flagged until a person has set it."""
    days = fields.get("days") if kind == "daily_statement" else None
    found = ([finding for day in days for finding in check_document(kind, day)] if days
             else check_document(kind, fields))
    found += [c for c in previous if c["code"] in KEPT_UNTIL_CORRECTED and c.get("field") not in corrected]
    return found + [c for c in previous if c["code"] in ("page_failed", "low_confidence")]


def must_be_checked(kind: str | None, checks: list[dict]) -> bool:
    return kind is None or any(c["code"] in NEEDS_CHECK for c in checks)


def _statement_days(pages: list[PageText], case: dict[str, str | None] | None) -> list[list[PageText]]:
    """A daily statement's pages by the day they bill: a page that states no date (a long table
    going on) or the same date as the page before continues that day; a page with another date,
    or with a date that does not read, starts a day of its own."""
    days: list[list[PageText]] = []
    previous = None
    for page in pages:
        alone = read_fields("daily_statement", _lines([page]), case=case)
        on = alone.fields.get("statement_date")
        dated = on is not None or any(item["field"] == "statement_date" for item in alone.unreadable)
        if days and (on == previous if on else not dated):
            days[-1].append(page)
        else:
            days.append([page])
            previous = on
    return days


def _confirmed_apart(kind: str, apart: FieldReading, whole: FieldReading,
                     case: dict[str, str | None] | None) -> FieldReading:
    """The values read apart that the page read whole or the document confirms
    (archive.ocr.apart_fields)."""
    facts = label_rules().get("case_facts", {}).get(kind, {})
    return confirmed_apart(apart, whole, pairs=label_rules().get("corroborates", {}).get(kind, []),
                           sums=label_rules().get("sums", {}).get(kind, []), fields=set(field_rules(kind)),
                           known={name: (case or {}).get(fact) for name, fact in facts.items()})


def _lines(pages: list[PageText]) -> list[Line]:
    lines = []
    for page in pages:
        if page.lines is not None:
            lines += [Line(line.text, line.confidences, line.boxes, page.number) for line in page.lines]
        else:
            lines += [Line(text.strip(), page=page.number) for text in page.text.splitlines()]
    return lines


def _field_findings(kind: str, reading: FieldReading, *, page: int | None = None) -> list[dict]:
    where = f"第 {page} 页" if page else ""
    return [unreadable_finding(kind, item, page=page) for item in reading.unreadable] + [
        matched_finding(kind, item, where) for item in reading.matched] + [
        {"code": "field_missing", "severity": "warning", "field": name,
         "message": f"{where}未识别到{field_label(kind, name)}，需人工核对"}
        for name in missing_fields(kind, reading)]


def matched_finding(kind: str, item: dict, where: str) -> dict:
    """A doubtful value taken as a name on a reference list, or as the amount its figures say:
    taken, and the reviewers see what was read."""
    label, read = field_label(kind, item["field"]), item["read"][:60]
    if "unread" in item:
        unread = "、".join(f"第 {n} 字" for n in item["unread"])
        how = f"与小写金额核对一致，取“{item['known']}”" + (f"（{unread}未能辨认）" if unread else "")
    elif item.get("label") == "":  # archive/ocr/lone_dates.py: printed with no label
        how = f"未印标签，为票据上唯一未标注的日期，取“{item['known']}”，请核对"
    elif "label" in item:
        how = f"标签“{item['label']}”不在标签表中，按其词尾或校验位取“{item['known']}”，请核对"
    else:
        how = f"按参考名录取“{item['known']}”"
    return {"code": "field_matched", "severity": "info", "field": item["field"],
            "message": f"{where}{label}：识别为“{read}”，{how}"}


def unreadable_finding(kind: str, item: dict, *, page: int | None = None) -> dict:
    """A field seen on the page but not taken: absent, and a person is asked to read it."""
    where = f"第 {page} 页" if page else ""
    return {"code": "field_unreadable", "severity": "warning", "field": item["field"],
            "message": f"{where}{field_label(kind, item['field'])}：识别为“{item['read'][:60]}”，"
                       f"{_REASONS.get(item['reason'], item['reason'])}，未采用，需人工核对"}


def extract_file(path: Path, *, kind: str | None, limits: Limits) -> dict:
    """The contract JSON of `archive extract`: kind, pages, fields, checks."""
    from archive.ocr.einvoice import read_document  # it builds on this module

    content_type, _ = inspect_file(path, path.stat().st_size, limits)
    reading = read_document(path, content_type, kind=kind)
    return {
        "kind": reading.kind,
        "kind_guessed": reading.kind_guessed,
        "pages": [{"number": p.number, "source": p.source, "confidence": p.confidence,
                   "text": p.text} for p in reading.pages],
        "fields": reading.fields,
        "field_sources": reading.sources,
        "checks": reading.checks,
    }
