"""Account administration: roles, deactivation, API tokens — each change an audit event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import audit
from archive.auth.permissions import SYSTEM_ROLE, require, role_clearance, roles, scope_kind
from archive.auth.users import end_sessions
from archive.models import ApiToken, User
from archive.models.types import utcnow
from archive.retention import schedule


class AccountError(ValueError):
    """An account change that cannot be made; `code` lets each desk say why in its language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def list_accounts(session: Session) -> list[User]:
    """Every person's account; the system account behind CLI jobs is not one to manage."""
    return list(session.scalars(select(User).where(User.role != SYSTEM_ROLE).order_by(User.username)))


def get_account(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.role != SYSTEM_ROLE else None


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def change_role(session: Session, user: User, role: str, *, actor: User) -> None:
    require(actor, "user.manage")
    if role not in roles():
        raise AccountError("unknown_role", f"unknown role {role!r}")
    _not_yourself(user, actor)
    if role == user.role:
        return
    audit.record(session, "user.role_change", actor=actor, target=user,
                 details={"from": user.role, "to": role})
    user.role = role
    end_sessions(user)  # signed in again, under the new role's menus and permissions


def set_active(session: Session, user: User, active: bool, *, actor: User) -> None:
    """Deactivating keeps the account (its signatures and history must stay attributable)."""
    require(actor, "user.manage")
    _not_yourself(user, actor)
    if active == user.is_active:
        return
    user.is_active = active
    # Sessions from before a deactivation must not come back with a reactivation.
    end_sessions(user)
    audit.record(session, "user.activate" if active else "user.deactivate", actor=actor, target=user)


def set_clearance(session: Session, user: User, clearance: int | None, *, actor: User) -> None:
    """A person's own clearance (调阅权限), or None to follow their role's default."""
    require(actor, "user.manage")
    if clearance is not None and clearance not in schedule().access_grades:
        raise AccountError("unknown_grade", f"unknown access grade {clearance!r}")
    _not_yourself(user, actor)
    if clearance == user.clearance:
        return
    audit.record(session, "user.clearance", actor=actor, target=user, details={
        "from": user.clearance, "to": clearance, "role_default": role_clearance(user.role)})
    user.clearance = clearance


def set_scope(session: Session, user: User, *, hospital: str | None = None,
              township: str | None = None, village: str | None = None, actor: User) -> None:
    """The part of the county a person outside the agency works for (archive.access): a hospital
    clerk's hospital, a village officer's village (and its township), a township officer's
    township. Empty values clear it: such a person then sees no case."""
    require(actor, "user.manage")
    kind = scope_kind(user.role)
    if kind is None:
        raise AccountError("not_scoped", f"role {user.role} is not scoped (storage_config/roles.toml "
                           "[scopes])")
    _not_yourself(user, actor)
    chosen = {"hospital": _text(hospital, 128), "township": _text(township, 64),
              "village": _text(village, 64)}
    if kind == "hospital":
        chosen["township"] = chosen["village"] = None
    elif kind == "township":
        chosen["hospital"] = chosen["village"] = None
    else:
        chosen["hospital"] = None
    before = {"hospital": user.scope_hospital, "township": user.scope_township,
              "village": user.scope_village}
    if chosen == before:
        return
    audit.record(session, "user.scope", actor=actor, target=user,
                 details={"kind": kind, "from": before, "to": chosen})
    user.scope_hospital, user.scope_township, user.scope_village = (
        chosen["hospital"], chosen["township"], chosen["village"])


def _text(value: str | None, length: int) -> str | None:
    return (value or "").strip()[:length] or None


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc())))


def revoke_api_token(session: Session, user: User, token_id: int, *, actor: User) -> ApiToken:
    """One's own token, or anyone's by an administrator (a leaked token is stopped at once)."""
    if actor.id != user.id:
        require(actor, "user.manage")
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError("no_token", f"user {user.username} has no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api_token.revoke", actor=actor, target=user,
                     details={"token_id": token.id, "name": token.name})
    return token


def _not_yourself(user: User, actor: User) -> None:
    # Keeps the last administrator from locking everyone out with one click.
    if user.id == actor.id:
        raise AccountError("yourself", "you cannot change your own role, clearance or active state")
