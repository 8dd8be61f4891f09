"""Document processing through Redis + RQ, with real services and real worker processes.

What is real: a `redis-server` (the session `redis` fixture, or a private one for the
Redis-down test), `archive worker` started as a separate OS process (killed with SIGKILL in
one test), the intake service, the Flask upload endpoint, and the database (a SQLite file
shared by the test and the worker; the basic test also runs on the session's PostgreSQL).
Nothing is mocked. Each test uses its own RQ queue name so jobs never leak between tests.
The last test guards against a fork taken while the sweeper held a SQLite lock (the reason the
sweeper runs in its own process).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest
from sqlalchemy import func, select

from archive import create_app
from archive.config import REPO_ROOT
from archive.jobs import run_process_document
from archive.models import AuditEvent, Document
from archive.queue import enqueue_processing, sweep
from tests import factories
from tests.servers import redis_server

pytestmark = pytest.mark.redis

DEADLINE = 60  # seconds a worker gets to bring a document to the expected state
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
WORKER = [sys.executable, "-c", "from archive.cli import main; main()", "worker"]


def rq_settings(redis_url: str, db_url: str, **extra: str) -> dict[str, str]:
    """ARCHIVE_* overrides shared by the test's runtime and its workers."""
    return {"ARCHIVE_JOBS_BACKEND": "rq", "ARCHIVE_REDIS_URL": redis_url,
            "ARCHIVE_DATABASE_URL": db_url, "ARCHIVE_JOBS_QUEUE": f"test-{uuid.uuid4().hex[:12]}",
            **extra}


@pytest.fixture
def workers(environ, tmp_path):
    """start(settings, *cli_args, **env) -> Popen of `archive worker`; all killed at teardown."""
    started: list[subprocess.Popen] = []

    def start(settings: dict, *args: str, **env: str) -> subprocess.Popen:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
        full_env.update({**environ, **settings, **env})
        log_path = tmp_path / f"worker-{len(started)}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen([*WORKER, *args], env=full_env, cwd=REPO_ROOT,
                                       stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        process.log_path = log_path
        started.append(process)
        return process

    yield start
    for process in started:
        kill_worker(process)


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker's process group and its work-horse's (RQ puts the horse in its own)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        for child in psutil.Process(process.pid).children(recursive=True):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(child.pid), signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def load(rt, document_id: int) -> Document:
    with rt.sessions() as session:
        return session.get_one(Document, document_id)


def processed_events(rt, document_id: int) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "document.processed", AuditEvent.target_type == "document",
            AuditEvent.target_id == str(document_id)))


def wait_for_status(rt, document_id: int, wanted: str, *workers: subprocess.Popen,
                    timeout: float = DEADLINE) -> Document:
    """Poll the database until the document has status `wanted`; fail with the workers' output."""
    deadline = time.monotonic() + timeout
    while True:
        exited = all(w.poll() is not None for w in workers) if workers else False
        document = load(rt, document_id)
        if document.status == wanted:
            return document
        if exited or time.monotonic() > deadline:
            output = "\n".join(f"--- worker {w.pid} (exit {w.poll()}):\n"
                               + w.log_path.read_text(errors="replace") for w in workers)
            pytest.fail(f"document {document_id} is {document.status!r} (attempts "
                        f"{document.attempts}), not {wanted!r}"
                        f"{' and every worker exited' if exited else f' after {timeout}s'}"
                        f"\n{output}")
        time.sleep(0.1)


def upload_invoice(rt, *, pages: int = 3, process: bool = True) -> int:
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    content = factories.invoice_pdf(pages=pages)
    return factories.upload(rt, clerk, case_no, content, process=process).document_id


