"""The dashboard (工作台) each user lands on: their queue in numbers and their weekly work."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from archive.case_lists import saved_views, still_at_intake
from archive.dashboard import dashboard as build_dashboard
from archive.dashboard import deadline_counts
from archive.web.context import db
from archive.web.live import IDLE_MS, live_response, state_version

dashboard = Blueprint("dashboard", __name__)

SERIES_LABELS = {"signed_by_me": _l("Steps signed by me"),
                 "signed_by_role": _l("Steps signed by my role"),
                 "opened_by_me": _l("Cases opened by me"), "opened": _l("Cases opened at intake"),
                 "filed": _l("Cases filed in the archive")}


@dashboard.app_template_global()
def series_label(name: str) -> str:
    return str(SERIES_LABELS.get(name, name))


@dashboard.route("/dashboard")
@login_required
def index():
    shown = build_dashboard(db(), current_user, zone=current_app.config["DISPLAY_TIMEZONE"])
    return render_template("dashboard/index.html", board=shown, views=saved_views(db(), current_user),
                           **_tiles_context(shown.deadlines))


@dashboard.route("/dashboard/live")
@login_required
def live():
    """The dashboard's counts drawn afresh (archive.web.live), as cases arrive and leave."""
    context = _tiles_context(deadline_counts(db(), current_user))
    return live_response(context["live_version"], False, TILE_PARTS, context)


TILE_PARTS = {"tiles": "dashboard/_tiles.html"}


def _tiles_context(deadlines) -> dict:
    at_intake = still_at_intake(db(), current_user, limit=0)[1]
    return dict(deadlines=deadlines, at_intake=at_intake, live_idle_ms=IDLE_MS,
                live_version=state_version([deadlines, at_intake]))
