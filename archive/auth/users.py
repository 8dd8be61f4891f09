"""Accounts, argon2 password hashes and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from archive.auth.permissions import SYSTEM_ROLE, roles
from archive.models import ApiToken, AuditEvent, User
from archive.models.types import utcnow
from archive.records import audit

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AuthError(Exception):
    """Sign-in failed; the message never says whether the user exists."""


class AccountLocked(AuthError):
    """Too many failed sign-ins in a row: the account refuses every password until `until`."""

    def __init__(self, until: datetime):
        super().__init__(f"account locked until {until.isoformat(timespec='minutes')}")
        self.until = until


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_failures` wrong passwords in a row the account is locked for `minutes`."""

    max_failures: int = 5
    minutes: int = 15

    @classmethod
    def from_settings(cls, settings) -> LockoutPolicy:
        return cls(max_failures=int(settings.get("login.max_failures", cls.max_failures)),
                   minutes=int(settings.get("login.lockout_minutes", cls.minutes)))


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
    user.failed_logins = 0  # a new password from an admin also lifts a lockout
    audit.record(session, "user.password_set", actor=actor, target=user)


def authenticate(session: Session, username: str, password: str, *,
                 policy: LockoutPolicy = LockoutPolicy(), now: datetime | None = None) -> User:
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        audit.record(session, "auth.login_failed", actor=None, details={"username": username[:64]})
        raise AuthError("wrong username or password")
    if user.failed_logins >= policy.max_failures:
        until = _last_failed_login(session, user) + timedelta(minutes=policy.minutes)
        if now < until:
            # Refused before the password is even checked, so guessing on cannot succeed.
            audit.record(session, "auth.login_locked", actor=user, target=user,
                         details={"until": until.isoformat()})
            raise AccountLocked(until)
        user.failed_logins = 0  # the lockout has run out: count afresh
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        audit.record(session, "auth.login_failed", actor=user, target=user,
                     details={"failures_in_a_row": user.failed_logins})
        if user.failed_logins == policy.max_failures:
            audit.record(session, "auth.lockout", actor=None, target=user,
                         details={"minutes": policy.minutes})
        raise AuthError("wrong username or password")
    user.failed_logins = 0
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, "auth.login", actor=user, target=user)
    return user


def _last_failed_login(session: Session, user: User) -> datetime:
    # The trail is the record of failures: no second clock to keep in step with it.
    last = session.scalar(
        select(func.max(AuditEvent.occurred_at)).where(
            AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id),
            AuditEvent.action == "auth.login_failed"))
    return last if last is not None else utcnow()


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
