"""One refusal type: every package's refusals are `archive.errors.Refusal`s, carrying a status, a
stable code and a template translated when shown (not when raised)."""

from __future__ import annotations

import pytest
from babel.support import Translations
from flask import Flask
from flask_babel import Babel

from archive.access import NotFound
from archive.auth import Forbidden
from archive.config import REPO_ROOT
from archive.errors import Refusal, n_
from archive.intake import Rejected
from archive.intake.field_corrections import UntakableValue
from archive.notices.objections import TOO_LONG
from archive.records.errors import CaseFrozen, NotPermitted
from archive.search import BadParameter
from archive.signoff import WorkflowError
from archive.signoff.errors import Conflict, Incomplete, NotAllowed
from archive.web import errors as web_errors
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


def test_a_message_with_a_number_takes_the_form_of_its_number():
    # English (the CLI and the logs) has two forms, Chinese one: the form is chosen when shown.
    one, two = Incomplete(TOO_LONG, limit=1), Incomplete(TOO_LONG, limit=2)
    assert str(one) == "The text is longer than 1 character."
    assert str(two) == "The text is longer than 2 characters."
    assert one.message(ZH.gettext, "zh_CN", ZH.ngettext) == "内容超过 1 个字符。"
    assert two.message(ZH.gettext, "zh_CN", ZH.ngettext) == "内容超过 2 个字符。"
    reason = BadParameter("q", n_("longer than %(most)s character", "longer than %(most)s characters",
                                  "most"), most=1)
    assert str(reason) == "q: longer than 1 character"


@pytest.mark.parametrize(("lang", "limit", "text"), [
    ("en", 1, "The text is longer than 1 character."),
    ("en", 2, "The text is longer than 2 characters."),
    ("zh_Hans_CN", 2, "内容超过 2 个字符。"),
])
def test_the_web_answers_a_number_in_its_form_and_the_readers_language(lang, limit, text):
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: lang,
          default_translation_directories=str(REPO_ROOT / "archive" / "translations"))
    web_errors.register(app)

    @app.route("/api/objection")
    def too_long():
        raise Incomplete(TOO_LONG, limit=limit)

    reply = app.test_client().get("/api/objection")
    assert (reply.status_code, reply.json["message"]) == (Incomplete.status, text)
