"""Everything a process needs to do work, built once from settings by its entry point."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive import follow_ups
from archive.config import Settings, ensure_secret_key, load_settings
from archive.db import make_engine, make_session_factory
from archive.files.spool import clean_stale
from archive.files.validate import Limits
from archive.queue import hand_over, make_queue
from archive.search.backend import open_backend
from archive.statistics import totals as statistics_totals
from archive.storage import ObjectStore, make_store
from archive.workflows.spot_draws import SEAL_KEY, seal_key_of


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: ObjectStore
    limits: Limits
    queue: object = field(default=None)  # archive.queue.JobQueue, attached by make_runtime
    _search_index: object = field(default=None, repr=False)

    @property
    def tmp_dir(self) -> Path:
        return self.settings.data_dir / "tmp"

    @property
    def preview_dir(self) -> Path:
        """Rendered page images: a cache, safe to delete (see archive.previews)."""
        return self.settings.data_dir / "cache" / "pages"

    @property
    def index_dir(self) -> Path:
        return self.settings.data_dir / "index"

    def search_index(self):
        """The search index, opened (or rebuilt from the database) on first use."""
        if self._search_index is None:
            self._search_index = open_backend(self)  # search.backend: whoosh or postgres
        return self._search_index


# Files this process creates — the database, originals, page images, backups, exports — hold
# personal data: owner read-write, group read, others nothing (0640, directories 0750).
PRIVATE_UMASK = 0o027


def session_info(settings: Settings) -> dict:
    """Keys every session carries, derived from the installation's secret (outside the
    database): the spot-check seeds are sealed with one (archive.workflows.spot_draws)."""
    return {SEAL_KEY: seal_key_of(ensure_secret_key(settings))}


def make_runtime(settings: Settings | None = None) -> Runtime:
    os.umask(PRIVATE_UMASK)
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine, info=session_info(settings)),
        store=make_store(settings),
        limits=Limits.from_settings(settings),
    )
    runtime.queue = make_queue(runtime)
    follow_ups.install(runtime.sessions, partial(hand_over, runtime))
    statistics_totals.install(runtime.sessions)
    # Every entry point (serve, worker, init, the CLI) starts here: uploads a killed process
    # left spooled are removed before this one spools its own.
    clean_stale(runtime.tmp_dir, older_than_hours=float(settings.get("intake.stale_tmp_hours", 24)))
    return runtime
