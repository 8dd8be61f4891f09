"""What a search refuses: a parameter it cannot use, or one the user may not ask about."""

from __future__ import annotations

from archive.errors import Refusal, Text, _


class BadParameter(Refusal, ValueError):
    status = 400
    code = "bad_parameter"

    def __init__(self, name: str, reason: str, **params):
        # `reason` is a template filled with `params` when shown, in the reader's language.
        self.name, self.reason_text = name, Text(reason, **params)
        self.reason = str(self.reason_text)
        super().__init__("%(name)s: %(reason)s", name=name, reason=self.reason_text)


class IdentifierRefused(BadParameter):
    """An exact search by an identifier (ID or phone number) by someone who sees identifiers
    masked: answering it, even with "no hits", would tell them the number. The web and API
    answer 400 with a translated reason (code `identifiers_hidden`); the CLI prints the
    message."""

    code = "identifiers_hidden"

    def __init__(self, name: str):
        super().__init__(name, _("searching by an ID or phone number needs the right to see "
                                 "identifiers (identifiers.view); search by name, case or "
                                 "invoice number instead"))
