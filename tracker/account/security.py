"""The user's own sign-in settings: the password, two-step sign-in on or off, new recovery codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from models import db
from models.services.accounts import mfa
from models.services.accounts.users import change_password
from tracker.account.blueprint import bp
from tracker.account.security_forms import PasswordChangeForm
from tracker.auth.codes import ENROL_SECRET, WRONG_CODE, CodeForm, qr_svg, too_many
from tracker.auth.signin import mfa_required, start_session
from tracker.forms import submit
from tracker.security import now


def _page(password_form=None, code_form=None, status: int = 200):
    user = current_user
    enrolment = None
    if not user.totp_secret:
        secret = session.get(ENROL_SECRET) or mfa.new_secret()
        session[ENROL_SECRET] = secret
        enrolment = {"secret": secret, "qr": qr_svg(mfa.provisioning_uri(secret, user.email))}
    return render_template(
        "account/security.html", password_form=password_form or PasswordChangeForm(),
        code_form=code_form or CodeForm(), enrolment=enrolment, required=mfa_required(user),
        codes_left=mfa.recovery_codes_left(db.session, user) if user.totp_secret else 0), status


def _codes_page(codes: list[str]):
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("account.security"))


@bp.route("/security")
@login_required
def security():
    """Password and two-step sign-in."""
    return _page()


@bp.route("/password", methods=["POST"])
@login_required
def change_own_password():
    """Change the password; every other session of the account ends, this one goes on."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if not submit(form, lambda data: change_password(db.session, user, data)):
        return _page(password_form=form, status=422)
    start_session(user)  # the cookie now names the new session version
    flash("Your password was changed. Any other device signed in as you has been signed out.", "success")
    return redirect(url_for("account.security"))


def _with_code(form: CodeForm, action):
    """Run `action()` if the form's code is right (the app's, or a recovery code), else show why not."""
    user = current_user
    if not form.validate_on_submit():
        return None
    if too_many(user.id):
        form.code.errors = ["Too many codes were tried. Wait five minutes and try again."]
    elif user.totp_secret and not mfa.check_code(db.session, user, form.code.data, now()):
        form.code.errors = [WRONG_CODE]
    else:
        return action()
    db.session.rollback()
    return None


@bp.route("/two-factor/enrol", methods=["POST"])
@login_required
def enrol_two_factor():
    """Turn on two-step sign-in with the app just scanned; show the recovery codes once."""
    form = CodeForm()
    user = current_user._get_current_object()
    secret = session.get(ENROL_SECRET)
    if user.totp_secret or not secret:
        return redirect(url_for("account.security"))
    codes = _with_code(form, lambda: mfa.enrol(db.session, user, secret, form.code.data, now()))
    if not codes:
        if not form.errors:
            form.code.errors = [WRONG_CODE]
        db.session.rollback()
        return _page(code_form=form, status=422)
    db.session.commit()
    session.pop(ENROL_SECRET, None)
    return _codes_page(codes)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    """Replace the recovery codes (the old ones stop working) after a code proves it is the user."""
    form = CodeForm()
    user = current_user._get_current_object()
    codes = None
    if user.totp_secret:
        codes = _with_code(form, lambda: mfa.new_recovery_codes(db.session, user, now()))
    if not codes:
        return _page(code_form=form, status=422)
    db.session.commit()
    return _codes_page(codes)


@bp.route("/two-factor/remove", methods=["POST"])
@login_required
def remove_two_factor():
    """Turn two-step sign-in off, where the role does not require it."""
    form = CodeForm()
    user = current_user._get_current_object()
    if mfa_required(user) or not user.totp_secret:
        flash("Your role requires two-step sign-in; it stays on.", "error")
        return redirect(url_for("account.security"))
    if _with_code(form, lambda: mfa.remove(db.session, user) or True) is None:
        return _page(code_form=form, status=422)
    db.session.commit()
    start_session(user)  # removing ends every session; this one, just proven, goes on
    flash("Two-step sign-in is off. You will sign in with your password alone.", "success")
    return redirect(url_for("account.security"))
