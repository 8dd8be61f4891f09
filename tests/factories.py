"""Builders for test data: users, cases, documents."""

from __future__ import annotations

import io
import itertools
import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy.orm import sessionmaker

from archive import follow_ups
from archive.auth import issue_api_token, roles
from archive.demo import documents as gen
from archive.intake import ingest, open_case
from archive.models import User
from archive.queue import hand_over


@cache
def _password_hash(password: str) -> str:
    # argon2 takes ~0.1 s by design; hash each test password once per test session.
    return PasswordHasher().hash(password)


# Where the roles outside the agency (storage_config/roles.toml [scopes]) of the test desk work:
# cases opened by make_case are treated at HOSPITAL; pass township/village to reach the others.
HOSPITAL, TOWNSHIP, VILLAGE = "县人民医院", "城关镇", "东关村"
PATIENT_CLAIMS = ("outpatient", "inpatient", "maternity", "trauma", "other")


def users_for_all_roles(runtime) -> dict:
    """One active user per role: username u_<role>, password pw-<role>; the external roles
    scoped to HOSPITAL, TOWNSHIP and its VILLAGE."""
    with runtime.sessions.begin() as session:
        users = {role: User(username=f"u_{role}", display_name=f"User {role}", role=role,
                            password_hash=_password_hash(f"pw-{role}"), scope_hospital=HOSPITAL,
                            scope_township=TOWNSHIP, scope_village=VILLAGE) for role in roles()}
        session.add_all(users.values())
    return users


def make_case(runtime, actor, **overrides) -> str:
    fields = {"claimant_name": "张伟", "claim_type": "inpatient", "hospital": HOSPITAL, **overrides}
    if fields["claim_type"] in PATIENT_CLAIMS:  # 外报 unless a test says who files it
        fields.setdefault("filed_by", "insured")
    if fields["claim_type"] == "referral":  # signed by the village and township officers of the desk
        fields.setdefault("township", TOWNSHIP)
        fields.setdefault("village", VILLAGE)
    with runtime.sessions.begin() as session:
        return open_case(session, actor=actor, **fields).case_no


def upload(runtime, actor, case_no: str, content: bytes, filename: str = "票据.pdf",
           kind: str | None = None, process: bool = True):
    """Upload through the intake service; with `process=False` the reading it asks for is held
    back (as if the queue had not run it yet) and the document stays "received"."""
    sessions = runtime.sessions if process else _reading_held_back(runtime)
    return ingest(sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                  case_no=case_no, stream=io.BytesIO(content), filename=filename, kind=kind,
                  actor=actor)


def _reading_held_back(runtime) -> sessionmaker:
    sessions = sessionmaker(**runtime.sessions.kw)
    follow_ups.install(sessions, lambda wanted: hand_over(
        runtime, [(job, args) for job, args in wanted if job != "process_document"]))
    return sessions


def api_token(runtime, user) -> str:
    with runtime.sessions.begin() as session:
        return issue_api_token(session, session.merge(user), name="test", actor=None)


def invoice_pdf(seed: int = 1, pages: int = 1) -> bytes:
    return gen.invoice(random.Random(seed), pages=pages).content


def outpatient_invoice_pdf(seed: int = 1, patient: str = "张伟") -> bytes:
    """A readable outpatient invoice of `patient`: it needs no daily statements and its name
    matches the case's (no finding blocks the sign-off)."""
    while (made := gen.invoice(random.Random(seed), patient=patient)).truth["visit_type"] != "outpatient":
        seed += 1000
    return made.content


def statement_pdf(seed: int = 1, patient: str = "张伟", days: int = 1,
                  hospital: str | None = HOSPITAL) -> bytes:
    """A signed daily statement (一日清单) of `patient`, readable from its text layer, of
    `hospital` (the case's hospital is the one its documents name: archive.signoff.hospitals)."""
    while (made := gen.daily_statement(random.Random(seed), patient=patient, days=days)).truth[
            "hospital"] != (hospital or made.truth["hospital"]):
        seed += 1000
    return made.content


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


# --- sign-off chains -------------------------------------------------------------------------

