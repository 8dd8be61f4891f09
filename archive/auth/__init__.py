"""Users, passwords, API tokens and what each role may do."""

from archive.auth.permissions import (
    Forbidden,
    can,
    clearance_of,
    require,
    role_clearance,
    role_label,
    roles,
)
from archive.auth.users import (
    AccountLocked,
    AuthError,
    LockoutPolicy,
    authenticate,
    create_user,
    issue_api_token,
    set_password,
    user_for_token,
)

__all__ = [
    "AccountLocked",
    "AuthError",
    "LockoutPolicy",
    "Forbidden",
    "authenticate",
    "can",
    "clearance_of",
    "create_user",
    "issue_api_token",
    "require",
    "role_clearance",
    "role_label",
    "roles",
    "set_password",
    "user_for_token",
]
