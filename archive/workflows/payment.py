"""Paid must equal approved (实付 = 核定): the check at the payment chain's cashier step.

The cashier's `amount_paid` equal to the case's approved amount is accepted; more is refused;
less is a partial payment, accepted only with its reason (the finding `partial_reason`), and
the accountant then approves it only with an opinion. The approved amount the payment was
checked against is recorded with the cashier's signature.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.claims.money import fen_of
from archive.claims.policy import yuan_text
from archive.claims.service import AMOUNT_PAID, case_money
from archive.models import Case, SignOff, WorkflowInstance
from archive.notices.objections import refuse_held_payment
from archive.signoff.definitions import registry
from archive.signoff.errors import Incomplete, OpinionRequired, _
from archive.signoff.steps import Label, Step

PARTIAL_REASON = "partial_reason"
VOUCHER_NUMBER = "voucher_number"  # 支付凭证号: one voucher pays one case
APPROVED_AMOUNT = "approved_amount"


def payment_findings(session: Session, case: Case, instance: WorkflowInstance, step: Step,
                     recorded: Mapping[str, object], opinion: str | None) -> dict[str, str]:
    """Refuse an approval at a payment step that would pay other than approved; the findings
    to record with it besides the signer's own."""
    if registry().get(instance.definition).done_status != "paid":
        return {}
    refuse_held_payment(session, case)  # an open objection to the notice (公示异议) holds it: 409
    if not any(f.name == AMOUNT_PAID for f in step.findings):
        _refuse_unexplained_partial(session, instance, opinion)
        return {}
    paid = fen_of(recorded.get(AMOUNT_PAID))
    if paid is None:
        return {}  # not recorded: the step's own findings check says so
    _refuse_voucher_used(session, case, step, str(recorded.get(VOUCHER_NUMBER) or "").strip())
    money = case_money(session, case)
    approved = money.approved_fen
    if approved is None:
        why = money.unavailable or Label("无核定金额", "no approved amount")
        raise Incomplete(_("Case %(case_no)s has no approved amount to pay (%(why)s)."),
                         case_no=case.case_no, why=why)
    if paid > approved:
        raise Incomplete(_("The amount paid (%(paid)s yuan) differs from the approved amount "
                           "(%(approved)s yuan): a payment never exceeds what was approved."),
                         paid=yuan_text(paid), approved=yuan_text(approved))
    extra = {APPROVED_AMOUNT: yuan_text(approved)}
    if paid < approved:
        if not str(recorded.get(PARTIAL_REASON) or "").strip():
            raise Incomplete(_("The amount paid (%(paid)s yuan) differs from the approved amount "
                               "(%(approved)s yuan). Pay the approved amount, or give the reason "
                               "for a partial payment, which the accountant must approve."),
                             paid=yuan_text(paid), approved=yuan_text(approved))
        extra["partial"] = "true"
    return extra


def _refuse_voucher_used(session: Session, case: Case, step: Step, voucher: str) -> None:
    """A payment voucher (支付凭单) already recorded for another case's payment is not used again:
    the same voucher twice is the same money paid twice, or a typing error."""
    if not voucher:
        return
    other = session.execute(
        select(Case.case_no).join(SignOff, SignOff.case_id == Case.id)
        .where(SignOff.step == step.id, SignOff.decision == "approve", SignOff.case_id != case.id,
               SignOff.findings[VOUCHER_NUMBER].as_string() == voucher).limit(1)).scalar()
    if other is not None:
        raise Incomplete(_("Payment voucher %(voucher)s was already recorded for case %(other)s."),
                         voucher=voucher, other=other)


def _refuse_unexplained_partial(session: Session, instance: WorkflowInstance, opinion: str | None) -> None:
    """After the cashier: a partial payment is approved only with the approver's opinion."""
    ids = list(instance.signed.values())
    if not ids or opinion:
        return
    for findings in session.scalars(select(SignOff.findings).where(SignOff.id.in_(ids))):
        if (findings or {}).get("partial"):
            raise OpinionRequired(_("The cashier recorded a partial payment (%(paid)s of %(approved)s "
                                    "yuan, reason: %(reason)s): approve it with your opinion."),
                                  paid=findings.get(AMOUNT_PAID), approved=findings.get(APPROVED_AMOUNT),
                                  reason=findings.get(PARTIAL_REASON), concerns="opinion")
