"""The case desk: list and open cases, upload files, watch them being processed, download."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from archive.access import get_case, get_document
from archive.amounts import yuan_to_fen
from archive.auth import can
from archive.case_export import export_case
from archive.case_lists import (
    STATUS_TABS,
    ViewRefused,
    delete_view,
    list_cases,
    save_view,
    saved_views,
    view_query,
)
from archive.case_snapshot import case_snapshot
from archive.cases import actor_names, case_history, document_states, view_case
from archive.errors import Refusal
from archive.files.validate import Rejected
from archive.intake.cases import open_case
from archive.intake.corrections import reclassify_document
from archive.models.cases import CLAIM_TYPES, DOCUMENT_KINDS, FILERS
from archive.models.types import utcnow
from archive.ocr.checks import valid_id_number
from archive.records.summary import retention_record
from archive.web.auth import safe_next
from archive.web.case_forms import DecisionForm, KindForm, SavedViewForm
from archive.web.case_lists import SORT_LABELS, CaseFilterForm
from archive.web.context import db, runtime
from archive.web.desk_forms import AMOUNT, FILL_IN, TOO_LONG, place_refusal
from archive.web.downloads import attachment, original_response
from archive.web.i18n import status_label
from archive.web.live import live_response
from archive.web.uploads import ingest_request_files
from archive.workflows import queue_neighbours
from archive.workflows.returns import missing_label

cases = Blueprint("cases", __name__)

# The intake checklist: a required document is read, still being read, or missing.
CHECKLIST_STATES = {"present": _l("received and read"), "reading": _l("received, being read"),
                    "missing": _l("missing"), "todo": _l("to do: upload it"),
                    "waiting": _l("waiting: a document is still being recognised")}


@cases.app_template_global()
def checklist_state(state: str) -> str:
    return str(CHECKLIST_STATES.get(state, state))


VIEW_NAME = _l("Give the view a name of at most 64 characters.")
TOO_MANY_VIEWS = _l("You have too many saved views: delete one first.")


class CaseForm(FlaskForm):
    """The new-case form; each field's error is shown beside it. The service checks again."""

    claimant_name = StringField("claimant_name", validators=[DataRequired(message=FILL_IN),
                                                             Length(max=64, message=TOO_LONG)])
    claimant_id_number = StringField("claimant_id_number", validators=[
        Optional(), Length(max=32, message=TOO_LONG)])
    insurance_number = StringField("insurance_number", validators=[
        Optional(), Length(max=64, message=TOO_LONG)])
    claim_type = StringField("claim_type", validators=[DataRequired(), AnyOf(CLAIM_TYPES)])
    township = StringField("township", validators=[Optional(), Length(max=64)])
    village = StringField("village", validators=[Optional(), Length(max=64)])
    amount = StringField("amount", validators=[Optional(), Length(max=20)])
    out_of_county = BooleanField("out_of_county")
    non_designated = BooleanField("non_designated")
    hospital = StringField("hospital", validators=[Optional(), Length(max=128)])
    filed_by = StringField("filed_by", validators=[Optional(), AnyOf(("", *FILERS))])

    def validate_amount(self, field) -> None:
        if field.data and yuan_to_fen(field.data) is None:  # the one parser: 元, ￥, 全角, 1,234.5
            raise ValidationError(AMOUNT)

    def validate_claimant_id_number(self, field) -> None:
        number = (field.data or "").strip().upper().replace(" ", "")
        if number and not valid_id_number(number, utcnow().date()):
            raise ValidationError(_l("This ID number is not valid: check the 18 characters, the "
                                     "birth date and the last character."))


RETURN_STATES = {"supplied": _l("supplied since the return"), "to_correct": _l("still missing"),
                 "asked": _l("to correct")}


@cases.app_template_global()
def return_state(state: str) -> str:
    return str(RETURN_STATES.get(state, state))


@cases.app_template_global()
def missing_labels(items: list[str]) -> str:
    """What a return asked for, in the page's language: document kinds by name."""
    return "; ".join(missing_label(item).pick(get_locale()) for item in items)


@cases.app_template_global()
def list_tab_label(tab: str) -> str:
    return str(_l("All")) if tab == "all" else str(_l("Filed")) if tab == "filed" else status_label(tab)


@cases.app_template_global()
def review_neighbours(case_no: str) -> tuple[str | None, str | None]:
    """Previous and next case in the signed-in user's work queue (j / k on the review desk)."""
    return queue_neighbours(db(), current_user, case_no)


@cases.route("/")
@login_required
def home():
    return redirect(url_for("dashboard.index"))


@cases.route("/cases")
@login_required
def index():
    return _index_page(request.args)


