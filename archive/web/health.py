"""GET /healthz: database, object store, queue and index, 200 if all usable, else 503."""

from __future__ import annotations

from flask import Blueprint, jsonify

from archive.health import check_all
from archive.web.context import runtime

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    report = check_all(runtime())
    return jsonify(report), 200 if report["ok"] else 503
