"""Serving the app from threads (waitress): the interpreter settings that go with it."""

from __future__ import annotations

import sys

# How long (seconds) a thread may keep the GIL while another waits for it. Python's default,
# 5 ms, hurts a threaded server that holds a database lock across round trips: each time the
# thread holding the audit chain's lock comes back from the database it waits up to this long
# for the GIL, so the lock is held for several of these intervals and every decision queues
# behind it (benchmarks/workflow.py: chain lock held p50 ~20 ms under load at 5 ms).
SWITCH_INTERVAL_SECONDS = 0.0005


def tune_for_threads(switch_interval: float = SWITCH_INTERVAL_SECONDS) -> None:
    """Called by `archive serve` (and the benchmark that stands in for it) before serving."""
    sys.setswitchinterval(switch_interval)
