"""`archive worker`: an RQ worker plus a sweeper process that re-finds lost work in the database.

The sweeper runs in its own (spawned) process, not a thread: RQ forks a work-horse per job,
and a fork taken while a sweeper thread held a SQLite lock would leave the horse waiting on a
lock nobody holds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading

from archive.queue import RQQueue, start_sweeper

log = logging.getLogger(__name__)


def run_worker(runtime, queue_names: list[str] | None = None, *, burst: bool = False) -> None:
    from rq import Worker

    if not isinstance(runtime.queue, RQQueue):
        raise ValueError("`archive worker` needs jobs.backend = 'rq' and redis.url "
                         "(ARCHIVE_JOBS_BACKEND=rq, ARCHIVE_REDIS_URL=redis://...)")
    queue = runtime.queue
    runtime.engine.dispose()  # this process needs no database connection of its own
    sweeper = multiprocessing.get_context("spawn").Process(
        target=_sweep_until_orphaned, args=(os.getpid(),), name="archive-sweeper", daemon=True)
    sweeper.start()
    worker = Worker(queue_names or [queue.queue.name], connection=queue.redis,
                    serializer=queue.queue.serializer)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        sweeper.terminate()
        sweeper.join(timeout=10)


def _sweep_until_orphaned(worker_pid: int) -> None:
    """Sweep every jobs.sweep_interval seconds; stop when the worker that started us is gone."""
    from archive.logs import configure_logging
    from archive.runtime import make_runtime

    configure_logging("INFO")
    runtime = make_runtime()  # settings come from the same environment as the worker's
    stop = threading.Event()
    start_sweeper(runtime, stop)
    while not stop.wait(2):
        if os.getppid() != worker_pid:  # the worker was killed; do not outlive it
            stop.set()
