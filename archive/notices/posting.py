"""The posted notice of a month's claims (公示, seeds 000/003): a posting period of at least
`min_posting_days` (storage_config/notices.toml; seed 003: 不少于7天), where it hangs, and one line
per claim approved for payment in the month — the claimant's name and ID masked as notice boards
print them (张*三, 110101********1234), or a designated provider's settlement (内报, 即时结报) listed
as the provider's, not as a payout to any village.

The lines are a snapshot taken when the notice is made: what the village read stays what it read.
"""

from __future__ import annotations

import io
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth import require
from archive.claims import case_money
from archive.claims.policy import yuan_text
from archive.claims.service import AMOUNT_PAID
from archive.config import REPO_ROOT
from archive.errors import n_
from archive.models import Case, Publication, PublicationLine, SignOff, WorkflowInstance, WorkflowStatus
from archive.records.masking import ID_NUMBER, OLD_ID_NUMBER, mask_text
from archive.signoff import BadRequest, Incomplete, registry
from archive.signoff.errors import _
from archive.signoff.months import month_bounds, parse_month
from archive.tabular import write_csv

CONFIG_FILE = REPO_ROOT / "storage_config" / "notices.toml"
PROVIDER_TYPES = ("settlement",)  # 内报: the designated provider settled at discharge and claims back
MAX_TEXT = 500
ZH_LABELS = {"line": "序号", "kind": "类别", "name": "姓名/机构", "id_number": "身份证号",
             "township": "乡镇", "village": "村", "claim_type": "类型", "amount": "补偿金额（元）",
             "paid": "支付情况", "claimant": "参合人员补偿", "provider": "定点医疗机构结算",
             "yes": "已支付", "no": "待支付", "period": "公示期", "where": "公示地点"}


class NotFoundError(Incomplete):
    status = 404
    code = "not_found"


@cache
def min_posting_days() -> int:
    table = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8")).get("publication", {})
    return int(table.get("min_posting_days", 7))


def mask_name(name: str) -> str:
    """A name as notice boards print it: the family name and the last character (张*三); a
    two-character name keeps its family name (张*)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str | None) -> str | None:
    """The ID as archive.records.masking masks it (region code and last four: 110101********1234);
    anything else keeps only its last four characters."""
    if not number:
        return None
    number = number.strip()
    if ID_NUMBER.fullmatch(number) or OLD_ID_NUMBER.fullmatch(number):
        return mask_text(number)
    return "*" * max(len(number) - 4, 4) + number[-4:] if len(number) > 4 else "****"


@dataclass(frozen=True)
class Candidate:
    case: Case
    paid_fen: int | None  # None: not paid yet


def _parse_date(value, what: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a date as YYYY-MM-DD."), what=what) from None


def create_publication(session: Session, user, *, month: str | None, posted_from, posted_to,
                       posted_where: str | None) -> Publication:
    """Post the notice of `month`: refused unless it hangs at least min_posting_days, somewhere."""
    require(user, "publication.create")
    month = parse_month(month)
    start, end = _parse_date(posted_from, "posted_from"), _parse_date(posted_to, "posted_to")
    days = (end - start).days + 1
    if days < min_posting_days():
        raise Incomplete(n_("A notice hangs at least %(min)s day (seed 003: 公示时间不少于7天); "
                            "%(start)s to %(end)s is %(days)s.",
                            "A notice hangs at least %(min)s days (seed 003: 公示时间不少于7天); "
                            "%(start)s to %(end)s is %(days)s.", "min"), min=min_posting_days(),
                         start=start.isoformat(), end=end.isoformat(), days=max(days, 0))
    where = (posted_where or "").strip()
    if not where:
        raise Incomplete(_("Say where the notice is posted (e.g. the township and village notice "
                           "boards)."))
    if len(where) > MAX_TEXT:
        raise Incomplete(n_("The text is longer than %(limit)s character.",
                            "The text is longer than %(limit)s characters.", "limit"),
                         limit=MAX_TEXT)
    candidates = approved_in(session, month)
    if not candidates:
        raise Incomplete(_("No claim was approved for payment in %(month)s."), month=month)
    publication = Publication(month=month, posted_from=start, posted_to=end, posted_where=where,
                              created_by_id=user.id, created_by_name=user.display_name or user.username)
    session.add(publication)
    session.flush()
    for number, candidate in enumerate(candidates, start=1):
        session.add(_line(session, publication, number, candidate))
    session.flush()
    audit.record(session, "publication.created", actor=user, target=None, details={
        "publication": publication.id, "month": month, "posted_from": start.isoformat(),
        "posted_to": end.isoformat(), "posted_where": where, "lines": len(candidates)})
    return publication


def _line(session: Session, publication: Publication, number: int, candidate: Candidate) -> PublicationLine:
    case = candidate.case
    amount = candidate.paid_fen if candidate.paid_fen is not None else case_money(session, case).approved_fen
    provider = case.claim_type in PROVIDER_TYPES
    return PublicationLine(
        publication_id=publication.id, line_no=number, case_id=case.id,
        kind="provider" if provider else "claimant",
        # A provider's settlement is the provider's (its name as the case was opened); no village.
        name=case.claimant_name if provider else mask_name(case.claimant_name),
        id_number=None if provider else mask_id(case.claimant_id_number),
        township=None if provider else case.township, village=None if provider else case.village,
        claim_type=case.claim_type, amount_fen=amount, paid=candidate.paid_fen is not None)


def approved_in(session: Session, month: str) -> list[Candidate]:
    """Cases whose claim chain (one followed by a payment chain) was approved in `month`, China
    time, with what was paid if their payment is done."""
    start, end = month_bounds(month)
    definitions = registry().definitions.values()
    paying = {d.name for d in definitions if d.done_status == "paid"}
    claims = [d.name for d in definitions if d.then in paying]
    cases = session.scalars(
        select(Case).join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
        .where(WorkflowInstance.definition.in_(claims), WorkflowInstance.status == WorkflowStatus.APPROVED,
               WorkflowInstance.finished_at >= start, WorkflowInstance.finished_at < end)
        .order_by(Case.claim_type.in_(PROVIDER_TYPES), Case.township, Case.village, Case.case_no)).all()
    paid = paid_amounts(session, [case.id for case in cases])
    return [Candidate(case, paid.get(case.id)) for case in cases]


def paid_amounts(session: Session, case_ids: list[int]) -> dict[int, int]:
    """case id → the amount paid (fen) of its approved payment chain: the cashier's latest entry."""
    from archive.claims.money import fen_of

    paying = [d for d in registry().definitions.values() if d.done_status == "paid"]
    steps = [s.id for d in paying for s in d.steps if any(f.name == AMOUNT_PAID for f in s.findings)]
    found: dict[int, int] = {}
    for first in range(0, len(case_ids), 500):  # bounded IN lists
        done = select(WorkflowInstance.id).where(
            WorkflowInstance.case_id.in_(case_ids[first:first + 500]),
            WorkflowInstance.definition.in_([d.name for d in paying]),
            WorkflowInstance.status == WorkflowStatus.APPROVED)
        latest = (select(func.max(SignOff.id)).where(SignOff.instance_id.in_(done), SignOff.step.in_(steps),
                                                      SignOff.decision == "approve")
                  .group_by(SignOff.instance_id))
        for case_id, findings in session.execute(
                select(SignOff.case_id, SignOff.findings).where(SignOff.id.in_(latest))):
            found[case_id] = fen_of((findings or {}).get(AMOUNT_PAID)) or 0
    return found


