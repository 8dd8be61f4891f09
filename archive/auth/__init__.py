"""Users, passwords, API tokens and what each role may do."""

from archive.auth.passwords import PasswordPolicy, WeakPassword
from archive.auth.permissions import (
    Forbidden,
    can,
    clearance_of,
    require,
    role_clearance,
    role_label,
    roles,
    scope_kind,
)
from archive.auth.users import (
    AccountLocked,
    AuthError,
    LockoutPolicy,
    TokenRefused,
    api_token,
    authenticate,
    create_user,
    end_sessions,
    issue_api_token,
    set_password,
    system_user,
    user_for_token,
)

__all__ = [
    "AccountLocked",
    "AuthError",
    "LockoutPolicy",
    "Forbidden",
    "PasswordPolicy",
    "TokenRefused",
    "WeakPassword",
    "api_token",
    "end_sessions",
    "authenticate",
    "can",
    "clearance_of",
    "create_user",
    "issue_api_token",
    "require",
    "role_clearance",
    "role_label",
    "roles",
    "scope_kind",
    "set_password",
    "system_user",
    "user_for_token",
]
