"""Live parts of a desk page (issue 20: one mechanism for all desks).

A page marks the parts that follow processing with `data-live="NAME"`; one of them carries
`data-live-url` (where to ask), `data-version` (what the page shows) and `data-pending` (something
is still being read: ask again soon) or `data-live-idle` (ask again after that many ms even when
nothing is being read, for desks whose rows also change by other people's work). The endpoint
answers {"version", "pending", "parts": {name: html}}, or 304 when the browser already has that
version; static/app.js swaps all the parts at once. The case page, the work queue and the
dashboard use it.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app, jsonify, render_template
from flask import request as flask_request
from flask_babel import get_locale

# How often a desk without anything being read asks again (ms): other people's work changes it.
IDLE_MS = 10000


def state_version(state) -> str:
    """A short digest of everything a live part is drawn from (JSON-able), in the page's language
    (the parts are drawn in it): it changes exactly when the drawn parts would."""
    text = json.dumps([state, str(get_locale())], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def live_response(version: str, pending: bool, parts: dict[str, str], context: dict):
    """The live endpoint's answer: `parts` maps names to templates, drawn with `context` only
    when the browser's version (If-None-Match) is not `version`."""
    if version in flask_request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = jsonify(version=version, pending=pending,
                           parts={name: render_template(template, **context)
                                  for name, template in parts.items()})
    response.set_etag(version)
    response.headers["Cache-Control"] = "no-store"
    return response
