"""All enqueueing goes through here. The backend is chosen by `jobs.backend`:

- "inline": run the job right away in the caller's thread (tests, scripts);
- "thread": a single background thread in this process (the embedded default);
- "rq":     Redis + RQ, run by `archive worker` processes on any machine.

The database is the list of work still to do (documents received or processing), so a job
lost with Redis or a crashed worker is found again by `sweep` and enqueued once more.
"""

from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Protocol

from sqlalchemy import select, update

from archive.audit import checkpoints
from archive.models import Document
from archive.models.cases import DocumentStatus
from archive.models.types import utcnow
from archive.records import record_checks
from archive.records.fixity import LAST_RUN, VERIFY_LAST_RUN, claim_scheduled_run
from archive.records.reconcile import SWEEP_LAST_RUN
from archive.search.backend import backend_name
from archive.workflows.spot_draws import ensure_commitments

log = logging.getLogger(__name__)

SEARCH_JOBS = {"index_document", "sync_index"}
JOBS_MODULE = "archive.jobs"  # where a job named "process_document" is found, in any backend


class JobQueue(Protocol):
    def submit(self, job: str, *args: int) -> None:
        """Run `archive.jobs.<job>(*args)` somewhere, some time soon."""

    def status(self) -> dict:
        """Health of the queue: {"ok": bool, ...}."""


class InlineQueue:
    volatile = False  # nothing waits in it

    def __init__(self, runtime) -> None:
        self.runtime = runtime

    def submit(self, job: str, *args: int) -> None:
        _in_process(job)(self.runtime, *args)

    def status(self) -> dict:
        return {"ok": True, "backend": "inline"}


class ThreadQueue:
    """One worker thread: SQLite allows one writer, and the desk PC has few cores."""

    volatile = True  # its waiting jobs are lost when the process stops

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-job")

    def submit(self, job: str, *args: int) -> None:
        future = self._executor.submit(_in_process(job), self.runtime, *args)
        future.add_done_callback(_log_failure)

    def status(self) -> dict:
        return {"ok": True, "backend": "thread", "pending": self._executor._work_queue.qsize()}


def _in_process(job: str):
    """The runtime-taking twin of a job function: archive.jobs.run_<job>.

    Found by name, as RQ finds `archive.jobs.<job>` in a worker: jobs are addressed by name
    (JOBS_MODULE is the contract), and the job functions build on the runtime that holds this
    queue, so this module does not import them."""
    return getattr(importlib.import_module(JOBS_MODULE), f"run_{job}")


def _log_failure(future) -> None:
    if future.exception() is not None:
        log.warning("in-process job failed; the sweep retries it", exc_info=future.exception())


class RQQueue:
    volatile = False  # jobs wait in Redis across restarts

    def __init__(self, runtime) -> None:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        jobs = runtime.settings.section("jobs")
        self.jobs = jobs
        self.redis = Redis.from_url(runtime.settings.redis_url, socket_connect_timeout=3,
                                    socket_timeout=10)
        self.queue = Queue(jobs["queue"], connection=self.redis, serializer=JSONSerializer)
        # A Whoosh index has one writer: its jobs go to a queue exactly one worker serves. The
        # PostgreSQL search table is shared, so any worker writes it, from the main queue.
        whoosh = backend_name(runtime.settings) == "whoosh"
        self.search_queue = Queue(jobs.get("search_queue", "search"), connection=self.redis,
                                  serializer=JSONSerializer) if whoosh else self.queue

    def submit(self, job: str, *args: int) -> None:
        from rq import Retry

        queue = self.search_queue if job in SEARCH_JOBS else self.queue
        queue.enqueue(
            f"{JOBS_MODULE}.{job}",
            args=list(args),
            job_timeout=int(self.jobs["job_timeout"]),
            retry=Retry(max=int(self.jobs["retries"]), interval=list(self.jobs["retry_intervals"])),
            description=f"{job.replace('_', ' ')} {' '.join(map(str, args))}".strip(),
            failure_ttl=7 * 24 * 3600,
        )

    def status(self) -> dict:
        from redis.exceptions import RedisError

        try:
            return {"ok": True, "backend": "rq", "queued": self.queue.count}
        except RedisError as exc:
            return {"ok": False, "backend": "rq", "error": str(exc).splitlines()[0]}


BACKENDS = {"inline": InlineQueue, "thread": ThreadQueue, "rq": RQQueue}


def make_queue(runtime) -> JobQueue:
    backend = runtime.settings.get("jobs.backend")
    if backend == "rq" and not runtime.settings.redis_url:
        raise ValueError("jobs.backend is 'rq' but no redis.url (ARCHIVE_REDIS_URL) is set")
    try:
        return BACKENDS[backend](runtime)
    except KeyError:
        raise ValueError(f"unknown jobs.backend {backend!r}; use one of {sorted(BACKENDS)}") from None


