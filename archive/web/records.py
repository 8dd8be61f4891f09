"""The archive desk (档案管理): closed cases to file, the appraisal list, legal holds, the
destruction register; and the forms behind the archive panel of the case page.

Every form is CSRF-protected (the app's CSRFProtect); the services check the role
(storage_config/roles.toml, `records.*`) and the case's visibility; refusals are RecordsErrors,
which archive.web.errors turns into 403 / 409 / 410 / 422 / 423 with the translated reason.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, ValidationError

from archive.auth import can
from archive.case_lists import filed_records
from archive.errors import Refusal
from archive.queue import submit_after_commit
from archive.records import disposition, filing, four_properties, holds, record_checks, verification
from archive.retention import schedule
from archive.web.cases import case_page
from archive.web.context import db, runtime
from archive.web.desk_forms import (
    ListedChoice,
    again,
    at_most,
    count_between,
    keep,
    refusal_text,
    required,
    say_at_top,
    share_with_templates,
    whole_number,
)
from archive.web.i18n import label

records = Blueprint("records", __name__, url_prefix="/records")
share_with_templates(records)


def _class_choices() -> list[tuple[str, str]]:
    return [(c.code, c.code) for c in schedule().classes]  # labelled in the template


def _years_to_extend(form, field) -> None:
    if form.decision.data == "extend" and not (field.data or "").strip():
        raise ValidationError(_("Give the number of years to extend."))


class BackForm(FlaskForm):
    back = HiddenField("back")  # "case": the form was sent from the case page


class FileForm(BackForm):
    record_class = ListedChoice("record_class", default="")  # blank: the case's class


class ClassForm(BackForm):
    record_class = ListedChoice("record_class")
    reason = StringField("reason", validators=[required(), at_most(2000)])


class HoldForm(BackForm):
    reason = StringField("reason", validators=[required(), at_most(2000)])


class AppraisalForm(BackForm):
    decision = ListedChoice("decision", choices=list(disposition.DECISIONS))
    years = StringField("years", validators=[count_between(1, 100), _years_to_extend])
    opinion = StringField("opinion", validators=[required(), at_most(2000)])


class ApprovalForm(BackForm):
    opinion = StringField("opinion", validators=[at_most(2000)])


DECISION_LABELS = {"destroy": _l("destroy"), "extend": _l("extend retention"),
                   "permanent": _l("keep permanently")}
STATE_LABELS = {"not_filed": _l("not yet filed"), "open": _l("not yet filed"), "archived": _l("filed"),
                "destroyed": _l("destroyed")}


@records.app_template_global()
def records_label(kind: str, value) -> str:
    if kind == "class":
        try:
            return schedule().get(value).label(get_locale())
        except KeyError:
            return str(value)
    if kind == "grade":
        names = schedule().access_grades.get(value, {})
        return label(names.get("en" if str(get_locale()).startswith("en") else "zh", str(value)))
    table = {"decision": DECISION_LABELS, "state": STATE_LABELS}[kind]
    return label(table.get(value, value))


PROPERTY_LABELS = {"authenticity": _l("authenticity"), "integrity": _l("integrity"),
                   "usability": _l("usability"), "security": _l("security")}


@records.app_template_global()
def four_property_label(name: str) -> str:
    return str(PROPERTY_LABELS.get(name, name))


@records.app_template_global()
def records_desk_visible() -> bool:
    return can(current_user, "records.view")


@records.route("")
@login_required
def desk():
    session = db()
    return render_template(
        "records/desk.html", to_file=filing.closed_unfiled(session, current_user),
        appraisal=disposition.appraisal_list(session, current_user),
        holds=holds.holds_in_force(session, current_user), classes=schedule().classes,
        filed=filed_records(session, current_user, page=request.args.get("filed_page", 1, type=int)),
        approvals_required=schedule().approvals_required,
        may=_permissions("file", "classify", "hold", "appraise", "approve_destruction", "destroy",
                         "register"))


@records.app_template_global()
def audit_trail_check() -> dict | None:
    """The latest verification of the audit trail, for the desks of those who may run one."""
    return _chain_check(db())


def _chain_check(session) -> dict | None:
    if not can(current_user, "audit.verify"):
        return None
    return {"latest": verification.latest_verification(session),
            "pending": verification.verification_pending(session)}


@records.post("/verify")
@login_required
def verify_now():
    """Queue a check of the audit trail's hash chain; the desk shows the outcome when it ran."""
    verification.request_verification(db(), actor=current_user)
    db().commit()
    submit_after_commit(runtime(), "verify_audit_trail", current_user.id)
    flash(_("A check of the audit trail is queued; its result appears below once it has run."),
          "success")
    return redirect(request.referrer if _local(request.referrer) else url_for("records.desk"))


def _local(target: str | None) -> bool:
    return bool(target) and target.startswith(request.host_url)


