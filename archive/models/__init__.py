"""The database schema. Import models from here."""

from archive.db import Base
from archive.models.audit import AuditEvent
from archive.models.backscan import ArchiveVolume, BackscanRun, VolumeState
from archive.models.calendar import HolidayArrangement
from archive.models.cases import Case, Document, FieldCorrection, Page, StoredObject
from archive.models.claim_keys import ClaimKey
from archive.models.claims import AmountAdjustment, PaymentBatch
from archive.models.findings import FindingResolution
from archive.models.loans import Loan, LoanStatus
from archive.models.notices import FundIncome, Objection, Publication, PublicationLine
from archive.models.providers import (
    Provider,
    ProviderAlias,
    ProviderAssessment,
    ProviderDeduction,
    ProviderSanction,
    ProviderSettlement,
    ProviderSettlementClaim,
    ProviderSettlementFinding,
    ProviderYearEnd,
)
from archive.models.record_checks import RecordCheckFailure
from archive.models.records import (
    Appraisal,
    AppraisalStatus,
    ArchiveRecord,
    DestructionApproval,
    DestructionEntry,
    LegalHold,
    RecordState,
)
from archive.models.saved_views import SavedView
from archive.models.sequences import NumberSequence
from archive.models.spot_checks import (
    PhoneFollowUp,
    SpotCheckCommitment,
    SpotCheckDraw,
    SpotCheckFollowUp,
)
from archive.models.statistics import (
    InsuredCount,
    StatisticsDayTotal,
    StatisticsDistinctCount,
    StatisticsFact,
    StatisticsMember,
    StatisticsPeriodTotal,
)
from archive.models.users import ApiToken, User
from archive.models.workflow import RecheckOutcome, SignOff, WorkflowInstance, WorkflowStatus

__all__ = [
    "AmountAdjustment",
    "ApiToken",
    "Appraisal",
    "AppraisalStatus",
    "ArchiveRecord",
    "RecordCheckFailure",
    "AuditEvent",
    "Base",
    "Case",
    "ClaimKey",
    "DestructionApproval",
    "DestructionEntry",
    "Document",
    "FieldCorrection",
    "FindingResolution",
    "FundIncome",
    "HolidayArrangement",
    "InsuredCount",
    "StatisticsDayTotal",
    "StatisticsDistinctCount",
    "StatisticsFact",
    "StatisticsMember",
    "StatisticsPeriodTotal",
    "LegalHold",
    "Loan",
    "LoanStatus",
    "NumberSequence",
    "Objection",
    "RecheckOutcome",
    "Page",
    "PhoneFollowUp",
    "PaymentBatch",
    "Provider",
    "ProviderAlias",
    "ProviderAssessment",
    "ProviderDeduction",
    "ProviderSanction",
    "ProviderSettlement",
    "ProviderSettlementClaim",
    "ProviderSettlementFinding",
    "ProviderYearEnd",
    "Publication",
    "PublicationLine",
    "RecordState",
    "SavedView",
    "SignOff",
    "SpotCheckCommitment",
    "SpotCheckDraw",
    "SpotCheckFollowUp",
    "StoredObject",
    "User",
    "WorkflowInstance",
    "WorkflowStatus",
    "ArchiveVolume",
    "BackscanRun",
    "VolumeState",
]
