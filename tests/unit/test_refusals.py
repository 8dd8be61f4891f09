"""One refusal type: every package's refusals are `archive.errors.Refusal`s, carrying a status, a
stable code and a template translated when shown (not when raised)."""

from __future__ import annotations

import pytest
from babel.support import Translations

from archive.access import NotFound
from archive.auth import Forbidden
from archive.config import REPO_ROOT
from archive.errors import Refusal
from archive.intake import Rejected
from archive.intake.field_corrections import UntakableValue
from archive.records.errors import CaseFrozen, NotPermitted
from archive.search import BadParameter
from archive.signoff import WorkflowError
from archive.signoff.errors import Conflict, NotAllowed
from archive.web.api import Unauthorized

ZH = Translations.load(str(REPO_ROOT / "archive" / "translations"), ["zh_Hans_CN"])


@pytest.mark.parametrize(("refusal", "status", "code"), [
    (Rejected("not a PDF", code="wrong_type", status=415), 415, "wrong_type"),
    (CaseFrozen("The case is under a legal hold."), 423, "case_on_hold"),
    (NotPermitted("no"), 403, "not_permitted"),
    (UntakableValue("%(value)s: %(why)s", value="x", why="it is not a date"), 422, "invalid"),
    (WorkflowError("bad"), 400, "workflow_error"),
    (NotAllowed("no"), 403, "not_allowed"),
    (Conflict("late"), 409, "conflict"),
    (NotFound("no case 2026-000001"), 404, "not_found"),
    (Forbidden("case.edit"), 403, "forbidden"),
    (BadParameter("date_from", "not a date"), 400, "bad_parameter"),
    (Unauthorized("a valid API token is required"), 401, "unauthorized"),
])
def test_every_refusal_is_one_type_with_status_and_code(refusal, status, code):
    assert isinstance(refusal, Refusal)
    assert (refusal.status, refusal.code) == (status, code)
    assert str(refusal) == refusal.message()  # the CLI's one line: the English text


def test_the_text_is_translated_when_shown_not_when_raised():
    refusal = Forbidden("case.edit")
    assert str(refusal) == "Your role does not allow this action (case.edit)."
    assert refusal.message(ZH.gettext) == "您的角色无权执行此操作（case.edit）。"
    missing = NotFound("no case 2026-000001")
    assert "2026-000001" in missing.message(ZH.gettext) and "Not found" not in missing.message(ZH.gettext)


def test_a_search_parameter_refusal_is_still_a_value_error():
    # Callers that parse parameters catch ValueError; the refusal must not slip past them.
    with pytest.raises(ValueError):
        raise BadParameter("q", "too long")
