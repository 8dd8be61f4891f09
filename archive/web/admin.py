"""The admin desk: accounts, roles, API tokens; read-only views of the chains and the calendar."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from archive.auth import (
    PasswordPolicy,
    TokenRefused,
    WeakPassword,
    clearance_of,
    create_user,
    issue_api_token,
    require,
    role_clearance,
    roles,
    scope_kind,
    set_password,
)
from archive.auth.accounts import (
    AccountError,
    change_role,
    get_account,
    list_accounts,
    revoke_api_token,
    set_active,
    set_clearance,
    set_scope,
    tokens_of,
    username_taken,
)
from archive.retention import schedule
from archive.signoff import WorkflowError, registry
from archive.signoff.workdays import today_in_china
from archive.web.context import db
from archive.web.desk_forms import FILL_IN, TOO_LONG, keep, refusal_text, share_with_templates
from archive.workflows.arrangements import enter_arrangement, year_view

admin = Blueprint("admin", __name__, url_prefix="/admin")
share_with_templates(admin)

REFUSALS = {
    "yourself": _l("You cannot change your own role or deactivate yourself; ask another administrator."),
    "unknown_role": _l("Choose one of the listed roles."),
    "no_token": _l("This account has no such token."),
    "unknown_grade": _l("Choose one of the listed access grades."),
    "not_scoped": _l("This role works for the whole agency; it has no scope."),
}
# archive.auth.passwords: one policy, one wording on every desk.
WEAK_PASSWORD = {
    "too_short": _l("A password needs at least %(n)s characters."),
    "too_long": _l("A password may have at most %(n)s characters."),
    "too_simple": _l("A password needs characters of at least %(kinds)s kinds (lower-case letters, "
                     "capitals, digits, other signs) and at least %(distinct)s different characters."),
    "common": _l("This password is on the list of commonly used passwords; choose another."),
    "username": _l("A password may not contain the username."),
}


def weak_password_reason(refused: WeakPassword) -> str:
    return str(WEAK_PASSWORD[refused.code]) % refused.params


def _password_policy() -> PasswordPolicy:
    return PasswordPolicy.from_settings(current_app.extensions["archive"].settings)


def _role_choices() -> list[tuple[str, str]]:
    return [(role, role) for role in roles()]  # labelled in the template, in the user's language


class NewUserForm(FlaskForm):
    # Messages of our own: shown beside each field, in the page's language.
    username = StringField("username", validators=[
        DataRequired(message=FILL_IN), Length(max=64, message=TOO_LONG),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, '.', '_' or '-' only."))])
    display_name = StringField("display_name", validators=[DataRequired(message=FILL_IN),
                                                           Length(max=128, message=TOO_LONG)])
    role = SelectField("role", validate_choice=True)
    # The password policy says the rest.
    password = PasswordField("password", validators=[DataRequired(message=FILL_IN)])


class RoleForm(FlaskForm):
    role = SelectField("role", validate_choice=True)


class ClearanceForm(FlaskForm):
    """"" (the role's default) or an access grade of storage_config/retention.toml."""

    clearance = SelectField("clearance", validate_choice=True)


def _clearance_choices() -> list[tuple[str, str]]:
    return [("", "")] + [(str(grade), str(grade)) for grade in sorted(schedule().access_grades)]


class PasswordForm(FlaskForm):
    password = PasswordField("password", validators=[DataRequired()])  # the policy says the rest


class TokenForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=128)])


class ConfirmForm(FlaskForm):
    """A button that changes state: nothing to fill in but the CSRF token."""


@admin.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    require(current_user, "user.manage")


@admin.route("/users", methods=["GET", "POST"])
def users():
    form = NewUserForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        if username_taken(db(), form.username.data):
            form.username.errors = [_("This username is taken.")]
        else:
            try:
                user = create_user(db(), username=form.username.data,
                                   display_name=form.display_name.data, role=form.role.data,
                                   password=form.password.data, actor=current_user,
                                   policy=_password_policy())
            except WeakPassword as weak:
                db().rollback()
                form.password.errors = [weak_password_reason(weak)]
            else:
                db().commit()
                flash(_("Account %(username)s created.", username=user.username), "success")
                return redirect(url_for("admin.user", user_id=user.id))
    status = 400 if form.errors else 200
    return render_template("admin/users.html", form=form, accounts=list_accounts(db()),
                           min_password=_password_policy().min_length), status


@admin.route("/users/<int:user_id>")
def user(user_id: int, *, new_token: str | None = None, status: int = 200):
    account = _account(user_id)
    role_form = RoleForm(role=account.role)
    role_form.role.choices = _role_choices()
    return render_template("admin/user.html", account=account, tokens=tokens_of(db(), account),
                           role_form=role_form, password_form=PasswordForm(), token_form=TokenForm(),
                           confirm=ConfirmForm(), new_token=new_token,
                           grades=schedule().access_grades, role_clearance=role_clearance(account.role),
                           clearance=clearance_of(account), scope=scope_kind(account.role),
                           min_password=_password_policy().min_length), status


@admin.route("/users/<int:user_id>/clearance", methods=["POST"])
def user_clearance(user_id: int):
    account = _account(user_id)
    form = ClearanceForm()
    form.clearance.choices = _clearance_choices()
    if not form.validate_on_submit():
        return _refuse(user_id, str(REFUSALS["unknown_grade"]))
    chosen = int(form.clearance.data) if form.clearance.data else None
    return _apply(user_id, lambda: set_clearance(db(), account, chosen, actor=current_user),
                  _("Clearance changed."))


