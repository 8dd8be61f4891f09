"""The one password policy, checked by every path that sets a password (admin desk, CLI, demo).

Rules a person can follow and a desk can explain, rather than a strength score: a minimum
length, more than one kind of character, no character or short pattern repeated over and over,
and nothing from the list of passwords attackers try first (common_passwords.txt beside this
file, which the agency can extend). Settings: `[passwords]` in the configuration.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
MAX_LENGTH = 256  # argon2 hashes any length; a cap keeps one sign-in from costing much more


class WeakPassword(ValueError):
    """A password the policy refuses; `code` and `params` let each desk say why in its language."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 10
    min_kinds: int = 2
    min_distinct: int = 5

    @classmethod
    def from_settings(cls, settings) -> PasswordPolicy:
        return cls(min_length=int(settings.get("passwords.min_length", cls.min_length)),
                   min_kinds=int(settings.get("passwords.min_kinds", cls.min_kinds)),
                   min_distinct=int(settings.get("passwords.min_distinct", cls.min_distinct)))

    def check(self, password: str, *, username: str | None = None) -> None:
        """Raise WeakPassword with the first rule `password` breaks."""
        if len(password) < self.min_length:
            raise WeakPassword("too_short", f"a password needs at least {self.min_length} characters",
                               n=self.min_length)
        if len(password) > MAX_LENGTH:
            raise WeakPassword("too_long", f"a password may have at most {MAX_LENGTH} characters",
                               n=MAX_LENGTH)
        if _kinds(password) < self.min_kinds or len(set(password)) < self.min_distinct:
            raise WeakPassword("too_simple", "a password needs characters of at least "
                               f"{self.min_kinds} kinds (lower-case letters, capitals, digits, other "
                               f"signs) and at least {self.min_distinct} different characters",
                               kinds=self.min_kinds, distinct=self.min_distinct)
        if is_common(password):
            raise WeakPassword("common", "this password is on the list of commonly used passwords")
        if username and len(username) >= 3 and username.lower() in password.lower():
            raise WeakPassword("username", "a password may not contain the username")

    def generate(self) -> str:
        """A random password this policy accepts (demo accounts)."""
        length = max(self.min_length, 12)
        while True:
            candidate = secrets.token_urlsafe(length)[:length]
            try:
                self.check(candidate)
            except WeakPassword:
                continue
            return candidate


def _kinds(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.isalpha() and (c.islower() or c.isupper())) and not c.isdigit()
                for c in password)
    return lower + upper + digit + other


@cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """On the list as it is, or once the digits and signs people pad with are taken off its ends
    ("Password123!", "2024qwerty") or a word typed twice ("qwertyqwerty")."""
    lowered = password.lower()
    padding = string.digits + string.punctuation + " "
    core = lowered.strip(padding)
    half = len(lowered) // 2
    doubled = lowered[:half] if len(lowered) % 2 == 0 and lowered[:half] == lowered[half:] else None
    return any(candidate in _common() for candidate in (lowered, core, doubled) if candidate)
