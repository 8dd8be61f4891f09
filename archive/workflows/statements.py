"""一日清单 for every inpatient claim, on every chain: checked when the case is sent on (submit).

Seed 000: 未提供清单的，不予受理 — an inpatient claim without its daily itemised statements is not
accepted. The rule holds whatever chain the case goes to (外报, window intake, …), and it looks
at the statements *as read*, not as filed:

- An inpatient claim is a case of claim type "inpatient", or any case (trauma, maternity, …)
  with an invoice read as an inpatient one (住院). Provider settlements and audits are not
  claims for one stay and are left out (`NOT_ONE_STAY`).
- A statement counts when it has been read, its printed title says it is a daily statement
  (an invoice filed under the kind daily_statement does not count) and a statement date was
  read from it. One still being read is not yet a statement: wait for it.
- Every day of it is signed by the patient or family (`signed_by` read).
- The days cover the stay. Where an inpatient invoice gives the stay (入院日期 / 出院日期),
  every day from admission up to the day before discharge needs its statement: hospitals bill
  a stay per night (住院天数 = 出院日期 − 入院日期), so the discharge day often has no
  statement; a stay admitted and discharged on one day needs that day. Where the stay is not
  known, the statements must run without a gap from their first day to their last: a missing
  day in between is a missing statement (the daily totals are also compared with the invoices'
  total, archive.ocr.case_checks).
"""

from __future__ import annotations

from datetime import date, timedelta

from archive.models import Case, Document
from archive.models.cases import DocumentStatus
from archive.ocr.fields import guess_kind
from archive.signoff.errors import Incomplete, _
from archive.signoff.steps import Label

NOT_ONE_STAY = ("settlement", "audit")


def is_inpatient_claim(case: Case) -> bool:
    if case.claim_type in NOT_ONE_STAY:
        return False
    return case.claim_type == "inpatient" or any(
        d.status == DocumentStatus.PROCESSED and d.kind == "invoice"
        and (d.fields or {}).get("visit_type") == "inpatient" for d in case.documents)


def statement_problems(case: Case) -> list[Label]:
    """What is wrong with the daily statements of an inpatient claim (empty: nothing)."""
    if not is_inpatient_claim(case):
        return []
    filed = [d for d in case.documents if d.kind == "daily_statement"]
    reading = [d for d in filed if d.status in DocumentStatus.UNFINISHED]
    statements = [d for d in filed if read_as_statement(d)]
    problems = []
    if reading:
        problems.append(Label(f"{len(reading)} 份一日清单尚在识别中，请识别完成后再提交",
                              f"{len(reading)} daily statement(s) still being read; send the case "
                              "on when they are read"))
    if not statements:
        # Why the papers filed as statements do not count (a misfiled one beside real
        # statements is for the reviewer to see, not a reason to refuse the claim).
        not_statements = [d.filename for d in filed if d.status == DocumentStatus.PROCESSED]
        if not_statements:
            names = "、".join(not_statements)
            problems.append(Label(f"按一日清单上传的 {names} 识别结果不是一日清单",
                                  f"{', '.join(not_statements)} filed as daily statement(s) "
                                  "do not read as one"))
        if not reading:
            problems.append(Label("未提供住院费用一日清单（未提供清单的，不予受理）",
                                  "no daily itemised statement (未提供清单的, 不予受理)"))
        return problems
    days = [day for d in statements for day in _days(d)]
    unsigned = sorted({day["statement_date"] for day in days if not day.get("signed_by")})
    if unsigned:
        problems.append(Label(f"一日清单缺少患者或家属签字：{'、'.join(unsigned)}",
                              f"daily statement not signed by the patient or family: "
                              f"{', '.join(unsigned)}"))
    missing = _uncovered(case, {date.fromisoformat(day["statement_date"]) for day in days})
    if missing:
        shown = "、".join(d.isoformat() for d in missing[:10]) + ("…" if len(missing) > 10 else "")
        problems.append(Label(f"一日清单未覆盖住院日：缺少 {shown}（共 {len(missing)} 天）",
                              f"the daily statements do not cover the stay: {len(missing)} day(s) "
                              f"missing ({shown})"))
    return problems


def refuse_without_statements(case: Case) -> None:
    problems = statement_problems(case)
    if problems:
        raise Incomplete(_("Not accepted (不予受理): inpatient claim %(case_no)s needs signed daily "
                           "statements (一日清单) for its whole stay: %(problems)s"),
                         case_no=case.case_no,
                         problems=Label("；".join(p.zh for p in problems), "; ".join(p.en for p in problems)))


def read_as_statement(document: Document) -> bool:
    if document.status != DocumentStatus.PROCESSED:
        return False
    text = "\n".join(page.text or "" for page in document.pages)
    if guess_kind(text) != "daily_statement":
        return False
    return all(_is_date(day.get("statement_date")) for day in _days(document))


def _days(document: Document) -> list[dict]:
    fields = document.fields or {}
    return list(fields.get("days") or [fields])


def _is_date(value) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _uncovered(case: Case, covered: set[date]) -> list[date]:
    """The days of the stay without a statement."""
    stays = []
    for d in case.documents:
        fields = d.fields or {}
        if d.status != DocumentStatus.PROCESSED or d.kind != "invoice":
            continue
        if _is_date(fields.get("admission_date")) and _is_date(fields.get("discharge_date")):
            stays.append((date.fromisoformat(fields["admission_date"]),
                          date.fromisoformat(fields["discharge_date"])))
    needed: set[date] = set()
    for admitted, discharged in stays:
        last = max(admitted, discharged - timedelta(days=1))
        needed |= {admitted + timedelta(days=n) for n in range((last - admitted).days + 1)}
    if not stays:  # the stay is unknown: no gap between the first and the last statement
        first, last = min(covered), max(covered)
        needed = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    return sorted(needed - covered)
