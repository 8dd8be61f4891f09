"""Account changes check the actor's permission inside the service, so the CLI, the API and
any later desk cannot skip it; a refusal changes nothing and writes no audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.auth import Forbidden
from archive.auth.accounts import change_role, revoke_api_token, set_active, set_clearance, set_scope
from archive.auth.users import issue_api_token, set_password
from archive.models import ApiToken, AuditEvent, User

CHANGES = {
    "role": lambda s, target, actor: change_role(s, target, "director", actor=actor),
    "active": lambda s, target, actor: set_active(s, target, False, actor=actor),
    "clearance": lambda s, target, actor: set_clearance(s, target, 3, actor=actor),
    "password": lambda s, target, actor: set_password(s, target, "Lang-Weilig-2026!", actor=actor),
}


def events(session) -> int:
    return session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_only_an_administrator_changes_another_persons_account(runtime, users, change):
    with runtime.sessions() as session:
        actor, target = session.merge(users["reviewer"]), session.merge(users["cashier"])
        before = (target.role, target.is_active, target.clearance, target.password_hash, events(session))
        with pytest.raises(Forbidden, match="user.manage"):
            CHANGES[change](session, target, actor)
        session.rollback()
        target = session.get(User, users["cashier"].id)
        assert (target.role, target.is_active, target.clearance, target.password_hash,
                events(session)) == before
    with runtime.sessions.begin() as session:  # the administrator may
        CHANGES[change](session, session.merge(users["cashier"]), session.merge(users["admin"]))


def test_scope_and_someone_elses_token(runtime, users):
    with runtime.sessions() as session:
        clerk, reviewer = session.merge(users["hospital_clerk"]), session.merge(users["reviewer"])
        with pytest.raises(Forbidden):
            set_scope(session, clerk, hospital="县人民医院", actor=reviewer)
        issue_api_token(session, clerk, name="scanner", actor=clerk)
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == clerk.id))
        with pytest.raises(Forbidden):
            revoke_api_token(session, clerk, token_id, actor=reviewer)
        assert revoke_api_token(session, clerk, token_id, actor=clerk).revoked_at is not None
