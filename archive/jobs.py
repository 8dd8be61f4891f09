"""Job functions. They take ids, reload their rows and call a service; safe to run twice.

RQ imports `archive.jobs.process_document` by name in a worker process, so the worker's
runtime is built on first use in each process (a forked job gets its own engine).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal

from archive import processing
from archive.audit import Origin, current_origin
from archive.audit.checkpoints import write_checkpoint
from archive.auth import system_user
from archive.backscan import progress_of
from archive.backscan import run_backscan as register_backscan_run
from archive.models import User
from archive.records.fixity import run_fixity
from archive.records.protection import sync_case
from archive.records.reconcile import sweep_orphans as sweep_orphaned_objects
from archive.records.record_checks import run_scheduled_checks
from archive.records.verification import verify_and_record
from archive.runtime import make_runtime
from archive.search import catch_up, index_documents
from archive.search.writer import claim_writer

log = logging.getLogger(__name__)

_worker_runtime = None
_worker_pid: int | None = None


def worker_runtime():
    global _worker_runtime, _worker_pid
    if _worker_pid != os.getpid():
        if _worker_runtime is not None:
            # Inherited over fork: drop the parent's pooled connections without closing them.
            _worker_runtime.engine.dispose(close=False)
        _worker_runtime = make_runtime()
        _worker_pid = os.getpid()
    return _worker_runtime


def process_document(document_id: int) -> str:
    """RQ entry point. A worker told to stop (SIGTERM: a deploy, `systemctl stop`) hands the
    document back at once instead of leaving it leased until the lease runs out: RQ's work-horse
    would otherwise die of the signal where it stands."""
    with _stopping_raises():
        return run_process_document(worker_runtime(), document_id)


class WorkerStopping(SystemExit):
    """SIGTERM arrived while a job ran; the job cleans up and the work-horse exits."""


@contextlib.contextmanager
def _stopping_raises():
    def stop(signum, _frame):
        raise WorkerStopping(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (the in-process runner): nothing to hand back to
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def check_fixity(limit: int) -> dict:
    """RQ entry point: re-verify the next `limit` stored originals."""
    return run_check_fixity(worker_runtime(), limit)


def run_check_fixity(runtime, limit: int) -> dict:
    token = current_origin.set(Origin("job"))
    try:
        report = run_fixity(runtime.sessions, runtime.store, limit=limit)
        if not report.ok:
            log.error("fixity: %d damaged originals: %s", len(report.damaged),
                      ", ".join(d.store_key for d in report.damaged))
        return {"checked": report.checked, "damaged": len(report.damaged)}
    finally:
        current_origin.reset(token)


def check_records(limit: int) -> dict:
    """RQ entry point: 四性检测 of the next `limit` filed records (archive.records.record_checks)."""
    return run_check_records(worker_runtime(), limit)


def run_check_records(runtime, limit: int) -> dict:
    token = current_origin.set(Origin("job"))
    try:
        outcome = run_scheduled_checks(runtime, limit=limit, actor_of=system_user)
        if outcome.failed:
            log.error("four-property check failed for %d record(s): %s", len(outcome.failed),
                      ", ".join(outcome.failed))
        return {"checked": outcome.checked, "failed": len(outcome.failed)}
    finally:
        current_origin.reset(token)


def protect_case(case_id: int) -> int:
    """RQ entry point: tell the store the retention and holds of one case's originals."""
    return run_protect_case(worker_runtime(), case_id)


def run_protect_case(runtime, case_id: int) -> int:
    return sync_case(runtime.sessions, runtime.store, case_id)


def verify_audit_trail(requested_by_id: int = 0) -> dict:
    """RQ entry point: recompute the audit trail's hash chain and record the outcome."""
    return run_verify_audit_trail(worker_runtime(), requested_by_id)


def run_verify_audit_trail(runtime, requested_by_id: int = 0) -> dict:
    token = current_origin.set(Origin("job"))
    try:
        with runtime.sessions() as session:
            actor = system_user(session)
            requester = session.get(User, requested_by_id) if requested_by_id else None
            requested_by = requester.username if requester is not None else None
        report = verify_and_record(runtime, actor=actor, requested_by=requested_by)
        if not report.ok:
            log.error("audit trail broken at event %s: %s", report.broken_at, report.problem)
        return {"checked": report.checked, "ok": report.ok}
    finally:
        current_origin.reset(token)


def checkpoint_audit_trail() -> int:
    """RQ entry point: sign the audit trail's head into the store (archive.audit.checkpoints)."""
    return run_checkpoint_audit_trail(worker_runtime())


def run_checkpoint_audit_trail(runtime) -> int:
    checkpoint = write_checkpoint(runtime)
    return checkpoint.last_id if checkpoint else 0


def sweep_orphans() -> dict:
    """RQ entry point: delete stored objects no record refers to, once past the grace period."""
    return run_sweep_orphans(worker_runtime())


def run_sweep_orphans(runtime) -> dict:
    from datetime import timedelta

    token = current_origin.set(Origin("job"))
    try:
        with runtime.sessions() as session:
            actor = system_user(session)
        grace = timedelta(hours=float(runtime.settings.get("records.orphan_grace_hours", 24)))
        report = sweep_orphaned_objects(runtime, grace=grace, actor=actor)
        if report.swept:
            log.warning("swept %d orphan objects: %s", len(report.swept), ", ".join(report.swept))
        return {"checked": report.checked, "swept": len(report.swept),
                "waiting": len(report.waiting), "failed": len(report.failed)}
    finally:
        current_origin.reset(token)


def index_document(document_id: int) -> int:
    """RQ entry point, on the search queue that exactly one worker serves (one index writer)."""
    return run_index_document(worker_runtime(), document_id)


def run_index_document(runtime, document_id: int) -> int:
    claim_writer(runtime)  # the one Whoosh index writer of the deployment, or refuse
    index = runtime.search_index()
    with runtime.sessions() as session:
        return index_documents(index, session, [document_id])


def sync_index() -> int:
    """RQ entry point, on the search queue: catch the index up with the audit trail."""
    return run_sync_index(worker_runtime())


def run_sync_index(runtime) -> int:
    """Re-index what changed since the index last caught up; returns how many documents."""
    claim_writer(runtime)
    index = runtime.search_index()
    with runtime.sessions() as session:
        return catch_up(index, session).documents


def run_process_document(runtime, document_id: int) -> str:
    token = current_origin.set(Origin("job"))
    try:
        jobs = runtime.settings.section("jobs")
        outcome = processing.process_document(
            runtime.sessions, runtime.store, runtime.limits,
            document_id=document_id,
            lease_seconds=float(jobs["lease_seconds"]),
            tmp_dir=runtime.tmp_dir,
            delay_seconds=float(jobs.get("fault_delay_seconds", 0)),
            min_confidence=float(runtime.settings.get("ocr.min_confidence", 70)),
            max_attempts=int(jobs.get("max_attempts", processing.MAX_ATTEMPTS)),
        )
        log.info("document %s: %s", document_id, outcome)
        if outcome == "processed":
            runtime.queue.submit("sync_index")  # finds the document.processed event
        return outcome
    finally:
        current_origin.reset(token)


def backscan(run_id: int) -> dict:
    """RQ entry point: register the rows of a back-scanning run (resumable: filed rows are skipped)."""
    return run_backscan(worker_runtime(), run_id)


def run_backscan(runtime, run_id: int) -> dict:
    token = current_origin.set(Origin("job"))
    try:
        return progress_of(register_backscan_run(runtime, run_id))
    finally:
        current_origin.reset(token)
