"""A refusal: the one kind of error a person is shown, whichever package refuses and whichever
door (page, API, CLI, job) the request came through.

It carries an HTTP status, a stable code for programs, and a message template with its
parameters, so that the text is translated when it is shown, not when it is raised: the web
answers in the reader's language, the CLI and the logs in English. Intake, records, workflow,
access, permission and parameter errors all derive from it; `archive/web/errors.py` and
`archive/cli/base.py` each have one handler for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _(message: str) -> str:
    """Marks a template for extraction; it is translated when shown (`Refusal.message`)."""
    return message


def _same(text: str) -> str:
    return text


class Refusal(Exception):
    status = 400
    code = "refused"

    def __init__(self, template: str, /, **params: Any):
        self.template = template
        self.params = params
        super().__init__(self.message())

    def message(self, translate: Callable[[str], str] = _same, locale: Any = "en") -> str:
        """The text, through `translate` (gettext) and with labels in `locale`'s language."""
        if not self.params:
            return translate(self.template)
        values = {key: value.pick(locale) if hasattr(value, "pick") else value
                  for key, value in self.params.items()}
        return translate(self.template) % values


class Text:
    """A template and its parameters used as a parameter of another message (a reason inside a
    refusal): translated with it, when shown."""

    def __init__(self, template: str, /, **params: Any):
        self.template, self.params = template, params

    def pick(self, locale: Any) -> str:
        translate = _same
        if not str(locale).startswith("en"):
            from flask import has_request_context  # only a page answers in another language

            if has_request_context():
                from flask_babel import gettext as translate
        return translate(self.template) % self.params if self.params else translate(self.template)

    def __str__(self) -> str:
        return self.pick("en")


def number_problem(exc: Exception) -> Text:
    """Why python-stdnum refused a number (USCC, ID number), as a translatable reason: its own
    messages are English only."""
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    if isinstance(exc, InvalidChecksum):
        return Text(_("the number's checksum or check digit is invalid"))
    if isinstance(exc, InvalidLength):
        return Text(_("the number has an invalid length"))
    if isinstance(exc, InvalidFormat):
        return Text(_("the number has an invalid format"))
    if isinstance(exc, InvalidComponent):
        return Text(_("one of the parts of the number is invalid"))
    return Text(_("the number is not valid"))
