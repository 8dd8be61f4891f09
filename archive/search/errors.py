"""What a search refuses: a parameter it cannot use, or one the user may not ask about."""

from __future__ import annotations

from archive.errors import Refusal


class BadParameter(Refusal, ValueError):
    status = 400
    code = "bad_parameter"

    def __init__(self, name: str, reason: str):
        super().__init__("%(name)s: %(reason)s", name=name, reason=reason)
        self.name, self.reason = name, reason


class IdentifierRefused(BadParameter):
    """An exact search by an identifier (ID or phone number) by someone who sees identifiers
    masked: answering it, even with "no hits", would tell them the number. The web and API
    answer 400 with a translated reason (code `identifiers_hidden`); the CLI prints the
    message."""

    code = "identifiers_hidden"

    def __init__(self, name: str):
        super().__init__(name, "searching by an ID or phone number needs the right to see "
                               "identifiers (identifiers.view); search by name, case or "
                               "invoice number instead")
