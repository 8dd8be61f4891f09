"""Every failure becomes a clear message with the right status; never a stack trace."""

from __future__ import annotations

import logging
from functools import wraps

from flask import g, jsonify, render_template, request
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from archive.errors import Refusal
from archive.storage import StoreError

log = logging.getLogger("archive.web")

HTTP_TEXTS = {
    400: _l("The request could not be understood; check what was sent and try again."),
    401: _l("Sign in to see this page."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is no such page. Check the address, or go back and follow a link."),
    405: _l("This address does not accept that kind of request."),
    409: _l("The request conflicts with the current state; reload the page and try again."),
    410: _l("This page is no longer available."),
    413: _l("The upload is too large."),
    415: _l("This kind of content is not accepted here."),
    422: _l("The request could not be processed; check what was sent."),
    429: _l("Too many requests; wait a minute and try again."),
    500: _l("Something went wrong on our side; it has been logged. Please try again."),
    503: _l("The service is not available right now; try again later."),
}


def _reply(status: int, code: str, message: str):
    if request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "fetch":
        return jsonify(error=code, message=message), status
    return render_template("errors/error.html", code=status, message=message), status


def _rolled_back(handler):
    """Every handler starts from a clean session: a refused action writes nothing, and a flush
    that failed (the loser of two simultaneous decisions) leaves the session unusable until it
    is rolled back — and the answer needs it, for the user's language, name and menus."""

    @wraps(handler)
    def handle(exc):
        session = g.get("db")
        if session is not None:
            session.rollback()
        return handler(exc)

    return handle


def register(app) -> None:
    def handles(kind):
        return lambda handler: app.errorhandler(kind)(_rolled_back(handler))

    @handles(Refusal)
    def refused(exc: Refusal):
        # Intake, records, workflow, access, permission and parameter refusals alike: the
        # status and code are the refusal's, the text is translated now, for this reader.
        return _reply(exc.status, exc.code,
                      exc.message(_, get_locale(), get_translations().ngettext))

    @handles(CSRFError)
    def csrf(exc: CSRFError):
        return _reply(400, "csrf", _("The form has expired or lacks its security token; "
                                     "reload the page and try again."))

    @handles(RequestEntityTooLarge)
    def too_large(exc):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _reply(413, "too_large", _("The upload is larger than %(mb)s MB.", mb=limit))

    @handles(StoreError)
    def store_down(exc: StoreError):
        log.error("object store error: %s", exc)
        return _reply(503, "store_unavailable", _("The document store is not available right "
                                                  "now; nothing was saved. Try again later."))

    @handles(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        return _reply(429, "rate_limited", _("Too many sign-in attempts from your address; wait "
                                             "a minute and try again."))

    @handles(HTTPException)
    def http_error(exc: HTTPException):
        # The framework's own text is English only: the reader gets ours, by status code (a
        # description a view gave on purpose is kept).
        default = exc.description == type(exc).description
        text = HTTP_TEXTS.get(exc.code or 500) if default else None
        return _reply(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"),
                      str(text) if text is not None else exc.description or exc.name)

    @handles(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return _reply(500, "internal_error", _("Something went wrong on our side; it has been "
                                                "logged. Please try again."))
