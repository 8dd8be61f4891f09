"""Record classes (档案分类) and retention periods (保管期限), read from storage_config/retention.toml.

A class says how long a case file is kept, its access grade, and the codes of its archive
reference number (档号). Retention counts from 1 January of the year after the case closes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from archive.config import REPO_ROOT
from archive.models.types import utcnow

RETENTION_FILE = REPO_ROOT / "storage_config" / "retention.toml"


class RetentionConfigError(ValueError):
    """retention.toml cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class RecordClass:
    code: str
    zh: str
    en: str
    retention_years: int | None  # None: permanent (永久)
    access_grade: int
    department_code: str
    claim_types: tuple[str, ...]
    document_kinds: tuple[str, ...]  # empty: any documents
    from_start: bool = False  # the access grade applies while the case is in progress too

    def label(self, locale) -> str:
        return self.en if str(locale).startswith("en") else self.zh

    def applies_to(self, claim_type: str, kinds: list[str | None]) -> bool:
        if claim_type not in self.claim_types:
            return False
        if self.document_kinds:
            return bool(kinds) and all(kind in self.document_kinds for kind in kinds)
        return True


@dataclass(frozen=True)
class Schedule:
    classes: tuple[RecordClass, ...]
    fonds_code: str
    separator: str
    item_digits: int
    retention_codes: dict[str, str]
    access_grades: dict[int, dict[str, str]]
    approvals_required: int
    appraiser_may_approve: bool
    loan_max_days: int = 30
    loan_approver_may_be_granter: bool = False

    @property
    def top_grade(self) -> int:
        """The highest access grade: a clearance of at least this sees every record."""
        return max(self.access_grades, default=1)

    def get(self, code: str) -> RecordClass:
        for record_class in self.classes:
            if record_class.code == code:
                return record_class
        raise KeyError(code)

    def classify(self, claim_type: str, kinds: list[str | None]) -> RecordClass:
        """The first class whose conditions hold; the last class with claim types otherwise."""
        for record_class in self.classes:
            if record_class.applies_to(claim_type, kinds):
                return record_class
        return next(c for c in reversed(self.classes) if c.claim_types)

    def grades_from_start(self) -> dict[str, int]:
        """Claim type → the access grade its case has from the moment it is opened, for the
        claim types whose class says `from_start` (the first class for a claim type decides)."""
        grades: dict[str, int] = {}
        for record_class in self.classes:
            for claim_type in record_class.claim_types:
                if claim_type not in grades and record_class.from_start:
                    grades[claim_type] = record_class.access_grade
                grades.setdefault(claim_type, 0)
        return {claim_type: grade for claim_type, grade in grades.items() if grade}

    def retention_code(self, years: int | None) -> str:
        key = "permanent" if years is None else str(years)
        return self.retention_codes.get(key, "Y" if years is None else f"D{years}")


def retention_ends_on(closed_on: date, years: int | None) -> date | None:
    """The first day after the retention period (None: kept permanently).

    The period starts on 1 January of the year after closing, so N years end on 31 December of
    closing year + N, and the case is due for appraisal the day after.
    """
    if years is None:
        return None
    return date(closed_on.year + 1 + years, 1, 1)


@cache
def schedule() -> Schedule:
    return load_schedule(RETENTION_FILE)


def load_schedule(path: Path) -> Schedule:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    numbers = raw.get("archive_number", {})
    default_department = str(numbers.get("department_code", "")).strip()
    classes = tuple(_record_class(path, entry, default_department) for entry in raw.get("class", []))
    if not classes or not any(c.claim_types for c in classes):
        raise RetentionConfigError(f"{path}: at least one [[class]] with claim_types is needed")
    if len({c.code for c in classes}) != len(classes):
        raise RetentionConfigError(f"{path}: two classes share a code")
    disposition = raw.get("disposition", {})
    approvals = disposition.get("approvals_required", 2)
    if not isinstance(approvals, int) or approvals < 1:
        raise RetentionConfigError(f"{path}: disposition.approvals_required must be 1 or more")
    loans = raw.get("loans", {})
    max_days = loans.get("max_days", 30)
    if not isinstance(max_days, int) or max_days < 1:
        raise RetentionConfigError(f"{path}: loans.max_days must be 1 or more")
    fonds = str(numbers.get("fonds_code", "")).strip()
    if not fonds:
        raise RetentionConfigError(f"{path}: archive_number.fonds_code is required")
    return Schedule(
        classes=classes, fonds_code=fonds, separator=str(numbers.get("separator", "-")),
        item_digits=int(numbers.get("item_digits", 4)),
        retention_codes={str(k): str(v) for k, v in numbers.get("retention_codes", {}).items()},
        access_grades={int(k): v for k, v in raw.get("access_grades", {}).items()},
        approvals_required=approvals,
        appraiser_may_approve=bool(disposition.get("appraiser_may_approve", False)),
        loan_max_days=max_days,
        loan_approver_may_be_granter=bool(loans.get("approver_may_be_granter", False)),
    )


def _record_class(path: Path, entry: dict, default_department: str) -> RecordClass:
    code = entry.get("code")
    years = entry.get("retention_years")
    if not code or not isinstance(years, int) or isinstance(years, bool) or years < 0:
        raise RetentionConfigError(f"{path}: class {code!r} needs a code and retention_years ≥ 0")
    department = str(entry.get("department_code", default_department)).strip()
    if not department:
        raise RetentionConfigError(f"{path}: class {code!r} has no department_code")
    return RecordClass(
        code=code, zh=entry.get("zh", code), en=entry.get("en", code),
        retention_years=years or None, access_grade=int(entry.get("access_grade", 1)),
        department_code=department, claim_types=tuple(entry.get("claim_types", [])),
        document_kinds=tuple(entry.get("document_kinds", [])),
        from_start=bool(entry.get("from_start", False)),
    )


CHINA = ZoneInfo("Asia/Shanghai")


def china_date(moment: datetime | None = None) -> date:
    """The calendar day in China at `moment` (now by default): years and due dates count there."""
    return (moment or utcnow()).astimezone(CHINA).date()
