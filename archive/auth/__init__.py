"""Users, passwords, API tokens and what each role may do."""

from archive.auth.permissions import Forbidden, can, require, role_label, roles
from archive.auth.users import (
    AuthError,
    authenticate,
    create_user,
    issue_api_token,
    set_password,
    user_for_token,
)

__all__ = [
    "AuthError",
    "Forbidden",
    "authenticate",
    "can",
    "create_user",
    "issue_api_token",
    "require",
    "role_label",
    "roles",
    "set_password",
    "user_for_token",
]
