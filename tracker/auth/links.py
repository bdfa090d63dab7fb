"""Emailed links: "forgot password", and the pages a reset or an invitation link opens."""

from __future__ import annotations

import time

from flask import current_app, flash, render_template, request

from models import db
from models.services.accounts.links import (
    INVALID,
    LinkRefused,
    open_link,
    request_reset,
    set_password_with_link,
)
from tracker.api.limits import count
from tracker.auth.blueprint import bp
from tracker.auth.forms import ForgotPasswordForm, SetPasswordForm
from tracker.auth.signin import complete_sign_in
from tracker.forms import submit
from tracker.invitations import reset_lifetime
from tracker.security import now

SENT = ("If an active account uses that email, a link to choose a new password is on its way to it. "
        "The link works once, within {minutes} minutes. Nothing arrived? Check the spam folder, "
        "or ask your HR office.")
MAX_TOKEN = 200  # a real token is ~30 characters; anything longer is not one


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same, and as quick, whether or not the email has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form)
    started = time.monotonic()
    config = current_app.config
    verdict = count(f"forgot:{request.remote_addr}", config.get("FORGOT_PASSWORD_RATE_LIMIT", "5/900"))
    if not verdict.allowed:  # counted per client only, so it says nothing about the email
        minutes = max(verdict.retry_after // 60, 1)
        body = render_template("errors/error.html", status=429, title="Too many requests",
                               message=f"Too many reset requests from this device. Wait {minutes} "
                                       "minute(s) and try again.")
        return body, 429, {"Retry-After": str(verdict.retry_after)}
    request_reset(db.session, form.email.data, now(), reset_lifetime(),
                  int(config.get("RESET_EMAILS_PER_HOUR", 3)))
    db.session.commit()
    # Queuing an email takes a few milliseconds an unknown email does not: every answer waits
    # until the same moment, so timing cannot tell which emails have accounts.
    time.sleep(max(float(config.get("FORGOT_PASSWORD_MIN_SECONDS", 0.5)) - (time.monotonic() - started), 0))
    minutes = int(config.get("RESET_LINK_MINUTES", 60))
    return render_template("auth/forgot_sent.html", message=SENT.format(minutes=minutes))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The page a reset link opens: choose a new password, then sign in."""
    return _link_page(token, "reset")


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    """The page an invitation opens: set a first password (or sign in through the district's provider)."""
    return _link_page(token, "invite")


def _link_page(token: str, purpose: str):
    """Show the set-password form for an open link; on a valid POST use the link up and sign in."""
    try:
        if len(token) > MAX_TOKEN:
            raise LinkRefused(INVALID)
        link = open_link(db.session, token, purpose, now(), current_app.config["SECRET_KEY"])
    except LinkRefused as refusal:
        return _refused(refusal, purpose)
    form = SetPasswordForm()
    if request.method == "POST":
        user = submit(form, lambda data: set_password_with_link(db.session, link, data, now()))
        if user:
            flash("Your password is set. Use it with your email from now on.", "success")
            return complete_sign_in(user, None)  # a role that needs a second factor enrols next
    return render_template("auth/set_password.html", form=form, purpose=purpose, email=link.user.email)


def _refused(refusal: LinkRefused, purpose: str):
    """The page for a link that opens nothing: why, and where to get a new one."""
    page = render_template("auth/link_refused.html", message=str(refusal), purpose=purpose)
    return page, 410 if refusal.gone else 404
