"""The money of a claim: claimed from the invoices, eligible and approved from the policy
(storage_config/policy.toml), paid as approved.

Public API — other packages use only these names.
"""

from archive.claims.batches import Batch, bind_batch, payment_batch
from archive.claims.money import Claimed, amount_findings, claimed_amount, routing_amount
from archive.claims.policy import Claim, Computation, Line, Policy, PolicyError, compute, policy_book
from archive.claims.service import CaseMoney, case_money, money_content, view_money

__all__ = [
    "Batch",
    "CaseMoney",
    "Claim",
    "Claimed",
    "Computation",
    "Line",
    "Policy",
    "PolicyError",
    "amount_findings",
    "bind_batch",
    "case_money",
    "claimed_amount",
    "compute",
    "money_content",
    "payment_batch",
    "policy_book",
    "routing_amount",
    "view_money",
]
