"""Reading and checking a back-scanning manifest (著录回溯清单): CSV or XLSX, one row per case.

Headers are Chinese (English aliases accepted, see COLUMNS). Every row is checked before
anything is written, and each problem is reported as (row number, column, reason); the row
number is the spreadsheet's own (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from archive.errors import _, number_problem
from archive.files.validate import Limits, Rejected, inspect_file
from archive.models.cases import CLAIM_TYPES
from archive.retention import china_date, schedule

# Column → the headers accepted for it (first one is the name shown in reports).
COLUMNS: dict[str, tuple[str, ...]] = {
    "fonds_code": ("全宗号", "fonds", "fonds_code"),
    "year": ("年度", "year"),
    "retention": ("保管期限", "retention"),
    "original_no": ("原档号", "original_no", "old_number", "archive_no"),
    "title": ("案卷题名", "title"),
    "claimant": ("姓名", "申请人", "claimant", "claimant_name"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "claim_type": ("报销类别", "类别", "claim_type"),
    "opened_on": ("起始日期", "开始日期", "opened", "opened_on"),
    "closed_on": ("终止日期", "结束日期", "closed", "closed_on"),
    "box_no": ("盒号", "box", "box_no"),
    "pages": ("页数", "pages"),
    "files": ("文件", "files"),
}
REQUIRED = ("fonds_code", "year", "retention", "title", "claimant", "claim_type", "opened_on",
            "closed_on", "box_no", "pages", "files")
CLAIM_TYPE_NAMES = {"门诊": "outpatient", "住院": "inpatient", "生育": "maternity", "外伤": "trauma",
                    "转诊": "referral", "结算": "settlement", "其他": "other", "稽核": "audit"}
# Before 2006 records were kept 永久/长期/短期; 国家档案局令第8号 maps 长期 to 30 and 短期 to 10 years.
OLD_PERIODS = {"长期": 30, "短期": 10}
FONDS = re.compile(r"[A-Za-z0-9]{1,16}")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str  # in English: the CLI's and the trail's
    template: str = ""  # the reason's gettext template (archive/translations), for a page
    params: dict = field(default_factory=dict)  # "reason": a template itself; others are data

    @classmethod
    def of(cls, row: int, column: str, template: str, **params) -> RowError:
        return cls(row, column, template % params if params else template, template, params)

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass
class CaseRow:
    """One checked manifest row, ready to be registered."""

    row: int
    fonds_code: str
    year: int
    retention_years: int | None  # None: permanent
    retention_code: str
    original_no: str | None
    title: str
    claimant: str
    id_number: str | None
    claim_type: str
    opened_on: date
    closed_on: date
    box_no: str
    pages: int
    files: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The idempotency key: a resumed run finds this row's volume by it."""
        if self.original_no:
            return f"{self.fonds_code}|{self.year}|{self.original_no}"
        return f"{self.fonds_code}|{self.year}|{self.box_no}|{self.title}|{self.claimant}"[:255]

    def as_json(self) -> dict:
        data = asdict(self)
        data["opened_on"], data["closed_on"] = self.opened_on.isoformat(), self.closed_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> CaseRow:
        return cls(**{**data, "opened_on": date.fromisoformat(data["opened_on"]),
                      "closed_on": date.fromisoformat(data["closed_on"])})


