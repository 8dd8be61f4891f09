"""What each role may do, read from storage_config/roles.toml."""

from __future__ import annotations

import tomllib
from functools import cache

from archive.config import REPO_ROOT
from archive.errors import Refusal, _

ROLES_FILE = REPO_ROOT / "storage_config" / "roles.toml"
SYSTEM_ROLE = "system"  # the account behind CLI and demo actions; cannot sign in


class Forbidden(Refusal):
    """The user's role does not allow this action."""

    status = 403
    code = "forbidden"

    def __init__(self, permission: str):
        super().__init__(_("Your role does not allow this action (%(permission)s)."),
                         permission=permission)


SCOPE_KINDS = ("hospital", "village", "township")


@cache
def _policy() -> dict:
    policy = tomllib.loads(ROLES_FILE.read_text(encoding="utf-8"))
    _check_scopes(policy)
    return policy


def _check_scopes(policy: dict) -> None:
    """A scoped role is one outside the agency: it may never see full identifiers."""
    for role, kind in policy.get("scopes", {}).items():
        if role not in policy["roles"] or kind not in SCOPE_KINDS:
            raise ValueError(f"{ROLES_FILE}: [scopes] {role} = {kind!r}: unknown role or scope "
                             f"(one of {', '.join(SCOPE_KINDS)})")
        if role in policy["permissions"].get("identifiers.view", []):
            raise ValueError(f"{ROLES_FILE}: {role} is scoped ([scopes]) and may not hold "
                             "identifiers.view")


def scope_kind(role: str) -> str | None:
    """"hospital", "village" or "township" for a role outside the agency, None for the agency's."""
    return _policy().get("scopes", {}).get(role)


def roles() -> dict[str, dict[str, str]]:
    return _policy()["roles"]


def permissions() -> frozenset[str]:
    """Every permission roles.toml defines."""
    return frozenset(_policy()["permissions"])


def can(user, permission: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == SYSTEM_ROLE:
        return True
    allowed = _policy()["permissions"].get(permission)
    if allowed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return user.role in allowed


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise Forbidden(permission)


def role_clearance(role: str) -> int:
    """The clearance (调阅权限) a role has by default: storage_config/roles.toml [clearances]."""
    table = _policy().get("clearances", {})
    return int(table.get(role, table.get("default", 1)))


def clearance_of(user) -> int:
    """The highest record access grade `user` may consult: their own setting, else their role's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    if user.role == SYSTEM_ROLE:
        return 1_000  # CLI and jobs act for the agency as a whole
    own = getattr(user, "clearance", None)
    return int(own) if own is not None else role_clearance(user.role)


def role_label(role: str, locale: str = "zh_CN") -> str:
    names = roles().get(role)
    if not names:
        return role
    return names["en"] if locale.startswith("en") else names["zh"]
