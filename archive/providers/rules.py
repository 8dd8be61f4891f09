"""The register's rules as plain computations over storage_config/providers.toml and
storage_config/provider_assessment.toml: the USCC check, the self-pay cap and its deduction, the
year-end return, renewal reminders, and an assessment's score. No database here."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from archive.config import REPO_ROOT
from archive.errors import Text, _, number_problem

PROVIDERS_FILE = REPO_ROOT / "storage_config" / "providers.toml"
ASSESSMENT_FILE = REPO_ROOT / "storage_config" / "provider_assessment.toml"


@dataclass(frozen=True)
class RegisterSettings:
    levels: dict[str, dict[str, str]]
    types: dict[str, dict[str, str]]
    reminder_days: tuple[int, ...]  # descending: 60, 30
    caps: dict[str, int]  # level -> percent of the total cost that may be self-paid
    settlement_working_days: int


@dataclass(frozen=True)
class AssessmentItem:
    code: str
    zh: str
    en: str
    max: int


@dataclass(frozen=True)
class AssessmentSheet:
    items: tuple[AssessmentItem, ...]
    pass_score: int


@cache
def register_settings(path: Path = PROVIDERS_FILE) -> RegisterSettings:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    caps = {str(k): int(v) for k, v in data.get("self_pay_caps", {}).items()}
    unknown = set(caps) - set(data["levels"])
    if unknown or any(not 0 <= v <= 100 for v in caps.values()):
        raise ValueError(f"{path}: [self_pay_caps] must give levels of [levels] a percent 0..100")
    return RegisterSettings(levels=data["levels"], types=data["types"],
                            reminder_days=tuple(sorted({int(d) for d in data["reminders"]["days_before"]},
                                                       reverse=True)),
                            caps=caps, settlement_working_days=int(data["settlement"]["working_days"]))


@cache
def assessment_sheet(path: Path = ASSESSMENT_FILE) -> AssessmentSheet:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    items = tuple(AssessmentItem(str(i["code"]), i["zh"], i["en"], int(i["max"])) for i in data["items"])
    if len({i.code for i in items}) != len(items):
        raise ValueError(f"{path}: item codes must be unique")
    return AssessmentSheet(items, int(data["pass_score"]))


def uscc_reason(value: str | None) -> Text | None:
    """Why `value` is not a unified social credit code (GB 32100-2015), translatable; None when
    it is one."""
    code = (value or "").strip().upper()
    if not code:
        return Text(_("missing"))
    try:
        uscc.validate(code)
    except ValidationError as exc:
        return number_problem(exc)
    return None


def cap_deduction(total_cost_fen: int, self_pay_fen: int, cap_percent: int | None) -> int:
    """What a month's settlement loses to the self-pay cap: the self-paid fen beyond
    `cap_percent` % of the total cost. The allowance is rounded down to the fen (in the fund's
    favour by under a fen)."""
    if cap_percent is None:
        return 0
    allowed = total_cost_fen * cap_percent // 100
    return max(0, self_pay_fen - allowed)


@dataclass(frozen=True)
class YearEndReckoning:
    total_cost_fen: int
    self_pay_fen: int
    deducted_fen: int  # by the months
    kept_fen: int  # the year's actual excess, capped by what the months deducted
    returned_fen: int

    @property
    def share_holds(self) -> bool:
        return self.kept_fen == 0


def year_end(months: list[tuple[int, int, int]], cap_percent: int | None) -> YearEndReckoning:
    """Seed 003: the months' deductions are all returned when the year's average self-pay share
    is within the cap; otherwise the year's actual excess (on the year's totals) is kept and the
    rest returned. `months` are (total cost, self-paid, deducted) in fen."""
    total = sum(m[0] for m in months)
    self_paid = sum(m[1] for m in months)
    deducted = sum(m[2] for m in months)
    kept = min(deducted, cap_deduction(total, self_paid, cap_percent))
    return YearEndReckoning(total, self_paid, deducted, kept, deducted - kept)


def reminder_stage(valid_to: date, today: date, days_before: tuple[int, ...]) -> int | None:
    """The reminder an agreement ending on `valid_to` is at: the smallest of `days_before` it is
    within (60, then 30), 0 once it has ended, None while it is further off."""
    left = (valid_to - today).days
    if left < 0:
        return 0
    within = [d for d in days_before if left <= d]
    return min(within) if within else None


def assessment_score(scores: dict, sheet: AssessmentSheet) -> tuple[dict[str, int], int]:
    """The points per item (every item of the sheet, each 0..max) and their sum; ValueError
    names the first item that is missing, unknown or out of range."""
    known = {item.code: item for item in sheet.items}
    for code in scores:
        if code not in known:
            raise ValueError(f"unknown item {code}")
    points: dict[str, int] = {}
    for item in sheet.items:
        raw = scores.get(item.code)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValueError(f"item {item.code}: points 0..{item.max} needed") from None
        if not 0 <= value <= item.max:
            raise ValueError(f"item {item.code}: points 0..{item.max} needed")
        points[item.code] = value
    return points, sum(points.values())
