"""Accepting files and opening cases."""

from archive.intake.cases import open_case
from archive.intake.service import Incoming, IntakeResult, ingest, ingest_many, to_process
from archive.intake.validate import Limits, Rejected

__all__ = ["Incoming", "IntakeResult", "Limits", "Rejected", "ingest", "ingest_many", "open_case",
           "to_process"]
