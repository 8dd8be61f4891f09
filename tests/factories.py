"""Builders for test data: users, cases, documents."""

from __future__ import annotations

import io
import random
import re
from functools import cache

from argon2 import PasswordHasher

from archive.auth import issue_api_token, roles
from archive.demo import documents as gen
from archive.intake import ingest, open_case
from archive.models import User
from archive.queue import enqueue_processing


@cache
def _password_hash(password: str) -> str:
    # argon2 takes ~0.1 s by design; hash each test password once per test session.
    return PasswordHasher().hash(password)


def users_for_all_roles(runtime) -> dict:
    """One active user per role: username u_<role>, password pw-<role>."""
    with runtime.sessions.begin() as session:
        users = {role: User(username=f"u_{role}", display_name=f"User {role}", role=role,
                            password_hash=_password_hash(f"pw-{role}")) for role in roles()}
        session.add_all(users.values())
    return users


def make_case(runtime, actor, **overrides) -> str:
    fields = {"claimant_name": "张伟", "claim_type": "inpatient", **overrides}
    with runtime.sessions.begin() as session:
        return open_case(session, actor=actor, **fields).case_no


def upload(runtime, actor, case_no: str, content: bytes, filename: str = "票据.pdf",
           kind: str | None = None, process: bool = True):
    result = ingest(runtime.sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                    case_no=case_no, stream=io.BytesIO(content), filename=filename, kind=kind,
                    actor=actor)
    if process and result.needs_processing:
        enqueue_processing(runtime, [result.document_id])
    return result


def api_token(runtime, user) -> str:
    with runtime.sessions.begin() as session:
        return issue_api_token(session, session.merge(user), name="test", actor=None)


def invoice_pdf(seed: int = 1, pages: int = 1) -> bytes:
    return gen.invoice(random.Random(seed), pages=pages).content


def login(client, user_or_role, password: str | None = None):
    username = getattr(user_or_role, "username", None) or f"u_{user_or_role}"
    password = password or f"pw-{username.removeprefix('u_')}"
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)
