"""Why a workflow action was refused, in words the desk can translate.

Each error carries a message template (marked for translation with `_`, which here only marks
it) and its parameters; `str(error)` is the English text, and the web layer renders the
translated one (`message`). The HTTP status belongs to the kind of refusal.
"""

from __future__ import annotations

from archive.errors import Refusal, _  # noqa: F401  (`_` marks messages, re-exported)


class WorkflowError(Refusal):
    status = 400
    code = "workflow_error"


class NotAllowed(WorkflowError):
    """The user may not act here: wrong role, or separation of duties (HTTP 403)."""

    status = 403
    code = "not_allowed"


class Conflict(WorkflowError):
    """The case is not where the user thinks: another decision came first, or a wrong step (409)."""

    status = 409
    code = "conflict"


class Incomplete(WorkflowError):
    """The decision lacks something it needs: an opinion, a finding, a document (HTTP 422)."""

    status = 422
    code = "incomplete"


class OpinionRequired(Incomplete):
    code = "opinion_required"


class NoChain(WorkflowError):
    """No sign-off chain applies to the case as it stands (HTTP 422)."""

    status = 422
    code = "no_chain"


class BadRequest(WorkflowError):
    """A parameter that cannot be used, e.g. a month that is not YYYY-MM (HTTP 400)."""

    status = 400
    code = "bad_request"