def make_user(runtime, role: str, username: str) -> User:
    """Another person with `role`, e.g. a second clerk; `login(client, user)` signs in as them."""
    with runtime.sessions.begin() as session:
        user = User(username=username, display_name=f"User {username}", role=role,
                    password_hash=_password_hash(f"pw-{username.removeprefix('u_')}"))
        session.add(user)
    return user


_claim_seeds = itertools.count(10_000)


def make_claim(runtime, clerk, *, documents=("invoice", "daily_statement"), seed: int | None = None,
               **fields) -> str:
    """A case with one document of each kind in `documents`, ready to be sent for sign-off.

    Each claim's files are its own unless `seed` says otherwise (one file in two cases is a
    duplicate-invoice finding), and its daily statement is a real one of the claimant, signed and
    read (an inpatient claim is sent on only with statements read as such)."""
    seed = next(_claim_seeds) if seed is None else seed
    case_no = make_case(runtime, clerk, **fields)
    for number, kind in enumerate(documents):
        if kind == "daily_statement":
            upload(runtime, clerk, case_no, statement_pdf(seed, fields.get("claimant_name", "张伟")),
                   filename=f"{kind}.pdf", kind=kind)
            continue
        upload(runtime, clerk, case_no, invoice_pdf(seed=seed * 100 + number + 1),
               filename=f"{kind}.pdf", kind=kind, process=False)
    return case_no


def workflow_state(runtime, case_no: str) -> dict:
    """chain → {status, step, version} for every chain run on the case, and the case status."""
    from sqlalchemy import select

    from archive.models import Case, WorkflowInstance

    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        runs = session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == case.id))
        return {"case": case.status, **{run.definition: {"status": run.status, "step": run.current_step,
                                                          "version": run.version} for run in runs}}


def send_for_sign_off(runtime, clerk, case_no: str):
    from archive.workflows import submit

    with runtime.sessions.begin() as session:
        instance = submit(session, case_no, actor=clerk)
        return instance.definition, instance.current_step


def sign(runtime, user, case_no: str, decision: str = "approve", opinion: str | None = "同意。",
         **kwargs):
    """`user` decides at the case's current step on the version it is at now."""
    from sqlalchemy import select

    from archive.models import Case, WorkflowInstance, WorkflowStatus
    from archive.workflows import decide

    with runtime.sessions.begin() as session:
        if "expected_version" not in kwargs:
            kwargs["expected_version"] = session.scalar(
                select(WorkflowInstance.version).join(Case, Case.id == WorkflowInstance.case_id)
                .where(Case.case_no == case_no, WorkflowInstance.status == WorkflowStatus.ACTIVE))
        instance = decide(session, case_no, actor=user, decision=decision, opinion=opinion, **kwargs)
        return instance.status, instance.current_step


# What the signer of each step records, for walking chains in tests.
FINDINGS = {
    "trauma_investigation": {"third_party_liability": "无第三方责任（交警事故认定书）"},
    "phone_verification": {"called_by": "李娜", "hospital_phone": "027-8366 5000",
                           "outcome": "住院属实"},
    "cashier_entry": {"sheet_checked": "结算单与票据一致", "voucher_number": "ZF-2026-0117"},
    "preparation": {"scope": "2026年第三季度住院结算，抽查病历30份"},
    "onsite_check": {"checked_on": "2026-10-12", "problems_found": "超标准收费2项"},
    "filing": {"file_reference": "JH-2026-017"},
}
# Steps a second person of the same role signs (separation of duties): step → desk key.
SECOND_SIGNER = {"completeness": "checker", "onsite_check": "second_auditor"}


def sign_off_desk(runtime) -> dict:
    """One user per role, a second intake clerk "checker" (the one who opened a case may not
    check it) and a second auditor (one prepares an audit, another checks on site)."""
    users = users_for_all_roles(runtime)
    users["checker"] = make_user(runtime, "intake_clerk", "u_checker")
    users["second_auditor"] = make_user(runtime, "auditor", "u_second_auditor")
    return users


def start_claim(runtime, desk, **fields) -> str:
    """A case opened by desk["intake_clerk"] with its documents, sent for sign-off."""
    documents = fields.pop("documents", ("invoice", "daily_statement"))
    case_no = make_claim(runtime, desk["intake_clerk"], documents=documents, **fields)
    send_for_sign_off(runtime, desk["intake_clerk"], case_no)
    return case_no


