"""Flask wiring: blueprints, sessions, sign-in, language, security headers, error pages."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from flask import Flask, current_app, g, request
from flask_babel import Babel, get_locale
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from archive.audit import Origin, current_origin
from archive.auth import can
from archive.config import REPO_ROOT, ensure_secret_key
from archive.intake.field_corrections import LIST_FIELDS
from archive.records.masking import mask, may_see_identifiers
from archive.web import errors, route_permissions
from archive.web.admin import admin
from archive.web.api import api
from archive.web.auth import auth, load_user
from archive.web.backscan import backscan_desk
from archive.web.cases import cases
from archive.web.claims import claims
from archive.web.dashboard import dashboard
from archive.web.documents import documents
from archive.web.health import health
from archive.web.i18n import (
    LANGUAGES,
    action_label,
    claim_type_label,
    field_label,
    field_value,
    finding_text,
    item_cell,
    item_columns,
    kind_label,
    label,
    lang_url,
    local_time,
    money,
    select_locale,
    status_label,
)
from archive.web.loans import loans
from archive.web.notices import notices
from archive.web.oversight import oversight
from archive.web.providers import register as providers
from archive.web.records import records
from archive.web.search import search_desk
from archive.web.statistics import statistics
from archive.web.workflow import workflow
from archive.web.workflow_reports import reports

log = logging.getLogger("archive.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def build_app(runtime) -> Flask:
    settings = runtime.settings
    app = Flask("archive", template_folder=str(REPO_ROOT / "templates"),
                static_folder=str(REPO_ROOT / "archive" / "web" / "static"))
    # Every value a template prints passes here: one choke point for masking identifiers on
    # every page (set before the first use of app.jinja_env, which the extensions below make).
    app.jinja_options = {**app.jinja_options, "finalize": _printed}
    app.config.update(
        SECRET_KEY=ensure_secret_key(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 10 + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.get("app.secure_cookies")),
        # Sent on every answer: behind a TLS proxy the app sees plain HTTP, and a browser
        # ignores the header on a plain-HTTP answer anyway. Only with secure cookies.
        HSTS_SECONDS=int(settings.get("app.hsts_seconds") or 0) if settings.get("app.secure_cookies") else 0,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=int(settings.get("app.session_idle_minutes"))),
        BABEL_DEFAULT_LOCALE=settings.get("app.default_locale"),
        BABEL_TRANSLATION_DIRECTORIES=str(REPO_ROOT / "archive" / "translations"),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        DISPLAY_TIMEZONE=settings.get("app.timezone", "Asia/Shanghai"),
    )
    app.extensions["archive"] = runtime

    csrf = CSRFProtect(app)
    csrf.exempt(api)  # token-only; see archive.web.api
    Babel(app, locale_selector=select_locale)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = None
    login.user_loader(load_user)

    for blueprint in (auth, cases, dashboard, documents, api, health, workflow, reports, records,
                      search_desk, admin, loans, claims, notices, oversight, backscan_desk,
                      providers, statistics):
        app.register_blueprint(blueprint)
    missing = route_permissions.undeclared(app) + route_permissions.unknown_permissions()
    if missing:
        raise RuntimeError("archive/web/route_permissions.py: no permission declared for "
                           f"{', '.join(missing)}")
    _limit_sign_in(app, settings)
    errors.register(app)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, get_locale=get_locale, status_label=status_label,
        claim_type_label=claim_type_label, kind_label=kind_label, action_label=action_label,
        field_label=field_label, field_value=field_value, can=can, item_columns=item_columns,
        item_cell=item_cell, LIST_FIELDS=LIST_FIELDS, lang_url=lang_url, finding_text=finding_text)
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["label"] = label

    app.before_request(_start_request)
    app.before_request(_check_route)
    app.after_request(_mask_json)
    app.after_request(_finish_request)
    app.teardown_appcontext(_close_session)
    return app


def _limit_sign_in(app: Flask, settings) -> None:
    # Per client address, across accounts: the per-account lockout alone would let one
    # address try a common password on every account. Counted in redis when there is one, so
    # that several web processes share the count.
    limiter = Limiter(get_remote_address, app=app, storage_uri=settings.get("redis.url") or "memory://",
                      swallow_errors=True)
    limit = limiter.limit(settings.get("login.rate_limit", "30 per minute"), methods=["POST"])
    app.view_functions["auth.login"] = limit(app.view_functions["auth.login"])


def _start_request() -> None:
    g.started = time.perf_counter()
    g.request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
    channel = "api" if request.path.startswith("/api/") else "web"
    g.origin_token = current_origin.set(Origin(channel, g.request_id, request.remote_addr))


def _check_route():
    # The API's gate runs once its token names the person (archive.web.api.token_required).
    if route_permissions.is_public(request.endpoint) or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    route_permissions.check(current_user, request.endpoint)
    return None


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        # Pages, JSON and images carry personal data (and a new token is shown once): no
        # cache keeps them, in the browser or on the way.
        response.headers["Cache-Control"] = "private, no-store"
    hsts = current_app.config["HSTS_SECONDS"]
    if hsts:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    if request.path != "/healthz":
        log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": {
            "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        }})
    return response


def _masking() -> bool:
    """Whether this request's user sees identifiers masked (decided once per request)."""
    if "mask_identifiers" not in g:
        user = g.get("api_user") or current_user
        g.mask_identifiers = not may_see_identifiers(user)
    return g.mask_identifiers


def _printed(value):
    if isinstance(value, str) and value and _masking():
        return mask(value)
    return value


def _mask_json(response):
    # The API, the case page's status polling and every other JSON answer.
    if response.is_json and not response.direct_passthrough and _masking():
        response.set_data(mask(response.get_data(as_text=True)))
    return response


def _close_session(_exc) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
    token = g.pop("origin_token", None)
    if token is not None:
        current_origin.reset(token)