def enqueue_processing(runtime, document_ids: list[int]) -> list[int]:
    """Hand documents to the job system after their intake committed.

    A failure here loses nothing: the documents stay "received" and the sweep enqueues them
    again. Returns the ids that were handed over.
    """
    handed = []
    for document_id in document_ids:
        try:
            runtime.queue.submit("process_document", document_id)
        except Exception as exc:  # noqa: BLE001 - any queue failure is retried by the sweep
            log.warning("could not enqueue document %s (%s); the sweep will retry", document_id,
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            continue
        handed.append(document_id)
    if handed:
        with runtime.sessions.begin() as session:
            session.execute(update(Document).where(Document.id.in_(handed),
                                                   Document.status == DocumentStatus.RECEIVED)
                            .values(enqueued_at=utcnow()))
    return handed


def submit_after_commit(runtime, job: str, *args: int) -> bool:
    """Hand follow-up work over once the change that needs it has committed; a failure loses
    nothing the sweep does not find again, so it is logged, not raised."""
    try:
        runtime.queue.submit(job, *args)
    except Exception as exc:  # noqa: BLE001 - any queue failure is retried by the sweep
        log.warning("could not enqueue %s (%s); the sweep will retry", job,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return False
    return True


def hand_over(runtime, wanted: list[tuple[str, tuple[int, ...]]]) -> None:
    """The follow-ups of a committed change (archive.follow_ups): documents to read, then the
    rest, each as a job."""
    documents = [args[0] for job, args in wanted if job == "process_document"]
    if documents:
        enqueue_processing(runtime, documents)
    for job, args in wanted:
        if job != "process_document":
            submit_after_commit(runtime, job, *args)


def sweep(runtime, *, startup: bool = False) -> list[int]:
    """Enqueue documents whose work was never handed over, is long overdue, or whose job died.

    At startup an in-process queue is empty, so every received document is handed over again.
    """
    now = utcnow()
    resubmit_all = startup and runtime.queue.volatile
    stale_after = timedelta(seconds=0 if resubmit_all else int(runtime.settings.get("jobs.job_timeout")))
    with runtime.sessions.begin() as session:
        session.execute(
            update(Document)
            .where(Document.status == DocumentStatus.PROCESSING, Document.lease_until < now)
            .values(status=DocumentStatus.RECEIVED, lease_until=None, enqueued_at=None)
        )
        ids = list(session.scalars(
            select(Document.id).where(
                Document.status == DocumentStatus.RECEIVED,
                Document.enqueued_at.is_(None) | (Document.enqueued_at <= now - stale_after),
            ).order_by(Document.id)
        ))
    if ids:
        log.info("resuming %d unfinished documents", len(ids))
    return enqueue_processing(runtime, ids)


def schedule_periodic(runtime) -> None:
    """Hand out periodic work that is due: one process wins each period, however many ask."""
    periodic = (("records.fixity_every_hours", LAST_RUN, "check_fixity",
                 (int(runtime.settings.get("records.fixity_batch")),)),
                ("records.verify_every_hours", VERIFY_LAST_RUN, "verify_audit_trail", ()),
                ("records.checkpoint_every_hours", checkpoints.LAST_RUN, "checkpoint_audit_trail", ()),
                ("records.orphan_sweep_every_hours", SWEEP_LAST_RUN, "sweep_orphans", ()),
                ("records.four_properties_every_hours", record_checks.LAST_RUN, "check_records",
                 (int(runtime.settings.get("records.four_properties_batch", 200)),)))
    for setting, counter, job, args in periodic:
        hours = float(runtime.settings.get(setting, 0))
        if hours <= 0:
            continue
        with runtime.sessions.begin() as session:
            due = claim_scheduled_run(session, every_seconds=int(hours * 3600), name=counter)
        if due:
            runtime.queue.submit(job, *args)


def commit_spot_check_months(runtime) -> None:
    """The random seeds of this month's and next month's spot-check draws are committed (their
    sha256 recorded) ahead of time: one small query when they are (archive/workflows/spot_draws.py)."""
    with runtime.sessions.begin() as session:
        ensure_commitments(session)


def start_sweeper(runtime, stop: threading.Event) -> threading.Thread:
    """Sweep now and then every `jobs.sweep_interval` seconds until `stop` is set; also hand
    out periodic work (fixity checks, audit-trail checks) when it is due."""
    interval = float(runtime.settings.get("jobs.sweep_interval"))

    def loop() -> None:
        startup = True
        while True:
            try:
                sweep(runtime, startup=startup)
                schedule_periodic(runtime)
                commit_spot_check_months(runtime)
                # Cheap when nothing changed; indexes a change whose follow-up job was lost.
                submit_after_commit(runtime, "sync_index")
                startup = False
            except Exception:  # noqa: BLE001 - the sweeper must outlive a database hiccup
                log.exception("sweep failed; trying again in %ss", interval)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="archive-sweeper", daemon=True)
    thread.start()
    return thread