def test_upload_is_queued_in_redis_and_processed_by_a_worker(make_rt, db_url, redis, workers):
    settings = rq_settings(redis.url, db_url)
    rt = make_rt(**settings)
    document_id = upload_invoice(rt, pages=3)

    assert rt.queue.queue.count == 1
    document = load(rt, document_id)
    assert document.status == "received" and document.enqueued_at is not None

    worker = workers(settings, "--burst")
    document = wait_for_status(rt, document_id, "processed", worker)
    assert (document.page_count, document.attempts) == (3, 1)
    assert processed_events(rt, document_id) == 1
    assert worker.wait(timeout=DEADLINE) == 0, worker.log_path.read_text()
    assert rt.queue.queue.count == 0


@SQLITE_ONLY
def test_worker_killed_mid_job_the_document_is_finished_by_another(make_rt, db_url, redis,
                                                                   workers):
    # Nobody renews the dead job's lease: once it ran out, worker B's sweeper re-enqueues the work.
    settings = rq_settings(redis.url, db_url, ARCHIVE_JOBS_LEASE_SECONDS="3",
                           ARCHIVE_JOBS_SWEEP_INTERVAL="1")
    rt = make_rt(**settings)
    document_id = upload_invoice(rt)

    worker_a = workers(settings, ARCHIVE_JOBS_FAULT_DELAY_SECONDS="30")
    wait_for_status(rt, document_id, "processing", worker_a)
    horses = [child for child in psutil.Process(worker_a.pid).children(recursive=True)
              if os.getpgid(child.pid) == child.pid]  # the horse leads its own process group
    assert horses, "RQ worker A has no work-horse process while its job runs"
    kill_worker(worker_a)  # SIGKILL to the worker and its horse, as in a power cut
    assert not psutil.wait_procs(horses, timeout=10)[1], "the work-horse survived SIGKILL"
    document = load(rt, document_id)
    assert (document.status, document.attempts) == ("processing", 1)

    worker_b = workers(settings)
    document = wait_for_status(rt, document_id, "processed", worker_b)
    assert (document.page_count, document.attempts) == (3, 2)
    assert processed_events(rt, document_id) == 1


@SQLITE_ONLY
def test_a_job_running_past_its_lease_keeps_it_by_heartbeat(make_rt, db_url, redis, workers):
    """A live job reading longer than the (short) lease renews it: a second worker's sweep does
    not take the document from under it, and it is read once, in one attempt."""
    settings = rq_settings(redis.url, db_url, ARCHIVE_JOBS_LEASE_SECONDS="2",
                           ARCHIVE_JOBS_SWEEP_INTERVAL="1")
    rt = make_rt(**settings)
    document_id = upload_invoice(rt)

    worker_a = workers(settings, ARCHIVE_JOBS_FAULT_DELAY_SECONDS="7")
    first = wait_for_status(rt, document_id, "processing", worker_a).lease_until
    worker_b = workers(settings)  # sweeps every second, and would take an expired lease
    time.sleep(3)
    assert load(rt, document_id).lease_until > first  # renewed past the first lease's end
    document = wait_for_status(rt, document_id, "processed", worker_a, worker_b)
    assert document.attempts == 1
    assert processed_events(rt, document_id) == 1


@SQLITE_ONLY
def test_a_worker_stopped_mid_job_hands_the_document_back_at_once(make_rt, db_url, redis, workers):
    """SIGTERM (a deploy, `systemctl stop`, which signals every process of the unit) while a job
    runs: the document is given back at once, not left leased for the 10 minutes of job_timeout,
    and the next worker finishes it."""
    settings = rq_settings(redis.url, db_url, ARCHIVE_JOBS_JOB_TIMEOUT="600",
                           ARCHIVE_JOBS_SWEEP_INTERVAL="1")
    rt = make_rt(**settings)
    document_id = upload_invoice(rt)

    worker_a = workers(settings, ARCHIVE_JOBS_FAULT_DELAY_SECONDS="30")
    wait_for_status(rt, document_id, "processing", worker_a)
    for process in [psutil.Process(worker_a.pid), *psutil.Process(worker_a.pid).children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGTERM)
    # Far under the 600 s the lease would hold it, with room for a loaded CI machine (20 s was
    # once too short there, with a benchmark running beside the suite). A job that ran on would
    # end 'processed', not 'received'.
    document = wait_for_status(rt, document_id, "received", timeout=45)
    assert document.lease_until is None

    worker_b = workers(settings)
    document = wait_for_status(rt, document_id, "processed", worker_b)
    assert document.page_count == 3
    assert processed_events(rt, document_id) == 1