class ScopeForm(FlaskForm):
    hospital = StringField("hospital", validators=[Length(max=128)])
    township = StringField("township", validators=[Length(max=64)])
    village = StringField("village", validators=[Length(max=64)])


@admin.route("/users/<int:user_id>/scope", methods=["POST"])
def user_scope(user_id: int):
    account = _account(user_id)
    form = ScopeForm()
    if not form.validate_on_submit():
        return _refuse(user_id, "; ".join(e for errors in form.errors.values() for e in errors))
    return _apply(user_id, lambda: set_scope(db(), account, hospital=form.hospital.data,
                                             township=form.township.data, village=form.village.data,
                                             actor=current_user), _("Scope changed."))


@admin.route("/users/<int:user_id>/role", methods=["POST"])
def user_role(user_id: int):
    account = _account(user_id)
    form = RoleForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        return _refuse(user_id, str(REFUSALS["unknown_role"]))
    return _apply(user_id, lambda: change_role(db(), account, form.role.data, actor=current_user),
                  _("Role changed."))


@admin.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    account = _account(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    activate = not account.is_active
    return _apply(user_id, lambda: set_active(db(), account, activate, actor=current_user),
                  _("Account activated.") if activate else _("Account deactivated."))


@admin.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    account = _account(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _refuse(user_id, weak_password_reason(
            WeakPassword("too_short", "", n=_password_policy().min_length)))
    try:
        set_password(db(), account, form.password.data, actor=current_user, policy=_password_policy())
    except WeakPassword as weak:
        db().rollback()
        return _refuse(user_id, weak_password_reason(weak))
    db().commit()
    flash(_("Password set; any lockout is lifted and the account's sessions are ended."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@admin.route("/users/<int:user_id>/tokens", methods=["POST"])
def user_token(user_id: int):
    account = _account(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _refuse(user_id, _("Give the token a name (e.g. the scanner it is for)."))
    try:
        token = issue_api_token(db(), account, name=form.name.data, actor=current_user)
    except TokenRefused:
        db().rollback()
        flash(_("A token acts as its holder, signatures included: only the holder can issue one, "
                "on their page “My API tokens”. You can revoke this account's tokens here."), "error")
        return user(user_id, status=403)
    db().commit()
    # Shown in this response only: a redirect would carry it through the (signed, not secret)
    # session cookie.
    return user(user_id, new_token=token)


@admin.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def user_token_revoke(user_id: int, token_id: int):
    account = _account(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _apply(user_id, lambda: revoke_api_token(db(), account, token_id, actor=current_user),
                  _("Token revoked; scanners using it are refused from now on."))


@admin.route("/workflows")
def workflows():
    definitions = sorted(registry().definitions.values(), key=lambda d: (d.priority or 999, d.name))
    return render_template("admin/workflows.html", definitions=definitions)


@admin.route("/retention")
def retention_page():
    plan = schedule()
    first = plan.classes[0]
    example = plan.separator.join([plan.fonds_code, str(today_in_china().year),
                                   plan.retention_code(first.retention_years), first.department_code,
                                   "1".zfill(plan.item_digits)])
    return render_template("admin/retention.html", plan=plan, example=example)


class CalendarForm(FlaskForm):
    holidays = TextAreaField("holidays", validators=[DataRequired(message=FILL_IN),
                                                     Length(max=20000, message=TOO_LONG)])
    workdays = TextAreaField("workdays", validators=[Length(max=5000, message=TOO_LONG)])
    notice = StringField("notice", validators=[Length(max=200, message=TOO_LONG)])


@admin.route("/calendar")
def calendar_page(status: int = 200):
    this_year = today_in_china().year
    years = [year_view(db(), year) for year in range(this_year - 1, this_year + 3)]
    return render_template("admin/calendar.html", years=years, confirm=ConfirmForm()), status


@admin.route("/calendar/<int:year>", methods=["POST"])
def calendar_enter(year: int):
    """Enter a newly published year's arrangement: archive.workflows.arrangements."""
    form = CalendarForm()
    if not form.validate_on_submit():
        keep("calendar", form, key=year)
        return calendar_page(status=400)
    try:
        enter_arrangement(db(), current_user, year, holidays=form.holidays.data,
                          workdays=form.workdays.data or "", notice=form.notice.data or None)
    except WorkflowError as refused:
        keep("calendar", form, key=year, problem=refusal_text(refused))
        return calendar_page(status=400)
    db().commit()
    flash(_("The holiday arrangement of %(year)s is in force; running deadlines were counted again.",
            year=year), "success")
    return redirect(url_for("admin.calendar_page"))


def _account(user_id: int):
    account = get_account(db(), user_id)
    if account is None:
        abort(404)
    return account


def _apply(user_id: int, change, done_message: str):
    try:
        change()
    except AccountError as refused:
        db().rollback()
        return _refuse(user_id, str(REFUSALS.get(refused.code, refused)))
    db().commit()
    flash(done_message, "success")
    return redirect(url_for("admin.user", user_id=user_id))


def _refuse(user_id: int, message: str):
    flash(message, "error")
    return user(user_id, status=400)