class ManifestError(Rejected):
    """The manifest cannot be read at all (not a row's problem)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code="invalid_manifest", status=422)


def read_table(name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row of a CSV or XLSX manifest."""
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        table = _xlsx_rows(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")  # spreadsheets saved as CSV on Chinese Windows
            except UnicodeDecodeError:
                raise ManifestError("the manifest is neither UTF-8 nor GB18030 text") from None
        table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise ManifestError("the manifest is empty")
    columns = _columns(table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {column: _text(cells[i]) if i < len(cells) else "" for column, i in columns.items()}
        if any(values.values()):
            rows.append((number, values))
    return rows


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one clear refusal
        raise ManifestError(f"the XLSX manifest cannot be read ({type(exc).__name__})") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _columns(header: list) -> dict[str, int]:
    names = {_text(cell).lower(): i for i, cell in enumerate(header) if _text(cell)}
    found = {}
    for column, aliases in COLUMNS.items():
        index = next((names[a.lower()] for a in aliases if a.lower() in names), None)
        if index is not None:
            found[column] = index
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in found]
    if missing:
        raise ManifestError(f"the manifest has no column {', '.join(missing)} (header row 1)")
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_rows(rows: list[tuple[int, dict[str, str]]], folder: Path,
               limits: Limits) -> tuple[list[CaseRow], list[RowError]]:
    """Every row checked; the good ones and every problem found (a row with a problem is not
    among the good ones). Keys repeated within the manifest are refused on the later row."""
    good: list[CaseRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        problems: list[RowError] = []
        checked = _check_row(number, values, folder.resolve(), limits, problems)
        if checked is not None and checked.key in seen:
            problems.append(RowError.of(number, _shown("original_no"), _("the same case as row %(row)s"),
                                        row=seen[checked.key]))
        errors.extend(problems)
        if checked is not None and not problems:
            seen[checked.key] = number
            good.append(checked)
    return good, errors


def _shown(column: str) -> str:
    return COLUMNS[column][0]


def _check_row(number: int, values: dict[str, str], folder: Path, limits: Limits,
               problems: list[RowError]) -> CaseRow | None:
    def fail(column: str, template: str, **params) -> None:
        problems.append(RowError.of(number, _shown(column), template, **params))

    for column in REQUIRED:
        if not values.get(column):
            fail(column, _("required"))
    fonds = values.get("fonds_code", "")
    if fonds and not FONDS.fullmatch(fonds):
        fail("fonds_code", _("letters and digits, at most 16"))
    year = _year(values.get("year", ""), fail)
    retention = _retention(values.get("retention", ""), fail) if values.get("retention") else None
    claim_type = values.get("claim_type", "")
    claim_type = CLAIM_TYPE_NAMES.get(claim_type, claim_type)
    if claim_type and claim_type not in CLAIM_TYPES:
        fail("claim_type", _("unknown claim type %(given)s; one of %(names)s"), given=values["claim_type"],
             names=", ".join(CLAIM_TYPE_NAMES))
    id_number = values.get("id_number", "").upper().replace(" ", "") or None
    if id_number:
        try:
            ric.validate(id_number)
        except ValidationError as exc:
            fail("id_number", _("not a valid resident ID number (%(why)s)"), why=number_problem(exc))
    opened = _date(values.get("opened_on", ""), "opened_on", fail)
    closed = _date(values.get("closed_on", ""), "closed_on", fail)
    if opened and closed and opened > closed:
        fail("closed_on", _("before the opening date"))
    if closed and closed > china_date():
        fail("closed_on", _("in the future"))
    if closed and year and closed.year != year:
        fail("closed_on", _("not in the year %(year)s (the year column is the year the case closed)"),
             year=year)
    pages = values.get("pages", "")
    if pages and (not pages.isdigit() or int(pages) < 1):
        fail("pages", _("a whole number of pages, 1 or more"))
    files = [part.strip() for part in re.split(r"[;；]", values.get("files", "")) if part.strip()]
    for relative in files:
        reason = _file_problem(folder, relative, limits)
        if reason:
            fail("files", _("%(file)s: %(reason)s"), file=relative, reason=reason)
    original_no = values.get("original_no") or None
    if original_no and len(original_no) > 64:
        fail("original_no", _("at most 64 characters"))
    if problems:
        return None
    years, code = retention
    return CaseRow(row=number, fonds_code=fonds, year=year, retention_years=years,
                   retention_code=code, original_no=original_no, title=values["title"],
                   claimant=values["claimant"][:64], id_number=id_number, claim_type=claim_type,
                   opened_on=opened, closed_on=closed, box_no=values["box_no"][:32],
                   pages=int(pages), files=files)


def _year(text: str, fail) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text) or not 1949 <= int(text) <= china_date().year:
        fail("year", _("not a year between 1949 and %(last)s"), last=china_date().year)
        return None
    return int(text)


def _date(text: str, column: str, fail) -> date | None:
    if not text:
        return None
    normal = re.sub(r"[./年月]", "-", text).rstrip("日").strip()
    if re.fullmatch(r"\d{8}", normal):
        normal = f"{normal[:4]}-{normal[4:6]}-{normal[6:]}"
    try:
        year, month, day = (int(part) for part in normal.split("-"))
        return date(year, month, day)
    except ValueError:
        fail(column, _("not a date (YYYY-MM-DD): %(text)s"), text=text)
        return None


def _retention(text: str, fail) -> tuple[int | None, str] | None:
    """A period the schedule (storage_config/retention.toml) knows: its code (Y, D30, D10), the
    years ("30", "30年"), 永久/permanent, or the pre-2006 长期/短期."""
    plan = schedule()
    known = {c.retention_years for c in plan.classes} | {
        None if key == "permanent" else int(key) for key in plan.retention_codes if key.isdigit()
        or key == "permanent"}
    by_code = {plan.retention_code(years): years for years in known}
    value = text.strip().removesuffix("年")
    if value in by_code:
        years = by_code[value]
    elif value.lower() in ("永久", "permanent"):
        years = None
    elif value in OLD_PERIODS:
        years = OLD_PERIODS[value]
    elif value.isdigit():
        years = int(value)
    else:
        years = -1
    if years not in known:
        shown = ", ".join(sorted(by_code))
        fail("retention", _("%(text)s is not a retention period of the schedule (%(known)s)"), text=text,
             known=shown)
        return None
    return years, plan.retention_code(years)


def _file_problem(folder: Path, relative: str, limits: Limits) -> str | None:
    parts = PurePosixPath(relative.replace("\\", "/"))
    if parts.is_absolute() or ".." in parts.parts:
        return _("must be a path inside the folder")
    path = (folder / parts).resolve()
    if not path.is_relative_to(folder):
        return _("must be a path inside the folder")
    if not path.is_file():
        return _("no such file")
    try:
        inspect_file(path, path.stat().st_size, limits)
    except Rejected as refusal:
        return refusal.reason
    return None
