"""Single sign-on through the OpenID Providers in OIDC_PROVIDERS: start a flow, finish it, sign in."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from models import db
from models.services.accounts.sso import SsoRefused, provider_did_mfa, sign_in_identity
from tracker.auth import oidc
from tracker.auth.blueprint import bp
from tracker.auth.signin import complete_sign_in
from tracker.security import now, safe_next


@bp.route("/login/sso/<name>")
def start_sso(name: str):
    """Send the browser to the provider's sign-in page."""
    provider = oidc.provider_named(name) or abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    redirect_uri = url_for("auth.finish_sso", name=name, _external=True)
    try:
        return redirect(oidc.authorization_url(provider, redirect_uri, safe_next(request.args.get("next"))))
    except SsoRefused as refusal:
        return _refuse(refusal)


@bp.route("/login/sso/<name>/callback")
def finish_sso(name: str):
    """Check the provider's answer, find (or link, or create) the account, and sign in."""
    provider = oidc.provider_named(name) or abort(404)
    try:
        claims, target = oidc.verified_claims(provider)
        user = sign_in_identity(db.session, provider, claims, now())
        db.session.commit()
    except SsoRefused as refusal:
        db.session.rollback()
        return _refuse(refusal)
    except IntegrityError:  # the same identity linked by another request a moment ago
        db.session.rollback()
        return _refuse(SsoRefused("Signing in did not complete. Start again from the login page."))
    return complete_sign_in(user, target, provider_mfa=provider_did_mfa(provider, claims))


def _refuse(refusal: SsoRefused):
    """Back to the login page, saying why; nobody is signed in."""
    flash(str(refusal), "error")
    return redirect(url_for("auth.login"))
