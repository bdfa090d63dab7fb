"""Logging in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from models import db
from models.base import utcnow
from models.services.accounts.users import authenticate
from tracker.api.limits import limit_login
from tracker.auth.blueprint import bp
from tracker.auth.forms import LoginForm
from tracker.auth.signin import complete_sign_in

bp.before_request(limit_login)  # login attempts per IP+email, counted across workers

BAD_LOGIN = ("That email and password do not match an active account. "
             "After several failed attempts from this device, wait a few minutes before trying again.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data, utcnow())
        db.session.commit()  # keep the failure count even when the login is refused
        if user is None:
            form.form_errors.append(BAD_LOGIN)
        else:
            return complete_sign_in(user, form.next.data)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere (POST only, so a link elsewhere cannot log you out)."""
    current_user.end_sessions()  # a copied or stolen cookie of this account stops working too
    db.session.commit()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