@pytest.fixture
def own_redis():
    """A Redis only this test uses, so stopping it leaves the session's server alone."""
    with redis_server() as server:
        yield server


@SQLITE_ONLY
def test_upload_while_redis_is_down_is_processed_once_it_is_back(make_rt, db_url, own_redis,
                                                                  workers):
    settings = rq_settings(own_redis.url, db_url, ARCHIVE_JOBS_SWEEP_INTERVAL="1")
    rt = make_rt(**settings)
    users = factories.users_for_all_roles(rt)
    case_no = factories.make_case(rt, users["intake_clerk"])
    own_redis.stop()

    # The intake service: the upload is accepted, enqueueing fails quietly.
    result = factories.upload(rt, users["intake_clerk"], case_no, factories.invoice_pdf(pages=3),
                              process=False)
    assert enqueue_processing(rt, [result.document_id]) == []
    # The HTTP endpoint: 201 although nothing could be queued.
    client = create_app(rt).test_client()
    factories.login(client, "intake_clerk")
    token = factories.csrf_from(client.get(f"/cases/{case_no}").get_data(as_text=True))
    response = client.post(f"/cases/{case_no}/documents",
                           data={"files": (io.BytesIO(factories.invoice_pdf(seed=2, pages=2)),
                                           "第二张.pdf")},
                           headers={"X-Requested-With": "fetch", "X-CSRFToken": token})
    assert response.status_code == 201, response.get_data(as_text=True)
    web_id = response.get_json()["results"][0]["document_id"]
    for document_id in (result.document_id, web_id):
        document = load(rt, document_id)
        assert (document.status, document.enqueued_at) == ("received", None)
    assert rt.queue.status()["ok"] is False

    own_redis.start()  # same port
    worker = workers(settings)
    assert wait_for_status(rt, result.document_id, "processed", worker).page_count == 3
    assert wait_for_status(rt, web_id, "processed", worker).page_count == 2


def test_processing_twice_and_sweeping_a_processed_document_do_nothing(make_rt, db_url, redis):
    rt = make_rt(**rq_settings(redis.url, db_url))
    document_id = upload_invoice(rt, process=False)

    assert run_process_document(rt, document_id) == "processed"
    assert run_process_document(rt, document_id) == "skipped"
    document = load(rt, document_id)
    assert (document.status, document.page_count, document.attempts) == ("processed", 3, 1)
    assert processed_events(rt, document_id) == 1

    assert sweep(rt) == []
    assert sweep(rt, startup=True) == []
    assert rt.queue.queue.count == 0


@SQLITE_ONLY
def test_a_sweeping_worker_does_not_block_its_own_work_horse(make_rt, db_url, redis, workers):
    # Sweep interval 0 keeps the sweeper in a write transaction most of the time; with the
    # sweeper as a thread of the worker, a fork landed inside one nearly every time (ten
    # documents: ten forks). The sweeper itself enqueues the never-queued documents.
    settings = rq_settings(redis.url, db_url, ARCHIVE_JOBS_SWEEP_INTERVAL="0")
    rt = make_rt(**settings)
    clerk = factories.users_for_all_roles(rt)["intake_clerk"]
    case_no = factories.make_case(rt, clerk)
    document_ids = [factories.upload(rt, clerk, case_no, factories.invoice_pdf(seed=seed),
                                     process=False).document_id for seed in range(10)]
    worker = workers(settings)
    for document_id in document_ids:
        wait_for_status(rt, document_id, "processed", worker, timeout=20)
