"""Sign-in with a password (browser) or a bearer token (scanner software, /api only)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive.auth import AccountLocked, AuthError, LockoutPolicy, authenticate
from archive.models import User
from archive.records import audit
from archive.web.context import db
from archive.web.i18n import local_time

auth = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=256)])


def load_user(user_id: str) -> User | None:
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


@auth.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        policy = LockoutPolicy.from_settings(current_app.extensions["archive"].settings)
        try:
            user = authenticate(db(), form.username.data, form.password.data, policy=policy)
        except AccountLocked as locked:
            db().commit()  # keep the audit event
            flash(_("Too many failed sign-ins: this account is locked until %(time)s. An "
                    "administrator can unlock it by setting a new password.",
                    time=local_time(locked.until, "%H:%M")), "error")
            return render_template("login.html", form=form), 429
        except AuthError:
            db().commit()  # keep the failed-login audit event
            flash(_("Wrong username or password."), "error")
            return render_template("login.html", form=form), 401
        db().commit()
        language = session.get("lang")
        session.clear()  # a fresh session on sign-in: no fixation
        if language:
            session["lang"] = language
        session.permanent = True
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    from flask_login import current_user

    audit.record(db(), "auth.logout", actor=current_user, target=current_user)
    db().commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our login page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.index")
