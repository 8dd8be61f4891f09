"""A refusal: the one kind of error a person is shown, whichever package refuses and whichever
door (page, API, CLI, job) the request came through.

It carries an HTTP status, a stable code for programs, and a message template with its
parameters, so that the text is translated when it is shown, not when it is raised: the web
answers in the reader's language, the CLI and the logs in English. Intake, records, workflow,
access, permission and parameter errors all derive from it; `archive/web/errors.py` and
`archive/cli/base.py` each have one handler for all of them. A message with a number in it
("%(count)s findings") is given in its two English forms (`n_`) and takes the form for its number
in the reader's language when shown (ngettext: Chinese has one form).

A refusal about one input names it (`concerns=`, the form field's name: "opinion", "amount"),
so a page can show it beside that field whatever the message's wording; it is no message
parameter (some messages have a `%(field)s` of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


def _(message: str) -> str:
    """Marks a template for extraction; it is translated when shown (`Refusal.message`)."""
    return message


def n_(singular: str, plural: str, counted: str = "count") -> Plural:
    """Marks a template with a number in it for extraction (`pybabel extract -k n_:1,2`): the
    form for the number in parameter `counted` is chosen when shown, in the reader's language."""
    return Plural(singular, plural, counted)


class Plural(NamedTuple):
    singular: str
    plural: str
    counted: str


def _same(text: str) -> str:
    return text


def _english_forms(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def _page_forms() -> Callable[[str, str, int], str] | None:
    """The reader's plural forms when a page is answering (the web handler passes them itself)."""
    from flask import has_request_context

    if not has_request_context():
        return None
    from flask_babel import get_translations

    return get_translations().ngettext


def template_text(template: str | Plural, params: dict[str, Any],
                  translate: Callable[[str], str],
                  ngettext: Callable[[str, str, int], str] | None = None) -> str:
    """The template in the reader's language, unfilled: a plural one (`n_`) in the form for its
    number."""
    if not isinstance(template, Plural):
        return translate(template)
    if ngettext is None:
        ngettext = _english_forms if translate is _same else (_page_forms() or _english_forms)
    return ngettext(template.singular, template.plural, int(params[template.counted]))


class Refusal(Exception):
    status = 400
    code = "refused"

    def __init__(self, template: str | Plural, /, *, concerns: str | None = None, **params: Any):
        self.template = template
        self.params = params
        self.field = concerns
        super().__init__(self.message())

    def message(self, translate: Callable[[str], str] = _same, locale: Any = "en",
                ngettext: Callable[[str, str, int], str] | None = None) -> str:
        """The text, through `translate` (gettext) and with labels in `locale`'s language; a
        template with a number (`n_`) takes its form through `ngettext` (English without one,
        or the page's catalogue when a page is answering)."""
        text = template_text(self.template, self.params, translate, ngettext)
        if not self.params:
            return text
        values = {key: value.pick(locale) if hasattr(value, "pick") else value
                  for key, value in self.params.items()}
        return text % values


class Text:
    """A template and its parameters used as a parameter of another message (a reason inside a
    refusal): translated with it, when shown."""

    def __init__(self, template: str | Plural, /, **params: Any):
        self.template, self.params = template, params

    def pick(self, locale: Any) -> str:
        translate, ngettext = _same, None
        if not str(locale).startswith("en"):
            from flask import has_request_context  # only a page answers in another language

            if has_request_context():
                from flask_babel import gettext as translate

                ngettext = _page_forms()
        text = template_text(self.template, self.params, translate, ngettext)
        return text % self.params if self.params else text

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
