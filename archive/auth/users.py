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

from archive import audit
from archive.auth.passwords import PasswordPolicy
from archive.auth.permissions import SYSTEM_ROLE, require, roles
from archive.models import ApiToken, AuditEvent, User
from archive.models.types import utcnow

# The account behind the command line, the jobs and the demo: it acts for the agency as a whole
# and cannot sign in (its role is SYSTEM_ROLE). Created by `archive init`.
SYSTEM_USERNAME = "system"

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
                password: str | None, actor: User | None = None,
                policy: PasswordPolicy | None = None) -> User:
    """`password` None makes an account no password opens (the system account)."""
    if role not in roles() and role != SYSTEM_ROLE:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(roles())}")
    if password is not None:
        (policy or PasswordPolicy()).check(password, username=username)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=_hasher.hash(password if password is not None else secrets.token_urlsafe(32)),
        is_active=role != SYSTEM_ROLE,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor=actor, target=user,
                 details={"username": username, "role": role})
    return user


def set_password(session: Session, user: User, password: str, *, actor: User | None,
                 policy: PasswordPolicy | None = None) -> None:
    """`actor` None is the command line's bootstrap (`archive user create`)."""
    if actor is not None and actor.id != user.id:
        require(actor, "user.manage")
    (policy or PasswordPolicy()).check(password, username=user.username)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0  # a new password from an admin also lifts a lockout
    end_sessions(user)  # whoever knew the old password is signed out everywhere
    audit.record(session, "user.password_set", actor=actor, target=user)


def end_sessions(user: User) -> None:
    """Every browser session of `user` stops working at its next request (see web.auth)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def authenticate(session: Session, username: str, password: str, *,
                 policy: LockoutPolicy = LockoutPolicy(), now: datetime | None = None) -> User:
    """The user, or AuthError. AccountLocked is for the trail and the caller's log only: a desk
    must answer it exactly as any other failure, or it tells which usernames exist (an unknown
    name is never locked) and, were the right password answered differently, turns the lockout
    into an oracle for guessing on."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        audit.record(session, "auth.login_failed", actor=None, details={"username": username[:64]})
        raise AuthError("wrong username or password")
    until = None
    if user.failed_logins >= policy.max_failures:
        until = _last_failed_login(session, user) + timedelta(minutes=policy.minutes)
        if now >= until:
            user.failed_logins = 0  # the lockout has run out: count afresh
            until = None
    # Checked even while locked, so that a locked account answers as slowly as any other.
    matched = _verify(user.password_hash, password)
    if until is not None:
        # Refused whatever the password, so guessing on cannot succeed.
        audit.record(session, "auth.login_locked", actor=user, target=user,
                     details={"until": until.isoformat(), "password_matched": matched})
        raise AccountLocked(until)
    if not matched:
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


class TokenRefused(ValueError):
    """A token may only be issued by the person it acts for (or the installation's own tools)."""


def issue_api_token(session: Session, user: User, *, name: str, actor: User | None) -> str:
    """A new token for `user`, shown once; only its hash is stored.

    A token acts as its holder, signatures included, so nobody else may mint one: an
    administrator who could would sign as anyone. `actor` None or the system account is the
    installation's own tooling (the CLI on the server, whose operator holds the database
    credentials anyway); both are recorded as the issuer.
    """
    if actor is not None and actor.id != user.id and actor.role != SYSTEM_ROLE:
        raise TokenRefused(f"{actor.username} may not issue a token for {user.username}: "
                           "a token acts as its holder, who issues it on their own page")
    token = "arc_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token),
                   issued_by_id=getattr(actor, "id", None))
    session.add(row)
    session.flush()
    audit.record(session, "api_token.issue", actor=actor, target=user,
                 details={"name": name, "token_id": row.id})
    return token


def api_token(session: Session, token: str) -> ApiToken | None:
    """The valid token row (with its active holder) that `token` is, or None."""
    row = session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))  # one round trip per API request
        .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # once a minute is enough to see which scanners are alive
    return row


def user_for_token(session: Session, token: str) -> User | None:
    row = api_token(session, token)
    return row.user if row is not None else None


def system_user(session: Session) -> User | None:
    return session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
