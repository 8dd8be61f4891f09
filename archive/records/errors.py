"""Why a records action was refused, in words the desk can translate.

Each error is an `intake.Rejected` (so the CLI prints its one line and API callers get its
status and code) that also carries its message template, marked with `_` for extraction; the
web layer renders the translated text (`message`).
"""

from __future__ import annotations

from typing import Any

from archive.errors import Refusal, _  # noqa: F401  (`_` marks messages, re-exported)
from archive.files.validate import Rejected


class RecordsError(Rejected):
    status = 409
    code = "records_conflict"

    def __init__(self, template: str, **params: Any):
        Refusal.__init__(self, template, **params)  # the status and code are the class's
        self.reason = self.message()


class CaseUnchangeable(RecordsError):
    """The case may not change now (archive.records.case_guard): the subclass says why — under legal
    hold (423), filed (409), closed (409) or destroyed (410). Catch this one to catch them all."""

    action: str | None = None  # the change refused (a key of archive.records.case_guard.STOPPED_BY)


class CaseFrozen(CaseUnchangeable):
    """A legal hold freezes the case: no edits, uploads, sign-off or destruction (HTTP 423 Locked)."""

    status = 423
    code = "case_on_hold"


class CaseFiled(CaseUnchangeable):
    """The case is filed in the archive and can no longer change (HTTP 409)."""

    code = "case_filed"


class CaseClosed(CaseUnchangeable):
    """The case's sign-off is over (rejected, paid, or approved with nothing to follow): it and
    its documents no longer change (HTTP 409)."""

    code = "case_closed"


class CaseDestroyed(CaseUnchangeable):
    """The case's originals were destroyed; only its metadata remains (HTTP 410 Gone)."""

    status = 410
    code = "case_destroyed"


class OriginalDamaged(RecordsError):
    """The stored bytes of an original no longer match the sha256 taken at intake, or are gone:
    never served as if sound (HTTP 500: the fault is ours, and it is reported)."""

    status = 500
    code = "original_damaged"


class NotPermitted(RecordsError):
    """The user may not take this step here, e.g. approve their own decision (HTTP 403)."""

    status = 403
    code = "not_permitted"


class Invalid(RecordsError):
    """Something the action needs is missing or wrong (HTTP 422)."""

    status = 422
    code = "invalid"


class RecordCheckFailed(RecordsError):
    """The four-property check (四性检测) found a failure: the record is not filed (HTTP 409)."""

    code = "four_properties_failed"
