"""`archive worker`: an RQ worker plus the sweeper that re-finds lost work in the database."""

from __future__ import annotations

import logging
import threading

from archive.queue import RQQueue, start_sweeper

log = logging.getLogger(__name__)


def run_worker(runtime, queue_names: list[str] | None = None, *, burst: bool = False) -> None:
    from rq import Worker

    if not isinstance(runtime.queue, RQQueue):
        raise ValueError("`archive worker` needs jobs.backend = 'rq' and redis.url "
                         "(ARCHIVE_JOBS_BACKEND=rq, ARCHIVE_REDIS_URL=redis://...)")
    queue = runtime.queue
    names = queue_names or [queue.queue.name]
    stop = threading.Event()
    start_sweeper(runtime, stop)
    worker = Worker(names, connection=queue.redis, serializer=queue.queue.serializer)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
