"""`archive demo`: one account per role and a few cases with documents of every kind.

Idempotent: accounts and cases that exist already are left alone. Passwords are random and
printed only when an account is created (reset them with `archive user set-password`).
"""

from __future__ import annotations

import io

from sqlalchemy import select

from archive.auth import PasswordPolicy, create_user, role_label, roles, scope_kind, system_user
from archive.auth.accounts import set_scope
from archive.demo.documents import demo_set
from archive.demo.providers import load_providers
from archive.intake import ingest, open_case
from archive.models import Case, User

# Where the demo's claimants live and were treated: the external demo accounts work for it.
DEMO_PLACE = {"hospital": "县人民医院", "township": "城关镇", "village": "东关村"}


def load_demo(runtime) -> list[str]:
    out = []
    with runtime.sessions.begin() as session:
        system = system_user(session)
        if system is None:
            raise ValueError("run `archive init` first")
        created = []
        policy = PasswordPolicy.from_settings(runtime.settings)
        for role in roles():
            username = f"demo_{role}"
            if session.scalar(select(User.id).where(User.username == username)) is None:
                password = policy.generate()
                account = create_user(session, username=username, display_name=role_label(role),
                                      role=role, password=password, actor=system, policy=policy)
                if scope_kind(role):  # the external roles see the demo's hospital and village
                    set_scope(session, account, actor=system, **DEMO_PLACE)
                created.append((username, role, password))
    if created:
        out.append("Demo accounts (passwords are shown only now):")
        out += [f"  {username:<22} {password}   {role_label(role)}" for username, role, password in created]
    else:
        out.append("Demo accounts exist already (reset a password: archive user set-password NAME).")

    added = 0
    for claimant, claim_type, documents in demo_set():
        with runtime.sessions.begin() as session:
            if session.scalar(select(Case.id).where(Case.claimant_name == claimant)) is not None:
                continue
            # The hospital its bills name (a typed one that differs is a finding).
            named = next((d.truth["hospital"] for d in documents if (d.truth or {}).get("hospital")),
                         DEMO_PLACE["hospital"])
            case_no = open_case(session, actor=system, claimant_name=claimant,
                                claim_type=claim_type, **{**DEMO_PLACE, "hospital": named},
                                # claims at the window: the insured files them (外报)
                                filed_by="insured" if claim_type in ("inpatient", "outpatient") else None,
                                ).case_no
        for document in documents:
            ingest(runtime.sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                   case_no=case_no, stream=io.BytesIO(document.content),
                   filename=document.filename, kind=document.kind, actor=system)
        added += 1
    out.append(f"Demo cases: {added} added." if added else "Demo cases exist already.")
    with runtime.sessions.begin() as session:
        providers = load_providers(session, system_user(session))
    out.append(f"Demo providers: {providers} registered." if providers else "Demo providers exist already.")
    return out
