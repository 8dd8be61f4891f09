"""Work that follows a change once it has committed: reading a document, bringing the search
index up to date, protecting a filed or held case in the store.

A service asks for it on its session (`follow_up(session, "sync_index")`), inside the change
that needs it; one listener on the runtime's session factory hands it to the job queue after
that transaction commits, and drops it if the transaction rolls back. So the web, the API, the
CLI and the jobs cannot differ in what follows a change, and nothing is queued for a change
that never happened. A queue failure is logged, not raised: the sweep finds the work again.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

KEY = "archive.follow_ups"


def follow_up(session: Session, job: str, *args: int) -> None:
    """Queue `job(*args)` once `session`'s transaction commits (once, however often asked)."""
    wanted = session.info.setdefault(KEY, [])
    if (job, args) not in wanted:
        wanted.append((job, args))


def install(sessions: sessionmaker[Session], runtime) -> None:
    """Run every session's follow-ups, from `sessions`, through `runtime`'s queue."""

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        wanted = session.info.pop(KEY, [])
        if wanted:
            _hand_over(runtime, wanted)

    @event.listens_for(sessions, "after_soft_rollback")
    def _rolled_back(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:  # the outermost transaction: the change is gone
            session.info.pop(KEY, None)


def _hand_over(runtime, wanted: list[tuple[str, tuple[int, ...]]]) -> None:
    from archive.queue import enqueue_processing, submit_after_commit

    documents = [args[0] for job, args in wanted if job == "process_document"]
    if documents:
        enqueue_processing(runtime, documents)
    for job, args in wanted:
        if job != "process_document":
            submit_after_commit(runtime, job, *args)
