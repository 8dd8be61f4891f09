"""Appending audit events, in the caller's transaction."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from archive.models import AuditEvent


@dataclass(frozen=True)
class Origin:
    """Where an action came from: set once per request, CLI command or job."""

    channel: str  # web, api, cli, job
    request_id: str | None = None
    ip_address: str | None = None


# Origin is frozen, so sharing one default instance is safe.
current_origin: ContextVar[Origin] = ContextVar("current_origin", default=Origin("internal"))  # noqa: B039


def record(session: Session, action: str, *, actor=None, target=None,
           details: dict[str, Any] | None = None) -> AuditEvent:
    origin = current_origin.get()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "anonymous",
        action=action,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=_target_id(target),
        details={"channel": origin.channel, **(details or {})},
        request_id=origin.request_id,
        ip_address=origin.ip_address,
    )
    session.add(event)
    return event


def _target_id(target) -> str | None:
    if target is None:
        return None
    return str(getattr(target, "case_no", None) or target.id)
