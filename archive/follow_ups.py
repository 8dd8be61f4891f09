"""Work that follows a change once it has committed: reading a document, bringing the search
index up to date, protecting a filed or held case in the store.

A service asks for it on its session (`follow_up(session, "sync_index")`), inside the change
that needs it; one listener on the runtime's session factory hands it to the job queue after
that transaction commits, and drops it if the transaction rolls back. So the web, the API, the
CLI and the jobs cannot differ in what follows a change, and nothing is queued for a change
that never happened. A queue failure is logged, not raised: the sweep finds the work again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

KEY = "archive.follow_ups"
FollowUp = tuple[str, tuple[int, ...]]  # a job's name and its arguments


def follow_up(session: Session, job: str, *args: int) -> None:
    """Queue `job(*args)` once `session`'s transaction commits (once, however often asked)."""
    wanted = session.info.setdefault(KEY, [])
    if (job, args) not in wanted:
        wanted.append((job, args))


def install(sessions: sessionmaker[Session], hand_over: Callable[[list[FollowUp]], None]) -> None:
    """Give every committed session's follow-ups, from `sessions`, to `hand_over` (the runtime
    passes archive.queue.hand_over, so this module depends on nothing of the archive)."""

    @event.listens_for(sessions, "after_commit")
    def _committed(session: Session) -> None:
        wanted = session.info.pop(KEY, [])
        if wanted:
            hand_over(wanted)

    @event.listens_for(sessions, "after_soft_rollback")
    def _rolled_back(session: Session, previous_transaction) -> None:
        if previous_transaction.parent is None:  # the outermost transaction: the change is gone
            session.info.pop(KEY, None)
