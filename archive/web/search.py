"""The search desk (档案检索): free text and fields, facets, highlighted snippets, pages."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from archive.auth import can, require
from archive.errors import template_text
from archive.models.cases import DOCUMENT_KINDS
from archive.records.masking import may_see_identifiers
from archive.search import IdentifierRefused, read_params
from archive.search import search as run_search
from archive.web.context import db, runtime
from archive.web.i18n import STATUS_LABELS, as_data, kind_label, status_label

search_desk = Blueprint("search", __name__)

CASE_STATUSES = ("intake", "in_review", "returned", "rejected", "approved", "paid")
NOTICES = {
    "unbalanced_quote": _l("A quotation mark has no partner; the query was searched as plain text."),
    "unknown_field": _l("There is no field “%(value)s”; it was searched as plain text."),
    "empty_value": _l("Nothing follows “%(value)s:”; that part was left out."),
    "single_character": _l("“%(value)s” is a single character, so only exact fields (such as a "
                           "one-character name) were searched. Type two or more characters to "
                           "search the text."),
    "bad_date": _l("“%(value)s” is not a date (YYYY-MM-DD) and was ignored."),
    "bad_amount": _l("“%(value)s” is not an amount and was ignored."),
    "unknown_sort": _l("Unknown sort order; sorted by relevance."),
}
SORT_LABELS = {"relevance": _l("relevance"), "date": _l("date, newest first"),
               "-date": _l("date, oldest first"), "amount": _l("amount, largest first"),
               "-amount": _l("amount, smallest first"), "opened": _l("case opened, newest first")}


@search_desk.route("/search")
@login_required
def page():
    require(current_user, "search.use")  # the service checks too; this spares the parsing
    params = read_params(request.args, strict=False)
    result, status = None, 200
    if not params.empty:
        try:
            result = run_search(db(), runtime().search_index(), current_user, params.query,
                                filters=params.filters, sort=params.sort, page=params.page,
                                page_size=params.page_size)
            db().commit()  # every search is an audit event
        except IdentifierRefused as refused:  # the form again, saying why nothing was searched
            params.problems.append(refused)
            status = 400
    return render_template("search/index.html", params=params, result=result,
                           kinds=DOCUMENT_KINDS, statuses=CASE_STATUSES, steps=step_choices(),
                           sorts=SORT_LABELS), status


@search_desk.app_errorhandler(IdentifierRefused)
def identifiers_hidden(refused: IdentifierRefused):
    """The API's answer (and any other page's) to an exact search by a masked identifier."""
    message = refused_text(refused)
    if request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "fetch":
        return jsonify(error=refused.code, message=message), 400
    return render_template("errors/error.html", code=400, message=message), 400


def refused_text(refused: IdentifierRefused) -> str:
    return _("Searching by an ID or phone number (“%(name)s”) needs the right to see "
             "identifiers, which your role does not have; nothing was searched. Search by name, "
             "case number or invoice number instead.", name=refused.name)


@search_desk.app_template_global()
def may_search() -> bool:
    return can(current_user, "search.use")


@search_desk.app_template_global()
def may_search_identifiers() -> bool:
    """Only someone who sees ID numbers in full may search by them (the form offers the field)."""
    return may_see_identifiers(current_user)


@search_desk.app_template_global()
def notice_text(notice) -> str:
    message = NOTICES.get(notice.code)
    return str(message) % {"value": notice.value} if message is not None else notice.message


@search_desk.app_template_global()
def problem_text(problem) -> str:
    if isinstance(problem, IdentifierRefused):
        return refused_text(problem)
    # The parameter, what was typed and the values allowed are codes and data, marked so.
    reason = problem.reason_text
    values = {key: as_data(value) for key, value in reason.params.items()}
    template = template_text(reason.template, reason.params, _)
    return Markup(escape(_("The value of “%(name)s” was ignored: %(reason)s"))) % {
        "name": as_data(problem.name),
        "reason": Markup(escape(template)) % values if values else template}


@search_desk.app_template_global()
def facet_label(name: str, value: str) -> str:
    if name == "kind":
        return kind_label(value)
    if name == "status":
        return status_label(value) if value in STATUS_LABELS else value
    return value


@search_desk.app_template_global()
def search_url(**changes) -> str:
    """This search with some parameters changed: toggle=(name, value) ticks or unticks a facet
    value; page=N moves; anything else replaces. Any change but page starts at page 1."""
    args = request.args.copy()
    toggle = changes.pop("toggle", None)
    if toggle is not None:
        name, value = toggle
        values = args.getlist(name)
        args.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    for name, value in changes.items():
        args[name] = value
    if "page" not in changes:
        args.pop("page", None)
    return url_for("search.page", **args.to_dict(flat=False))


@cache
def _steps() -> tuple[tuple[str, object], ...]:
    from archive.signoff.definitions import registry

    seen: dict[str, object] = {}
    for definition in registry().definitions.values():
        for step in definition.steps:
            seen.setdefault(step.id, step.label)
    return tuple(seen.items())


def step_choices() -> list[tuple[str, str]]:
    from archive.web.workflow import pick

    return [(step_id, pick(label)) for step_id, label in _steps()]
