"""Archive and sign-off system for medical-insurance agencies."""

from __future__ import annotations


def create_app(runtime=None, *, settings=None):
    """The Flask app. Builds its runtime (database, store, queue) from settings unless given one."""
    from archive.web import build_app

    if runtime is None:
        from archive.runtime import make_runtime

        runtime = make_runtime(settings)
    return build_app(runtime)
