"""The document viewer: one page at a time, its image beside the text and fields read from it."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from archive.access import get_document
from archive.auth import can, require
from archive.cases import view_document
from archive.intake.field_corrections import correct_field, field_rows
from archive.previews import SIZES, NoSuchPage, page_image
from archive.records.errors import Invalid
from archive.web.case_forms import FieldCorrectionForm
from archive.web.context import db, runtime
from archive.web.desk_forms import place_refusal
from archive.web.i18n import field_label
from archive.workflows import findings_of

documents = Blueprint("documents", __name__)


@documents.route("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    return viewer_page(document_id, request.args.get("page", 1, type=int))


def viewer_page(document_id: int, number: int, *, correction: dict | None = None, status: int = 200):
    """The viewer; `correction` is a refused correction ({field, form}) shown again beside its
    field with what was typed and each error beside its input, so nothing typed is lost."""
    require(current_user, "case.view")
    # A refused correction shows the viewer again: not a new view (a refusal leaves no trace).
    document = (get_document(db(), current_user, document_id) if correction
                else view_document(db(), current_user, document_id, number))
    if not 1 <= number <= max(document.page_count, 1):
        abort(404, description=_("There is no page %(number)s: the document has %(count)s.",
                                  number=number, count=document.page_count))
    db().commit()
    page = next((p for p in document.pages if p.number == number), None)
    may_correct = can(current_user, "document.correct")
    return render_template("documents/show.html", document=document, case=document.case,
                           number=number, page=page, may_correct=may_correct,
                           fields=field_rows(document, may_correct=may_correct),
                           case_findings=findings_of(db(), document.case),
                           may_download=can(current_user, "document.download"),
                           correction=correction or {}), status


@documents.post("/documents/<int:document_id>/fields/<field>")
@login_required
def correct(document_id: int, field: str):
    """The inline correction form of the viewer (CSRF checked by CSRFProtect for every POST)."""
    form = FieldCorrectionForm()
    page = form.page.data or 1
    if form.validate_on_submit():
        try:
            correction = correct_field(db(), document_id, actor=current_user, field=field,
                                       value=form.value.data, reason=form.reason.data)
        except Invalid as refusal:  # a value that does not check out, no reason: say so beside it
            db().rollback()
            place_refusal(form, refusal, refusal.message(_))
        else:
            kind = correction.document.kind
            db().commit()
            flash(_("%(field)s corrected; the checks ran again.", field=field_label(kind, field)),
                  "success")
            return redirect(url_for("documents.show", document_id=document_id, page=page,
                                    _anchor=f"field-{field}"))
    return viewer_page(document_id, page, status=422, correction={"field": field, "form": form})


@documents.route("/documents/<int:document_id>/pages/<int:number>/<size>.jpg")
@login_required
def image(document_id: int, number: int, size: str):
    # Not audited on its own: the case page and the viewer that show these images are.
    require(current_user, "case.view")
    # A scan cannot be masked (text-layer pages have no word boxes to black out), so like the
    # original it is for people who may see personal identifiers (roles.toml "identifiers.view").
    require(current_user, "identifiers.view")
    if size not in SIZES:
        abort(404)
    document = get_document(db(), current_user, document_id)
    rt = runtime()
    try:
        path = page_image(rt.store, document, number, size, cache_dir=rt.preview_dir,
                          tmp_dir=rt.tmp_dir, max_bytes=rt.limits.max_bytes * 4, limits=rt.limits)
    except NoSuchPage as missing:
        abort(404, description=str(missing))
    # A few hundred kilobytes: read whole, so no file handle outlives the request.
    response = Response(path.read_bytes(), mimetype="image/jpeg")
    # Medical records: kept in no cache, the browser's included (a shared desk's next user).
    response.headers["Cache-Control"] = "private, no-store"
    return response
