from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base
from archive.models.types import UTCDateTime, utcnow


class User(Base):
    """A person who signs in; one role each (清算/审核 desks are separate people)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    failed_logins: Mapped[int] = mapped_column(default=0)
    # 调阅权限: the highest record access grade this person may consult; None means the default
    # of their role (storage_config/roles.toml [clearances]).
    clearance: Mapped[int | None]
    # The part of the county an external user works for (storage_config/roles.toml [scopes]):
    # a hospital clerk's hospital, a village officer's village (in its township), a township
    # officer's township. Such a user sees only the cases of it, none while it is not set.
    scope_hospital: Mapped[str | None] = mapped_column(String(128))
    scope_township: Mapped[str | None] = mapped_column(String(64))
    scope_village: Mapped[str | None] = mapped_column(String(64))
    # Stored in the session at sign-in and compared on every request: raising it ends every
    # session of this person at once (sign-out, new password, deactivation, role change).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", foreign_keys="ApiToken.user_id")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Base):
    """A per-user token for scanner software; only its sha256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who issued it (the holder, or the system account behind the CLI): a token acts as its
    # holder, so nobody else may mint one for them.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens", foreign_keys=[user_id])