def _index_page(params, save_form: SavedViewForm | None = None):
    form = CaseFilterForm(formdata=params)
    valid = form.validate()
    listing = list_cases(db(), current_user, form.filters(),
                         page=request.args.get("page", 1, type=int))
    status = 422 if save_form is not None else 200 if valid else 400
    return render_template("cases/index.html", listing=listing, form=form, tab_names=STATUS_TABS,
                           claim_types=CLAIM_TYPES, sort_labels=SORT_LABELS,
                           query=view_query(params), views=saved_views(db(), current_user),
                           save_form=save_form or SavedViewForm(formdata=None),
                           may_create=can(current_user, "case.create")), status


@cases.post("/cases/views")
@login_required
def save_list_view():
    form = SavedViewForm()
    # The list's parameters come along as hidden fields: the saved view keeps the known ones.
    query = view_query(request.form)
    if not form.validate_on_submit():
        return _index_page(MultiDict(query), form)
    try:
        save_view(db(), current_user, form.name.data, query)
    except ViewRefused as refusal:
        db().rollback()
        form.name.errors = [str(TOO_MANY_VIEWS if str(refusal) == "too_many" else VIEW_NAME)]
        return _index_page(MultiDict(query), form)
    db().commit()
    flash(_("View saved; it is on your dashboard."), "success")
    return redirect(url_for("cases.index", **query))


@cases.post("/cases/views/<int:view_id>/delete")
@login_required
def delete_list_view(view_id: int):
    if delete_view(db(), current_user, view_id):
        db().commit()
        flash(_("View deleted."), "success")
    # Back to the page it was deleted from (the dashboard or the list), never another site.
    return redirect(safe_next(request.form.get("next")))


@cases.route("/cases/new", methods=["GET", "POST"])
@login_required
def new():
    form = CaseForm()
    if not can(current_user, "case.create"):
        return render_template("errors/error.html", code=403,
                               message=_("Your role may not open cases.")), 403
    if form.validate_on_submit():
        try:
            case = open_case(db(), actor=current_user, **{
                name: form[name].data for name in
                ("claimant_name", "claimant_id_number", "insurance_number", "claim_type", "township",
                 "village", "amount", "out_of_county", "hospital", "filed_by")
            }, designated_provider=not form.non_designated.data)
        except Rejected as refusal:
            db().rollback()
            # The clerk keeps what was typed and sees what to fix.
            return render_template("cases/new.html", form=form, claim_types=CLAIM_TYPES,
                                   refusal=refusal.message(_, get_locale())), refusal.status
        db().commit()
        flash(_("Case %(case_no)s opened.", case_no=case.case_no), "success")
        return redirect(url_for("cases.show", case_no=case.case_no))
    status = 400 if form.errors else 200
    return render_template("cases/new.html", form=form, claim_types=CLAIM_TYPES), status


@cases.route("/cases/<case_no>")
@login_required
def show(case_no: str):
    return case_page(case_no)


def case_page(case_no: str, *, forms: dict | None = None, decision_draft: dict | None = None) -> str:
    """The case page; `forms` are refused forms of the page by name ("decision", "resolve",
    "adjust", "kind"), shown again with what was typed and each error beside its field;
    `decision_draft` has the step's typed findings ({"findings", "finding_label",
    "finding_error"}), which the decision form does not name."""
    # A refused form shows the page again: not a new view (a refusal leaves no trace).
    case = get_case(db(), current_user, case_no) if forms else view_case(db(), current_user, case_no)
    snapshot = case_snapshot(db(), current_user, case)
    db().commit()
    focus = _focus()
    pages = [(d.id, n) for d in case.documents for n in range(1, d.page_count + 1)]
    # Who opened the case fills the history: shown only on request (?views=1).
    with_views = request.args.get("views") == "1"
    history = case_history(db(), current_user, case, with_views=with_views)
    return render_template("cases/show.html", **_live_context(snapshot, focus),
                           page_steps=_page_steps(pages, focus),
                           history=history, history_names=actor_names(db(), history),
                           with_views=with_views,
                           records=retention_record(db(), case),
                           records_may={"hold": can(current_user, "records.hold")},
                           may_upload=can(current_user, "document.upload"),
                           may_export=can(current_user, "case.export"),
                           case_forms={"decision": DecisionForm(formdata=None), **(forms or {})},
                           decision_draft=decision_draft or {})


# The parts of the case page that follow the documents as they are read, by their data-live name.
LIVE_PARTS = {"checklist": "cases/_checklist.html", "documents": "cases/_documents.html",
              "verdict": "cases/_verdict.html", "computation": "cases/_computation.html"}


def _focus() -> tuple[int | None, int]:
    # Opened from a search hit: ?document=ID&page=N shows that page's text under the document.
    return request.args.get("document", type=int), request.args.get("page", 1, type=int)