def active_step(runtime, case_no: str):
    """(chain, step, role) where the case waits, or None."""
    from sqlalchemy import select

    from archive.models import Case, WorkflowInstance, WorkflowStatus

    with runtime.sessions() as session:
        return session.execute(
            select(WorkflowInstance.definition, WorkflowInstance.current_step,
                   WorkflowInstance.current_role)
            .join(Case, Case.id == WorkflowInstance.case_id)
            .where(Case.case_no == case_no, WorkflowInstance.status == WorkflowStatus.ACTIVE)).first()


def case_amount(runtime, case_no: str):
    from sqlalchemy import select

    from archive.models import Case

    with runtime.sessions() as session:
        return session.scalar(select(Case).where(Case.case_no == case_no)).amount


def approved_amount(runtime, case_no: str) -> str | None:
    """The case's approved amount (yuan, two places) as the policy computes it or a reviewer
    adjusted it: what the cashier must pay (archive.claims)."""
    from sqlalchemy import select

    from archive.claims import case_money
    from archive.claims.policy import yuan_text
    from archive.models import Case

    with runtime.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        return yuan_text(case_money(session, case).approved_fen)


def walk(runtime, desk, case_no: str, *, until: str | None = None) -> list[str]:
    """Approve step after step, each by a person of the step's role, until the case waits at
    `until` or no chain is active; the steps signed, as "chain:step"."""
    signed = []
    while (current := active_step(runtime, case_no)) is not None:
        chain, step, role = current
        if step == until:
            break
        user = desk[SECOND_SIGNER[step]] if step in SECOND_SIGNER else desk[role]
        findings = FINDINGS.get(step)
        if step == "cashier_entry":  # paid as approved (archive.claims)
            # one voucher per payment (archive.workflows.payment refuses a voucher used twice)
            findings = {**findings, "voucher_number": f"ZF-{case_no}",
                        "amount_paid": approved_amount(runtime, case_no)}
        sign(runtime, user, case_no, findings=findings)
        signed.append(f"{chain}:{step}")
    return signed


# --- the archive (records) -------------------------------------------------------------------

def close_by_rejection(runtime, desk, **fields) -> str:
    """A claim that went through intake and was rejected at first review: a closed case."""
    fields = {"claim_type": "outpatient", "amount": "100", "documents": ("invoice",), **fields}
    case_no = start_claim(runtime, desk, **fields)
    walk(runtime, desk, case_no, until="initial_review")
    sign(runtime, desk["reviewer"], case_no, decision="reject", opinion="非医保目录内项目")
    return case_no


def file_closed(runtime, archivist, case_no: str, record_class: str | None = None):
    """File a closed case; returns its archive number."""
    from archive.records.filing import file_case

    with runtime.sessions.begin() as session:
        return file_case(session, case_no, actor=archivist, record_class=record_class,
                         store=runtime.store, limits=runtime.limits, tmp_dir=runtime.tmp_dir).archive_no


def age_record(runtime, case_no: str, *, retention_ends_on) -> None:
    """Test setup: pretend the case was filed long ago, so its retention has ended."""
    from sqlalchemy import select, update

    from archive.models import ArchiveRecord, Case

    with runtime.sessions.begin() as session:
        case_id = session.scalar(select(Case.id).where(Case.case_no == case_no))
        session.execute(update(ArchiveRecord).where(ArchiveRecord.case_id == case_id)
                        .values(retention_ends_on=retention_ends_on))


def archive(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The `archive` command as a user runs it: a real process, its exit code and output."""
    return subprocess.run([sys.executable, "-c", "from archive.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=120)


@contextmanager
def serving(runtime, *, threads: int = 4) -> Iterator[str]:
    """The app served by waitress on a free loopback port, as `archive serve` runs it; its URL."""
    from waitress import create_server, wasyncore

    from archive import create_app

    server = create_server(create_app(runtime), host="127.0.0.1", port=0, threads=threads)
    stopping = threading.Event()

    def serve() -> None:
        # server.run() polls until its sockets are gone, so closing them from this thread races
        # the poll (EBADF). Poll in short turns instead and close only after the loop has ended.
        while not stopping.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        thread.join(timeout=10)
        server.close()