def publications(session: Session, user, month: str | None = None) -> list[Publication]:
    require(user, "publication.view")
    query = select(Publication).order_by(Publication.id.desc())
    if month:
        query = query.where(Publication.month == parse_month(month))
    return list(session.scalars(query.limit(200)))


def get_publication(session: Session, user, publication_id) -> Publication:
    require(user, "publication.view")
    publication = session.get(Publication, _int(publication_id))
    if publication is None:
        raise NotFoundError(_("There is no publication %(id)s."), id=publication_id)
    return publication


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadRequest(_("%(what)s must be a number."), what=str(value)[:20]) from None


def publication_json(publication: Publication) -> dict:
    return {"id": publication.id, "month": publication.month,
            "posted_from": publication.posted_from.isoformat(),
            "posted_to": publication.posted_to.isoformat(),
            "days": (publication.posted_to - publication.posted_from).days + 1,
            "posted_where": publication.posted_where, "created_by": publication.created_by_name,
            "created_at": publication.created_at.isoformat(),
            "lines": [line_json(line) for line in publication.lines]}


def line_json(line: PublicationLine) -> dict:
    return {"line": line.id, "line_no": line.line_no, "kind": line.kind, "name": line.name,
            # Not "id_number": the answer's masking (archive.records.masking) would mask it again.
            "id_number_masked": line.id_number, "township": line.township, "village": line.village,
            "claim_type": line.claim_type, "amount": yuan_text(line.amount_fen), "paid": line.paid}


def publication_notice_csv(publication: Publication, labels: Mapping[str, str] = ZH_LABELS,
                           type_label: Callable[[str], str] = str) -> str:
    """The notice's lines as CSV (UTF-8 with BOM), for the notice board's printout."""
    rows = [[line.line_no, labels[line.kind], line.name, line.id_number, line.township, line.village,
             type_label(line.claim_type), yuan_text(line.amount_fen), labels["yes" if line.paid else "no"]]
            for line in publication.lines]
    out = io.StringIO()
    write_csv(out, [labels["line"], labels["kind"], labels["name"], labels["id_number"], labels["township"],
                    labels["village"], labels["claim_type"], labels["amount"], labels["paid"]], rows)
    return out.getvalue()