def _live_context(snapshot, focus) -> dict:
    """What the case page's live parts are drawn from: one snapshot, for the page and its refresh."""
    return dict(case=snapshot.case, snapshot=snapshot, checklist=snapshot.checklist,
                case_findings=snapshot.findings, workflow=snapshot.workflow,
                return_note=snapshot.return_note, kinds=DOCUMENT_KINDS, focus=focus,
                may_download=can(current_user, "document.download"),
                may_classify=can(current_user, "document.classify"),
                # The parts are drawn in the page's language: a version per language.
                live_version=f"{snapshot.version}-{get_locale()}")


@cases.route("/cases/<case_no>/live")
@login_required
def live(case_no: str):
    """The case page's live parts drawn afresh, as HTML by name, with the snapshot's version:
    {"version", "pending", "parts": {name: html}}; 304 when the browser already has this version
    (in this language). The page swaps them all at once (archive.web.live, static/app.js)."""
    snapshot = case_snapshot(db(), current_user, get_case(db(), current_user, case_no))
    context = _live_context(snapshot, _focus())
    return live_response(context["live_version"], snapshot.pending, LIVE_PARTS, context)


@cases.route("/cases/<case_no>/documents", methods=["POST"])
@login_required
def upload(case_no: str):
    results, status = ingest_request_files(case_no, current_user,
                                           kind=request.form.get("kind") or None)
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(results=results), status
    for result in results:
        if "error" in result:
            flash(_("%(name)s: refused: %(reason)s", name=result["filename"],
                    reason=result["error"]), "error")
        else:
            flash(_("%(name)s: received", name=result["filename"]), "success")
    return redirect(url_for("cases.show", case_no=case_no))


@cases.route("/cases/<case_no>/documents.json")
@login_required
def states(case_no: str):
    """Each document's state and the checklist as JSON, for scripts; the case page itself
    refreshes through `live`. Read from the same snapshot, so the two never disagree."""
    snapshot = case_snapshot(db(), current_user, get_case(db(), current_user, case_no))
    documents = document_states(db(), current_user, case_no)
    for document in documents:
        document["status_label"] = status_label(document["status"])
    checklist = snapshot.checklist.as_json()
    checklist["has_documents"] = bool(documents)
    checklist["verdict"] = snapshot.verdict
    for item, shown in zip(checklist["items"], snapshot.checklist.items, strict=True):
        item["shown"] = snapshot.shown(shown)
        item["state_label"] = checklist_state(item["shown"])
    return jsonify(documents=documents, checklist=checklist)


@cases.post("/documents/<int:document_id>/kind")
@login_required
def choose_kind(document_id: int):
    """The kind of a document recognition could not tell, chosen on the case page; the document
    is read again as that kind (archive.intake.corrections)."""
    form = KindForm()
    if form.validate_on_submit():
        try:
            document = reclassify_document(db(), document_id, actor=current_user, kind=form.kind.data,
                                           reason=_("Kind not recognised; chosen on the case page."))
        except Refusal as refusal:
            if refusal.status not in (400, 422):
                raise
            db().rollback()
            place_refusal(form, refusal, refusal.message(_, get_locale()))
        else:
            db().commit()
            return redirect(url_for("cases.show", case_no=document.case.case_no))
    document = get_document(db(), current_user, document_id)
    form.document_id = document_id
    return case_page(document.case.case_no, forms={"kind": form}), 422


@cases.route("/documents/<int:document_id>/original")
@login_required
def download(document_id: int):
    return original_response(current_user, document_id)


@cases.route("/cases/<case_no>/case-file.zip")
@login_required
def export(case_no: str):
    """The complete case file as a BagIt zip, for auditors (as `archive export-case`)."""
    rt = runtime()
    rt.tmp_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=rt.tmp_dir, prefix="case-file-", suffix=".zip")
    os.close(handle)
    output = Path(name)
    try:
        export_case(rt.sessions, rt.store, user=current_user, case_no=case_no, output=output,
                    limits=rt.limits, tmp_dir=rt.tmp_dir)
        stream = open(output, "rb")  # noqa: SIM115 - closed by attachment() once the response is sent
    finally:
        output.unlink(missing_ok=True)  # an open handle keeps the bytes until they are sent
    return attachment(stream, filename=f"{case_no}.zip", content_type="application/zip",
                      size=os.fstat(stream.fileno()).st_size)


def _page_steps(pages: list[tuple[int, int]], focus) -> tuple:
    """The (document, page) before and after the one shown, across the case's documents."""
    if focus in pages:
        at = pages.index(focus)
        return (pages[at - 1] if at > 0 else None, pages[at + 1] if at + 1 < len(pages) else None)
    return None, (pages[0] if pages else None)

