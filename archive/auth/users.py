"""Accounts, argon2 password hashes and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from archive.auth.permissions import SYSTEM_ROLE, roles
from archive.models import ApiToken, User
from archive.models.types import utcnow
from archive.records import audit

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AuthError(Exception):
    """Sign-in failed; the message never says whether the user exists."""


def create_user(session: Session, *, username: str, display_name: str, role: str,
                password: str | None, actor: User | None = None) -> User:
    if role not in roles() and role != SYSTEM_ROLE:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(roles())}")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        # A system account gets a hash no password matches.
        password_hash=_hasher.hash(password or secrets.token_urlsafe(32)),
        is_active=role != SYSTEM_ROLE,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor=actor, target=user,
                 details={"username": username, "role": role})
    return user


def set_password(session: Session, user: User, password: str, *, actor: User | None) -> None:
    user.password_hash = _hasher.hash(password)
    audit.record(session, "user.password_set", actor=actor, target=user)


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        audit.record(session, "auth.login_failed", actor=None, details={"username": username[:64]})
        raise AuthError("wrong username or password")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        audit.record(session, "auth.login_failed", actor=user, target=user)
        raise AuthError("wrong username or password")
    user.failed_logins = 0
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, "auth.login", actor=user, target=user)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, user: User, *, name: str, actor: User | None) -> str:
    """A new token, shown once; only its hash is stored."""
    token = "arc_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token)))
    audit.record(session, "api_token.issue", actor=actor, target=user, details={"name": name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))  # one round trip per API request
        .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # once a minute is enough to see which scanners are alive
    return row.user
