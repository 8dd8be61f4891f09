"""Sign-in with a password (browser) or a bearer token (scanner software, /api only).

A browser session is a signed cookie, which a copy outlives unless the server can refuse it:
the session carries the account's session epoch from sign-in, and every request compares it
with the account's (archive.auth.end_sessions raises it on sign-out, a new password, a role
change and deactivation).
"""

from __future__ import annotations

import unicodedata

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from archive import audit
from archive.auth import AuthError, LockoutPolicy, authenticate, end_sessions, issue_api_token, require
from archive.auth.accounts import AccountError, revoke_api_token, tokens_of
from archive.models import User
from archive.web.context import db

auth = Blueprint("auth", __name__)

EPOCH_KEY = "epoch"  # the account's session epoch when this session signed in


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=256)])


class TokenForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=128)])


class ConfirmForm(FlaskForm):
    """A button that changes state: nothing to fill in but the CSRF token."""


def load_user(user_id: str) -> User | None:
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active:
        return None
    # A session from before the last sign-out (or password change...) is anonymous: that
    # is what makes a copied cookie worthless once its owner signs out.
    if session.get(EPOCH_KEY) != user.session_epoch:
        return None
    return user


@auth.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        policy = LockoutPolicy.from_settings(current_app.extensions["archive"].settings)
        try:
            user = authenticate(db(), form.username.data, form.password.data, policy=policy)
        except AuthError:  # AccountLocked included: see authenticate
            db().commit()  # keep the failed-login audit event
            flash(_("Wrong username or password."), "error")
            flash(_("After %(n)s failed sign-ins in a row an account is locked for %(minutes)s "
                    "minutes; an administrator can unlock it by setting a new password.",
                    n=policy.max_failures, minutes=policy.minutes), "info")
            return render_template("login.html", form=form), 401
        db().commit()
        language = session.get("lang")
        session.clear()  # a fresh session on sign-in: no fixation
        if language:
            session["lang"] = language
        session.permanent = True
        session[EPOCH_KEY] = user.session_epoch
        login_user(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record(db(), "auth.logout", actor=current_user, target=current_user)
    # Signing out ends every session of the account: with one counter per account the
    # server cannot tell this browser's session from a copy of its cookie.
    end_sessions(current_user)
    db().commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, else the dashboard.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so
    "/\\t/evil.example" is "//evil.example", another site: only a path starting with exactly
    one slash, with no control or format characters and no backslash anywhere, is followed.
    """
    target = (target or "").strip()
    if (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in target)):
        return target
    return url_for("dashboard.index")


@auth.route("/account/tokens", methods=["GET"])
@login_required
def my_tokens(*, new_token: str | None = None, status: int = 200):
    """Each person issues their own API tokens: a token acts as its holder (signatures too)."""
    require(current_user, "api.use")
    return render_template("account_tokens.html", tokens=tokens_of(db(), current_user),
                           token_form=TokenForm(), confirm=ConfirmForm(), new_token=new_token), status


@auth.route("/account/tokens", methods=["POST"])
@login_required
def my_token_issue():
    require(current_user, "api.use")
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Give the token a name (e.g. the scanner it is for)."), "error")
        return my_tokens(status=400)
    token = issue_api_token(db(), current_user, name=form.name.data, actor=current_user)
    db().commit()
    # Shown in this response only: a redirect would carry it through the (signed, not secret)
    # session cookie.
    return my_tokens(new_token=token)


@auth.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def my_token_revoke(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revoke_api_token(db(), current_user, token_id, actor=current_user)
    except AccountError:
        abort(404)
    db().commit()
    flash(_("Token revoked; scanners using it are refused from now on."), "success")
    return redirect(url_for("auth.my_tokens"))
