"""Token-only JSON for the working-day calendar (an administrator enters a year's published
arrangement) and for the spot-check draw's commitments and verification. Thin views over
archive.workflows.arrangements and archive.workflows.spot_draws."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from archive.web.api import token_required
from archive.web.context import db
from archive.workflows.arrangements import enter_arrangement, year_view

oversight_api = Blueprint("oversight_api", __name__, url_prefix="/api")


@oversight_api.record_once
def _exempt_api_from_csrf(state) -> None:
    state.app.extensions["csrf"].exempt(oversight_api)


@oversight_api.get("/calendar/<int:year>")
@token_required
def calendar_year(year: int):
    return jsonify(_year(year))


@oversight_api.post("/calendar/<int:year>")
@token_required
def calendar_enter(year: int):
    given = request.get_json(silent=True) or {}
    enter_arrangement(db(), g.api_user, year, holidays=given.get("holidays"),
                      workdays=given.get("workdays"), notice=given.get("notice"))
    db().commit()
    return jsonify(_year(year)), 201


def _year(year: int) -> dict:
    view = year_view(db(), year)
    entry = view.entry
    return {"year": year, "source": view.source, "estimate": view.source == "computed",
            "statutory": [{"day": day.isoformat(), "name": zh, "name_en": en}
                          for day, zh, en in view.statutory],
            "entered": None if entry is None else {
                "holidays": entry.holidays, "workdays": entry.workdays, "notice": entry.notice,
                "entered_by": entry.entered_by_name, "entered_at": entry.entered_at.isoformat()}}
