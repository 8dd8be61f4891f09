"""Flags that compare a claim with every other claim, on the indexed claim keys
(archive/models/claim_key_rules.py), and the daily statements' item flags
(archive/workflows/statement_flags.py). Thresholds and severities: storage_config/flags.toml.

- `stay_overlap`: another stay of the same person overlaps this one by a night or more (a
  transfer — discharged and admitted the same day — does not): one of the two pays for nights
  the person spent elsewhere.
- `readmission` (分解住院): the same person admitted to the same hospital within
  `readmission_days` of a discharge: one stay split in two to bill twice (two deductibles, two
  quotas) unless the reviewer finds a new illness.
- `claim_frequency`: more than `max_claims` claims of one person treated within
  `claim_window_days` of each other (counting this one).
- `agreement_expired` / `agreement_missing`: a claim filed as at a designated provider, or a
  provider's settlement, whose provider had no agreement in force on a day of treatment; the
  latest agreement archived for the provider is named (its case linked). None archived at all is
  a warning: the archive may not hold every agreement.
- `agreement_suspended`: the provider is in the register (archive/providers/) and its agreement
  was suspended on a day of treatment.
- `provider_ambiguous` / `provider_unregistered`: the hospital as printed fits several registered
  providers, or none while the register holds some: its suspension cannot be checked until a
  reviewer sees which provider it is (and the register gets the alias).
The provider of an invoice and of an agreement is matched on its code, else its name normalised
(brackets, spaces, a stamp's （章）, OCR confusions) or an alias (archive/providers/matching.py).
Each finding names the other case, so a reviewer can open it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import Case, ClaimKey
from archive.providers.flags import agreement_parties, provider_check
from archive.workflows.flag_settings import FlagSettings, flag_settings
from archive.workflows.statement_flags import statement_findings

SETTLEMENT = "settlement"


def flag_findings(session: Session, case: Case, settings: FlagSettings | None = None) -> list[dict]:
    """Every flag of `case` (CaseFinding keywords), duplicates aside (archive.workflows.duplicates)."""
    settings = settings or flag_settings()
    mine = list(session.scalars(select(ClaimKey).where(ClaimKey.case_id == case.id).order_by(ClaimKey.id)))
    found = []
    for stay in (k for k in mine if k.kind == "stay" and k.person):
        found += _stay_findings(session, case, stay, settings)
    for visit in (k for k in mine if k.kind == "visit" and k.person):
        found += _frequency(session, case, visit, settings)
    if case.designated_provider or case.claim_type == SETTLEMENT:
        found += _agreement_findings(session, mine, settings, case.hospital)
        found += _register_findings(session, mine, settings, case.hospital)
    found += statement_findings(case.documents, settings)
    return found


def nights(admitted: date, discharged: date) -> tuple[date, date]:
    """The stay as a half-open span of nights; a stay of one day holds that day."""
    return admitted, max(discharged, admitted + timedelta(days=1))


def overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    (a_from, a_to), (b_from, b_to) = nights(*a), nights(*b)
    return a_from < b_to and b_from < a_to


def readmitted_within(a: tuple[date, date], b: tuple[date, date], days: int) -> int | None:
    """Days from one stay's discharge to the other's admission, when within `days` (not overlapping)."""
    if overlaps(a, b):
        return None
    gap = (b[0] - a[1]).days if b[0] >= a[1] else (a[0] - b[1]).days
    return gap if 0 <= gap <= days else None


def _stay_findings(session: Session, case: Case, stay: ClaimKey, settings: FlagSettings) -> list[dict]:
    span = (stay.admitted, stay.discharged)
    reach = timedelta(days=settings.readmission_days)
    rows = session.execute(
        select(ClaimKey.case_id, ClaimKey.hospital, ClaimKey.admitted, ClaimKey.discharged, Case.case_no)
        .join(Case, Case.id == ClaimKey.case_id)
        .where(ClaimKey.person == stay.person, ClaimKey.kind == "stay", ClaimKey.case_id != case.id,
               ClaimKey.admitted <= nights(*span)[1] + reach, ClaimKey.discharged >= span[0] - reach)
        .order_by(ClaimKey.admitted, ClaimKey.case_id))
    found = []
    for _case_id, hospital, admitted, discharged, other_case in rows:
        other = (admitted, discharged)
        shown = f"{admitted.isoformat()} 至 {discharged.isoformat()}"
        if overlaps(span, other):
            found.append(_finding("stay_overlap", f"{stay.document_id}:{other_case}", settings,
                                  f"住院时间重叠：本案 {span[0]} 至 {span[1]} 的住院与案卷 {other_case} "
                                  f"在{hospital or '另一医院'}的住院（{shown}）重叠，同一人不能同时住院",
                                  stay.document_id, other_case, start=str(span[0]), end=str(span[1]),
                                  hospital=hospital or "—", other_start=admitted.isoformat(),
                                  other_end=discharged.isoformat(), other_case=other_case))
        elif stay.hospital and hospital == stay.hospital and (
                gap := readmitted_within(span, other, settings.readmission_days)) is not None:
            found.append(_finding("readmission", f"{stay.document_id}:{other_case}", settings,
                                  f"分解住院嫌疑：在{hospital}出院后 {gap} 天内再次入院（案卷 {other_case}："
                                  f"{shown}；本案 {span[0]} 至 {span[1]}），"
                                  f"未超过 {settings.readmission_days} 天", stay.document_id, other_case,
                                  hospital=hospital, gap=gap, other_case=other_case,
                                  other_start=admitted.isoformat(), other_end=discharged.isoformat(),
                                  start=str(span[0]), end=str(span[1]), days=settings.readmission_days))
    return found


def _frequency(session: Session, case: Case, visit: ClaimKey, settings: FlagSettings) -> list[dict]:
    window = timedelta(days=settings.claim_window_days)
    others = list(session.execute(
        select(Case.case_no, func.min(ClaimKey.admitted)).join(Case, Case.id == ClaimKey.case_id)
        .where(ClaimKey.person == visit.person, ClaimKey.kind == "visit", ClaimKey.case_id != case.id,
               ClaimKey.admitted >= visit.admitted - window, ClaimKey.admitted <= visit.admitted + window)
        .group_by(Case.case_no).order_by(Case.case_no)))
    if len(others) + 1 <= settings.max_claims:
        return []
    listed = "、".join(case_no for case_no, _ in others[:10]) + ("…" if len(others) > 10 else "")
    return [_finding("claim_frequency", str(visit.document_id), settings,
                     f"报销过于频繁：{visit.admitted} 前后 {settings.claim_window_days} 天内同一人共 "
                     f"{len(others) + 1} 次报销（超过 {settings.max_claims} 次）：{listed}",
                     visit.document_id, others[0][0], day=str(visit.admitted),
                     days=settings.claim_window_days, count=len(others) + 1, most=settings.max_claims,
                     cases=listed)]


def _agreement_findings(session: Session, mine: list[ClaimKey], settings: FlagSettings,
                        typed: str | None) -> list[dict]:
    """`typed`: the case's hospital, for a day whose invoice's payee was not read."""
    treated: dict[str, set[date]] = {}
    codes: dict[str, set[str]] = {}
    for key in mine:
        hospital = key.hospital or (typed or "").strip()
        if key.kind in ("stay", "visit") and hospital:
            treated.setdefault(hospital, set()).update(
                d for d in (key.admitted, key.discharged) if d is not None)
            codes.setdefault(hospital, set()).update([key.value] if key.value else [])
    parties = agreement_parties(session, codes) if treated else {}
    found = []
    for hospital, days in sorted(treated.items()):
        for day in sorted(days):
            in_force = session.execute(
                select(ClaimKey.admitted, ClaimKey.discharged, Case.case_no)
                .join(Case, Case.id == ClaimKey.case_id)
                .where(ClaimKey.kind == "agreement", ClaimKey.hospital.in_(parties[hospital]),
                       ClaimKey.admitted <= day)
                .order_by(ClaimKey.discharged.desc(), ClaimKey.id.desc()).limit(1)).first()
            if in_force is not None and in_force.discharged >= day:
                continue
            later = in_force or session.execute(
                select(ClaimKey.admitted, ClaimKey.discharged, Case.case_no)
                .join(Case, Case.id == ClaimKey.case_id)
                .where(ClaimKey.kind == "agreement", ClaimKey.hospital.in_(parties[hospital]))
                .order_by(ClaimKey.admitted).limit(1)).first()
            if later is None:
                found.append(_finding("agreement_missing", hospital, settings,
                                      f"档案中没有{hospital}的定点服务协议，"
                                      f"无法确认 {day} 就诊时其为定点机构", None, None,
                                      hospital=hospital, day=str(day)))
            else:
                found.append(_finding("agreement_expired", hospital, settings,
                                      f"协议不在有效期：{hospital}的协议（案卷 {later.case_no}，有效期 "
                                      f"{later.admitted} 至 {later.discharged}）在就诊日 {day} 不在有效期内",
                                      None, later.case_no, hospital=hospital, case_no=later.case_no,
                                      start=str(later.admitted), end=str(later.discharged), day=str(day)))
            break  # one finding per provider
    return found


def _register_findings(session: Session, mine: list[ClaimKey], settings: FlagSettings,
                       typed: str | None) -> list[dict]:
    """What the provider register says of the hospitals treated at (archive/providers/flags.py);
    `typed`: the case's hospital, for a day whose invoice's payee was not read."""
    check = provider_check(session, mine, typed)
    found = [_finding("agreement_suspended", hospital, settings,
                      f"协议暂停：{hospital}自 {s.starts_on} 至 {s.ends_on} 暂停定点服务协议"
                      f"（{s.description}），就诊日 {day} 在暂停期内", None, None, hospital=hospital,
                      start=str(s.starts_on), end=str(s.ends_on), description=s.description, day=str(day))
             for hospital, day, s in check.suspended]
    found += [_finding("provider_ambiguous", hospital, settings,
                       f"定点机构不明：票据上的“{hospital}”与登记簿中多家机构相符（{'、'.join(names)}），"
                       f"无法核对其协议是否暂停", None, None, hospital=hospital, providers="、".join(names))
              for hospital, names in check.ambiguous]
    found += [_finding("provider_unregistered", hospital, settings,
                       f"票据上的“{hospital}”不在定点机构登记簿中（名称、别名、代码均不符），"
                       f"无法核对其协议是否暂停", None, None, hospital=hospital)
              for hospital in check.unregistered]
    return found


def _finding(code: str, key: str, settings: FlagSettings, message: str, document_id: int | None,
             other_case: str | None, /, **params) -> dict:
    """`params`: the values the message names, for pages to draw it in the reader's language."""
    return {"id": f"{code}:{key}", "code": code, "severity": settings.severity_of(code),
            "message": message, "document_id": document_id, "other_case": other_case,
            "params": params}