@records.post("/cases/<case_no>/file")
@login_required
def file_case(case_no: str):
    form = FileForm()
    form.record_class.choices = [("", "")] + _class_choices()
    if not form.validate_on_submit():
        return _refused("file", case_no, form)
    rt = runtime()
    try:
        record = filing.file_case(db(), case_no, actor=current_user, store=rt.store, limits=rt.limits,
                                  tmp_dir=rt.tmp_dir, record_class=form.record_class.data or None)
    except Refusal as refused:
        return _refused("file", case_no, form, refused)
    db().commit()
    flash(_("Case %(case_no)s is filed as %(archive_no)s.", case_no=case_no,
            archive_no=record.archive_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/check")
@login_required
def check_record(case_no: str):
    """四性检测 again (once a failure is resolved): the new report is kept whatever its outcome,
    and a passing one lifts the block on filing and export."""
    rt = runtime()
    report = four_properties.check_record(db(), case_no, actor=current_user, store=rt.store,
                                          limits=rt.limits, tmp_dir=rt.tmp_dir)
    db().commit()
    if report.passed:
        flash(_("The four-property check of case %(case_no)s passed.", case_no=case_no), "success")
    else:
        flash(ngettext("The four-property check of case %(case_no)s failed (%(num)d finding).",
                       "The four-property check of case %(case_no)s failed (%(num)d findings).",
                       len(report.failures), case_no=case_no), "error")
    return _back(case_no)


@records.app_template_global()
def record_check(case) -> dict | None:
    """The latest four-property report of a case, for the archive panel of the case page."""
    if not can(current_user, "records.view"):
        return None
    return four_properties.latest_report(db(), case)


@records.app_template_global()
def failed_record_checks() -> list[dict]:
    """Records whose latest four-property check failed, for the archive desk."""
    if not can(current_user, "records.view"):
        return []
    return record_checks.failed_checks(db(), current_user)


@records.post("/cases/<case_no>/class")
@login_required
def set_class(case_no: str):
    form = ClassForm()
    form.record_class.choices = _class_choices()
    if not form.validate_on_submit():
        return _refused("class", case_no, form)
    try:
        filing.set_record_class(db(), case_no, actor=current_user, record_class=form.record_class.data,
                                reason=form.reason.data)
    except Refusal as refused:
        return _refused("class", case_no, form, refused)
    db().commit()
    flash(_("The record class of case %(case_no)s is changed.", case_no=case_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/holds")
@login_required
def place_hold(case_no: str):
    form = HoldForm()
    if not form.validate_on_submit():
        return _refused("hold", case_no, form)
    try:
        hold = holds.place_hold(db(), case_no, actor=current_user, reason=form.reason.data)
    except Refusal as refused:
        return _refused("hold", case_no, form, refused)
    db().commit()
    flash(_("Legal hold #%(id)s placed on case %(case_no)s.", id=hold.id, case_no=case_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/holds/<int:hold_id>/lift")
@login_required
def lift_hold(case_no: str, hold_id: int):
    form = HoldForm()
    if not form.validate_on_submit():
        return _refused("lift", hold_id, form, case_no=case_no)
    try:
        holds.lift_hold(db(), case_no, actor=current_user, reason=form.reason.data, hold_id=hold_id)
    except Refusal as refused:
        return _refused("lift", hold_id, form, refused, case_no=case_no)
    db().commit()
    flash(_("Legal hold #%(id)s on case %(case_no)s is lifted.", id=hold_id, case_no=case_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/appraisal")
@login_required
def appraise(case_no: str):
    form = AppraisalForm()
    if not form.validate_on_submit():
        return _refused("appraise", case_no, form)
    try:
        disposition.appraise(db(), case_no, actor=current_user, decision=form.decision.data,
                             opinion=form.opinion.data.strip(), years=whole_number(form.years.data))
    except Refusal as refused:
        return _refused("appraise", case_no, form, refused)
    db().commit()
    flash(_("The appraisal of case %(case_no)s is recorded.", case_no=case_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/approve")
@login_required
def approve(case_no: str):
    form = ApprovalForm()
    if not form.validate_on_submit():
        return _refused("approve", case_no, form)
    try:
        disposition.approve_destruction(db(), case_no, actor=current_user, opinion=form.opinion.data)
    except Refusal as refused:
        return _refused("approve", case_no, form, refused)
    db().commit()
    flash(_("Your approval to destroy case %(case_no)s is recorded.", case_no=case_no), "success")
    return _back(case_no)


@records.post("/cases/<case_no>/destroy")
@login_required
def destroy(case_no: str):
    result = disposition.destroy(db(), case_no, actor=current_user)
    db().commit()
    disposition.after_destruction(runtime(), result)
    flash(_("Case %(case_no)s is destroyed; entry %(entry)s of the destruction register.",
            case_no=case_no, entry=result.entry.id), "success")
    return _back(case_no)


@records.route("/destruction-register.csv")
@login_required
def register_csv():
    out = io.StringIO()
    disposition.write_register_csv(db(), current_user, out)
    db().commit()
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=destruction-register.csv",
        "Cache-Control": "private, no-store"})


def _permissions(*names: str) -> dict[str, bool]:
    return {name: can(current_user, f"records.{name}") for name in names}


def _refused(kind: str, key, form: BackForm, refused: Refusal | None = None, *, case_no: str | None = None):
    """The page the form was sent from again: the archive desk, or the case page's archive panel."""
    problem = refusal_text(refused) if refused is not None else None
    keep(kind, form, key=key, problem=problem)
    if kind == "class":  # no page carries this form (scripts send it)
        say_at_top(form, problem)
    status = refused.status if refused is not None else 422
    if form.back.data == "case":
        return again(case_page(case_no or str(key)), status)
    return again(desk(), status)


def _back(case_no: str):
    if request.form.get("back") == "case":
        return redirect(url_for("cases.show", case_no=case_no))
    return redirect(url_for("records.desk"))
