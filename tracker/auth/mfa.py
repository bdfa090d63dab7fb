"""Signing in with a second factor: the code page, and enrolment when the role requires one."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for

from models import db
from models.services.accounts import mfa
from tracker.auth.blueprint import bp
from tracker.auth.codes import ENROL_SECRET, WRONG_CODE, CodeForm, qr_svg, too_many
from tracker.auth.signin import finish_sign_in, landing, pending_user, start_session
from tracker.security import now


def _expired():
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def mfa_verify():
    """Ask for the authenticator code of the user who just proved their password."""
    held = pending_user()
    if held is None or not held[0].totp_secret:
        return _expired()
    user, target = held
    form = CodeForm()
    if form.validate_on_submit():
        if too_many(user.id):
            form.code.errors = ["Too many codes were tried. Wait five minutes, then sign in again."]
        elif mfa.check_code(db.session, user, form.code.data, now()):
            db.session.commit()
            return finish_sign_in(user, target)
        else:
            form.code.errors = [WRONG_CODE]
        db.session.rollback()
    return render_template("auth/mfa_verify.html", form=form), 200 if not form.errors else 422


@bp.route("/login/set-up-code", methods=["GET", "POST"])
def mfa_enrol():
    """Enrol an authenticator app before the first sign-in of a role that requires one."""
    held = pending_user()
    if held is None or held[0].totp_secret:
        return _expired()
    user, target = held
    secret = session.get(ENROL_SECRET) or mfa.new_secret()
    session[ENROL_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        codes = None if too_many(user.id) else mfa.enrol(db.session, user, secret, form.code.data, now())
        if codes:
            db.session.commit()
            session.pop(ENROL_SECRET, None)
            start_session(user)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=landing(target))
        db.session.rollback()
        form.code.errors = [WRONG_CODE]
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template("auth/mfa_enrol.html", form=form, secret=secret, qr=qr_svg(uri),
                           required=True), 200 if not form.errors else 422
