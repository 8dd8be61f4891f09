"""Accepting files and opening cases."""

from archive.files.validate import Limits, Rejected
from archive.intake.cases import open_case
from archive.intake.service import Incoming, IntakeResult, ingest, ingest_many, to_process

__all__ = ["Incoming", "IntakeResult", "Limits", "Rejected", "ingest", "ingest_many", "open_case",
           "to_process"]
