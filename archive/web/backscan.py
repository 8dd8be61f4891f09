"""Back-scanning on the archive desk (著录回溯): upload a manifest with its scans, or point at a
server folder an administrator opened (`backscan.folders`); every row is checked first and each
problem shown; a good manifest runs as a job whose progress the page follows.

Thin views over archive.backscan and archive.records.volume_lists.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup, escape

from archive import backscan
from archive.queue import submit_after_commit
from archive.records import volume_lists
from archive.web.context import db, runtime
from archive.web.desk_forms import ListedChoice, keep, share_with_templates

backscan_desk = Blueprint("backscan", __name__, url_prefix="/records/backscan")
share_with_templates(backscan_desk)


class BackscanForm(FlaskForm):
    manifest = FileField("manifest", validators=[FileRequired(message=_l(
        "Choose the manifest (CSV or XLSX)."))])
    # Blank: the scans are uploaded with the manifest.
    folder = ListedChoice("folder", default="")


def _page(*, errors=(), status: int = 200, run_id: int | None = None):
    session = db()
    shown = [{"row": e.row, "column": e.column, "reason": _reason(e)} for e in errors]
    return render_template("records/backscan.html", errors=shown, run_id=run_id,
                           runs=backscan.recent_runs(session, current_user),
                           folders=backscan.server_folders(runtime().settings)), status


def _reason(error) -> Markup | str:
    """A row's problem in the page's language: the template translated, the values it quotes
    from the manifest (names, dates, paths) marked as data, a reason inside it translated."""
    if not error.template:
        return error.reason
    values = {}
    for key, value in error.params.items():
        if hasattr(value, "pick"):
            values[key] = value.pick(get_locale())
        elif key == "reason":
            values[key] = gettext(value)
        else:
            values[key] = Markup('<span translate="no">%s</span>') % value
    return escape(gettext(error.template)) % values if values else gettext(error.template)


@backscan_desk.get("")
@login_required
def page():
    return _page(run_id=request.args.get("run", type=int))


@backscan_desk.post("")
@login_required
def start():
    rt, session = runtime(), db()
    form = BackscanForm()
    form.folder.choices = [""] + [str(folder) for folder in backscan.server_folders(rt.settings)]
    if not form.validate_on_submit():
        keep("backscan", form)
        return _page(status=400)
    manifest = form.manifest.data
    backscan.recent_runs(session, current_user, limit=0)  # refuses a user without the right first
    content, staged = manifest.read(), None
    if form.folder.data:
        folder = backscan.server_folder(rt.settings, form.folder.data)
    else:
        staged = backscan.stage_upload(rt.settings.data_dir / "backscan", [
            (upload.filename, upload.stream) for upload in request.files.getlist("files")])
        folder = backscan.upload_root(staged, manifest.filename, content)
    prepared = backscan.prepare(session, current_user, manifest_name=manifest.filename,
                                content=content, folder=folder, limits=rt.limits)
    if not prepared.ok:
        session.rollback()
        if staged is not None:
            backscan.discard_upload(staged)
        return _page(errors=prepared.errors, status=422)
    run = backscan.start_run(session, current_user, manifest_name=manifest.filename, folder=folder,
                             prepared=prepared)
    session.commit()
    submit_after_commit(rt, "backscan", run.id)
    return redirect(url_for("backscan.page", run=run.id))


@backscan_desk.get("/runs/<int:run_id>")
@login_required
def progress(run_id: int):
    return jsonify(backscan.progress_of(backscan.get_run(db(), current_user, run_id)))


@backscan_desk.post("/runs/<int:run_id>/resume")
@login_required
def resume(run_id: int):
    backscan.get_run(db(), current_user, run_id)
    submit_after_commit(runtime(), "backscan", run_id)
    return redirect(url_for("backscan.page", run=run_id))


@backscan_desk.get("/list")
@login_required
def volume_list():
    session, args = db(), request.args
    if args.get("kind") == "transfer":
        volumes = volume_lists.transfer_list(session, current_user, fonds_code=args.get("fonds", ""),
                                             year=args.get("year", 0, type=int),
                                             run_id=args.get("run", type=int))
    else:
        volumes = volume_lists.filing_list(session, current_user, args.get("month", ""))
    if args.get("format") == "pdf":
        return Response(volume_lists.as_pdf(volumes), mimetype="application/pdf")
    return Response(volume_lists.as_xlsx(volumes), headers={
        "Content-Disposition": "attachment; filename=volumes.xlsx"},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
