"""Object stores for original files. `make_store(settings)` picks one by `store.backend`."""

from __future__ import annotations

from collections.abc import Callable

from archive.storage.base import ObjectMissing, ObjectStore, PutItem, StoreError, key_for_sha256
from archive.storage.local import LocalStore

__all__ = ["ObjectMissing", "ObjectStore", "PutItem", "StoreError", "key_for_sha256", "make_store"]


def _local(settings) -> ObjectStore:
    return LocalStore(settings.get("store.path"))


def _s3(settings) -> ObjectStore:
    from archive.storage.s3 import S3Store

    return S3Store.from_settings(settings.section("store"))


BACKENDS: dict[str, Callable[..., ObjectStore]] = {"local": _local, "s3": _s3}


def make_store(settings) -> ObjectStore:
    backend = settings.get("store.backend")
    try:
        return BACKENDS[backend](settings)
    except KeyError:
        raise StoreError(f"unknown store backend {backend!r}; use one of {sorted(BACKENDS)}") from None
