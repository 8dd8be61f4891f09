"""Accepting files and opening cases."""

from archive.intake.cases import open_case
from archive.intake.service import IntakeResult, ingest
from archive.intake.validate import Limits, Rejected

__all__ = ["IntakeResult", "Limits", "Rejected", "ingest", "open_case"]
