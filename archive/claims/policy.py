"""The reimbursement policy (补偿方案) and the computation of what the fund pays on one claim.

`storage_config/policy.toml` holds one table per scheme and year; `compute(policy, claim)` is a
pure function of one such table and the claim's figures, in integer fen with exact decimal
rates (half-up to the fen at each multiplication), so a reviewer can redo every line by hand:

    claimed − self-funded items (自费) − the insured's share of class 乙 items = eligible
    (eligible − deductible 起付线) × rate (by hospital level, in or out of county) = reimbursed
    reimbursed, at most what is left of the annual cap (封顶线) = approved
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from archive.config import REPO_ROOT
from archive.signoff import Label

POLICY_FILE = REPO_ROOT / "storage_config" / "policy.toml"
BENEFITS = ("inpatient", "outpatient")


class PolicyError(ValueError):
    """policy.toml cannot be used; the message names the table and key."""


@dataclass(frozen=True)
class Benefit:
    """Inpatient or outpatient rules of one scheme and year (fen and exact rates)."""

    annual_cap_fen: int
    deductible_fen: Mapping[str, int]  # by hospital level
    rate: Mapping[str, Decimal]  # by hospital level, in the county
    out_of_county: Mapping[str, Decimal]  # "designated" / "non_designated"


@dataclass(frozen=True)
class Policy:
    scheme: str
    year: int
    label: Label
    class_b_self_pay: Decimal
    zero_deductible_under_age: int | None
    benefits: Mapping[str, Benefit]
    levels: tuple[str, ...]
    strictest_level: str


@dataclass(frozen=True)
class Claim:
    """The figures of one claim the computation needs (fen)."""

    benefit: str  # "inpatient" | "outpatient"
    claimed_fen: int
    self_funded_fen: int = 0  # 自费: items the fund never pays
    class_b_fen: int = 0  # 乙类 items: the insured pays a share first
    level: str | None = None  # hospital level; None: unknown, computed at the strictest
    out_of_county: bool = False
    designated: bool = True
    age: int | None = None  # at treatment; None: unknown (no age exemption)
    paid_this_year_fen: int = 0  # already reimbursed to the person this year (for the cap)


@dataclass(frozen=True)
class Line:
    """One line of the computation: label, base, rate, amount (fen; signed: − is a deduction)."""

    key: str
    label: Label
    base_fen: int | None
    rate: Decimal | None
    amount_fen: int
    note: Label | None = None

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": {"zh": self.label.zh, "en": self.label.en},
                "base": yuan_text(self.base_fen), "rate": None if self.rate is None else str(self.rate),
                "amount": yuan_text(self.amount_fen),
                "note": None if self.note is None else {"zh": self.note.zh, "en": self.note.en}}


@dataclass(frozen=True)
class Computation:
    scheme: str
    year: int
    lines: tuple[Line, ...]
    eligible_fen: int
    approved_fen: int

    def as_json(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "year": self.year, "eligible": yuan_text(self.eligible_fen),
                "approved": yuan_text(self.approved_fen), "lines": [line.as_json() for line in self.lines]}


def yuan_text(fen: int | None) -> str | None:
    if fen is None:
        return None
    return f"{Decimal(fen).scaleb(-2):.2f}"


def times(fen: int, rate: Decimal) -> int:
    """fen × rate, half-up to the fen (the way a clerk rounds on paper)."""
    return int((Decimal(fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute(policy: Policy, claim: Claim) -> Computation:
    """What the fund pays on `claim` under `policy`, line by line."""
    benefit = policy.benefits[claim.benefit]
    lines = [Line("claimed", Label("申报金额（票据合计）", "Claimed (invoice totals)"), None, None,
                  claim.claimed_fen)]
    self_funded = min(claim.self_funded_fen, claim.claimed_fen)
    lines.append(Line("self_funded", Label("减：自费项目", "Less: self-funded items"),
                      self_funded, None, -self_funded))
    class_b_share = min(times(claim.class_b_fen, policy.class_b_self_pay), claim.claimed_fen - self_funded)
    lines.append(Line("class_b", Label("减：乙类项目个人先付", "Less: insured's share of class B items"),
                      claim.class_b_fen, policy.class_b_self_pay, -class_b_share))
    eligible = claim.claimed_fen - self_funded - class_b_share
    lines.append(Line("eligible", Label("合规费用", "Eligible"), None, None, eligible))

    level, level_note = claim.level, None
    if level not in policy.levels:
        level = policy.strictest_level
        level_note = Label("医院级别未知，按最严格级别计算",
                           "hospital level unknown: computed at the strictest level")
    deductible = benefit.deductible_fen[level]
    if (claim.age is not None and policy.zero_deductible_under_age is not None
            and claim.age < policy.zero_deductible_under_age):
        deductible = 0
        level_note = Label(f"未满{policy.zero_deductible_under_age}周岁，零起付",
                           f"under {policy.zero_deductible_under_age}: no deductible")
    deducted = min(deductible, eligible)
    lines.append(Line("deductible", Label(f"减：起付线（{_LEVEL_NAMES[level].zh}）",
                                          f"Less: deductible ({_LEVEL_NAMES[level].en})"),
                      deductible, None, -deducted, level_note))

    if claim.out_of_county or not claim.designated:
        key = "designated" if claim.designated else "non_designated"
        rate = benefit.out_of_county[key]
        where = (Label("县外定点", "out of county, designated") if claim.designated and claim.out_of_county
                 else Label("非定点", "non-designated provider"))
    else:
        rate = benefit.rate[level]
        where = _LEVEL_NAMES[level]
    base = eligible - deducted
    reimbursed = times(base, rate)
    lines.append(Line("reimbursed", Label(f"补偿（{where.zh}）", f"Reimbursed ({where.en})"),
                      base, rate, reimbursed))

    left = max(benefit.annual_cap_fen - claim.paid_this_year_fen, 0)
    approved = min(reimbursed, left)
    if approved < reimbursed:
        lines.append(Line("cap", Label("减：超过年度封顶线", "Less: above the annual cap"), left, None,
                          approved - reimbursed,
                          Label(f"年度封顶线 {yuan_text(benefit.annual_cap_fen)} 元，本年已补偿 "
                                f"{yuan_text(claim.paid_this_year_fen)} 元",
                                f"annual cap {yuan_text(benefit.annual_cap_fen)}, already reimbursed "
                                f"this year {yuan_text(claim.paid_this_year_fen)}")))
    lines.append(Line("approved", Label("核定补偿金额", "Approved"), None, None, approved))
    return Computation(policy.scheme, policy.year, tuple(lines), eligible, approved)


_LEVEL_NAMES = {"township": Label("乡镇级", "township level"), "county": Label("县级", "county level"),
                "city": Label("市级", "city level"), "province": Label("省级", "province level")}


# --- reading policy.toml -------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyBook:
    """Every scheme and year of policy.toml, and how hospitals are given a level."""

    default_scheme: str
    policies: Mapping[tuple[str, int], Policy]
    level_by_name: tuple[tuple[str, str], ...]

    def find(self, scheme: str | None, year: int) -> Policy | None:
        return self.policies.get((scheme or self.default_scheme, year))

    def level_of(self, hospital: str | None) -> str | None:
        if not hospital:
            return None
        return next((level for needle, level in self.level_by_name if needle in hospital), None)


@cache
def policy_book(path: Path = POLICY_FILE) -> PolicyBook:
    """policy.toml, read once per process (a change is recorded by the config trail at start)."""
    with open(path, "rb") as handle:
        return parse_book(tomllib.load(handle))


def parse_book(raw: Mapping[str, Any]) -> PolicyBook:
    levels = tuple(raw.get("levels") or ())
    if not levels or any(level not in _LEVEL_NAMES for level in levels):
        raise PolicyError(f"levels must list hospital levels from {', '.join(_LEVEL_NAMES)}")
    strictest = raw.get("strictest_level")
    if strictest not in levels:
        raise PolicyError("strictest_level must be one of levels")
    by_name = []
    for item in raw.get("level_by_name", []):
        if not isinstance(item, dict) or item.get("level") not in levels or not item.get("contains"):
            raise PolicyError("each [[level_by_name]] needs contains and a level from levels")
        by_name.append((str(item["contains"]), item["level"]))
    policies = {}
    for scheme, years in raw.items():
        if not isinstance(years, dict) or scheme in ("level_by_name",):
            continue
        for year, table in years.items():
            where = f"[{scheme}.{year}]"
            if not str(year).isdigit() or not isinstance(table, dict):
                raise PolicyError(f"{where}: a scheme's tables are named by year")
            policies[(scheme, int(year))] = _policy(scheme, int(year), table, levels, strictest, where)
    default = raw.get("default_scheme")
    if not any(scheme == default for scheme, _year in policies):
        raise PolicyError("default_scheme must name a scheme with at least one year")
    return PolicyBook(default, policies, tuple(by_name))


def _policy(scheme: str, year: int, table: dict, levels: tuple[str, ...], strictest: str,
            where: str) -> Policy:
    age = table.get("zero_deductible_under_age")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 0):
        raise PolicyError(f"{where}: zero_deductible_under_age must be a whole number of years")
    benefits = {}
    for name in BENEFITS:
        part = table.get(name)
        if not isinstance(part, dict):
            raise PolicyError(f"{where}: missing table [{scheme}.{year}.{name}]")
        here = f"[{scheme}.{year}.{name}]"
        benefits[name] = Benefit(
            annual_cap_fen=_fen(part.get("annual_cap"), f"{here} annual_cap"),
            deductible_fen={lv: _fen(_get(part, "deductible", lv, here), f"{here} deductible.{lv}")
                            for lv in levels},
            rate={lv: _rate(_get(part, "rate", lv, here), f"{here} rate.{lv}") for lv in levels},
            out_of_county={key: _rate(_get(part, "out_of_county", key, here), f"{here} out_of_county.{key}")
                           for key in ("designated", "non_designated")})
    return Policy(scheme, year, Label(str(table.get("zh", scheme)), str(table.get("en", scheme))),
                  _rate(table.get("class_b_self_pay"), f"{where} class_b_self_pay"), age, benefits,
                  levels, strictest)


def _get(part: dict, table: str, key: str, where: str):
    inner = part.get(table)
    if not isinstance(inner, dict) or key not in inner:
        raise PolicyError(f"{where}: missing {table}.{key}")
    return inner[key]


def _decimal(value, where: str) -> Decimal:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: write it as a string (\"0.60\", \"100.00\"), never a float")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PolicyError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise PolicyError(f"{where}: {value!r} must be zero or more")
    return number


def _fen(value, where: str) -> int:
    number = _decimal(value, where)
    if number != number.quantize(Decimal("0.01")):
        raise PolicyError(f"{where}: at most two decimals")
    return int(number.scaleb(2))


def _rate(value, where: str) -> Decimal:
    number = _decimal(value, where)
    if number > 1:
        raise PolicyError(f"{where}: a rate is a fraction from 0 to 1")
    return number
