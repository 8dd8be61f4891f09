"""The register as JSON (API, CLI): money in fen, dates as ISO strings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import case_condition
from archive.models import (
    Case,
    Provider,
    ProviderAssessment,
    ProviderSanction,
    ProviderSettlement,
    ProviderSettlementFinding,
    ProviderYearEnd,
)
from archive.providers.assessments import assessments_of
from archive.providers.register import Reminder, agreements_of, aliases_of, sanctions_of, validity
from archive.providers.settlements import (
    claims_of,
    deductions_of,
    findings_of,
    payable_fen,
    settlements_of,
    year_ends_of,
)
from archive.signoff.workdays import today_in_china


def _iso(value):
    return None if value is None else value.isoformat()


def provider_json(session: Session, provider: Provider, *, full: bool = False, reader=None) -> dict:
    """`reader`, needed with `full`: who is shown the settlements' claims (archive.access)."""
    valid = validity(session, provider)
    shown = {"id": provider.id, "name": provider.name, "level": provider.level, "type": provider.kind,
             "uscc": provider.uscc, "insurance_code": provider.insurance_code, "township": provider.township,
             "deposit_fen": provider.deposit_fen, "deposit_status": provider.deposit_status,
             "valid_from": _iso(valid.valid_from), "valid_to": _iso(valid.valid_to),
             "in_force": valid.in_force, "suspended": valid.suspended, "days_left": valid.days_left,
             "reminder": valid.reminder,
             "aliases": [a.alias for a in aliases_of(session, provider)]}
    if full:
        agreements, sanctions = agreements_of(session, provider), sanctions_of(session, provider)
        seen = _seen(session, reader, {a.case_no for a in agreements} | {no for _, no in sanctions if no})
        shown["agreements"] = [{"case_no": a.case_no if a.case_no in seen else None,
                                "document_id": a.document_id if a.case_no in seen else None,
                                "valid_from": _iso(a.valid_from), "valid_to": _iso(a.valid_to)}
                               for a in agreements]
        shown["sanctions"] = [sanction_json(s, case_no if case_no in seen else None)
                              for s, case_no in sanctions]
        shown["assessments"] = [assessment_json(a) for a in assessments_of(session, provider)]
        shown["settlements"] = [settlement_json(session, s, reader)
                                for s in settlements_of(session, provider)]
        shown["year_ends"] = [year_end_json(y) for y in year_ends_of(session, provider)]
    return shown


def _seen(session: Session, reader, case_nos: set[str]) -> set[str]:
    """The case numbers `reader` may see (a case above their grade or outside their scope is
    counted, not named), as the settlements' claims are shown."""
    if not case_nos:
        return set()
    visible = select(Case.case_no).where(Case.case_no.in_(case_nos), case_condition(reader))
    return set(session.scalars(visible))


def sanction_json(sanction: ProviderSanction, case_no: str | None = None) -> dict:
    return {"id": sanction.id, "kind": sanction.kind, "starts_on": _iso(sanction.starts_on),
            "ends_on": _iso(sanction.ends_on), "description": sanction.description, "case_no": case_no,
            "recorded_by": sanction.recorded_by_name}


def assessment_json(assessment: ProviderAssessment) -> dict:
    return {"id": assessment.id, "year": assessment.year, "period": assessment.period,
            "scores": assessment.scores, "score": assessment.score,
            "assessed_on": _iso(assessment.assessed_on),
            "assessor": assessment.assessor_name, "deposit_outcome": assessment.deposit_outcome}


def settlement_json(session: Session, settlement: ProviderSettlement, reader) -> dict:
    today = today_in_china()
    findings = [finding_json(f, case_no) for f, case_no in findings_of(session, settlement, reader)]
    return {"id": settlement.id, "provider_id": settlement.provider_id, "month": settlement.month,
            "received_on": _iso(settlement.received_on),
            "due_on": _iso(settlement.due_on), "due_estimated": settlement.due_estimated,
            "settled_on": _iso(settlement.settled_on),
            "overdue": (settlement.settled_on or today) > settlement.due_on,
            "total_cost_fen": settlement.total_cost_fen, "self_pay_fen": settlement.self_pay_fen,
            "claimed_fen": settlement.claimed_fen, "computed_fen": settlement.computed_fen,
            "cap_percent": settlement.cap_percent,
            "cap_deduction_fen": settlement.cap_deduction_fen,
            "deductions": [{"id": d.id, "amount_fen": d.amount_fen, "reason": d.reason,
                            "recorded_by": d.recorded_by_name} for d in deductions_of(session, settlement)],
            "payable_fen": payable_fen(session, settlement),
            "claims": [{"case_no": case_no, "treated_on": _iso(c.treated_on),
                        "total_cost_fen": c.total_cost_fen, "self_pay_fen": c.self_pay_fen,
                        "fund_fen": c.fund_fen}
                       for c, case_no in claims_of(session, settlement, reader)],
            "findings": findings,
            "blocked": any(f["resolved_at"] is None for f in findings)}


def finding_json(finding: ProviderSettlementFinding, case_no: str | None = None) -> dict:
    return {"id": finding.id, "code": finding.code, "case_no": case_no,
            "submitted_fen": finding.submitted_fen, "computed_fen": finding.computed_fen,
            "explanation": finding.explanation,
            "resolved_by": finding.resolved_by_name, "resolved_at": _iso(finding.resolved_at)}


def year_end_json(reckoned: ProviderYearEnd) -> dict:
    return {"year": reckoned.year, "total_cost_fen": reckoned.total_cost_fen,
            "self_pay_fen": reckoned.self_pay_fen, "cap_percent": reckoned.cap_percent,
            "deducted_fen": reckoned.deducted_fen, "kept_fen": reckoned.kept_fen,
            "returned_fen": reckoned.returned_fen}


def reminder_json(reminder: Reminder) -> dict:
    return {"provider": reminder.provider_id, "name": reminder.name, "valid_to": _iso(reminder.valid_to),
            "days_left": reminder.days_left, "stage": reminder.stage}
