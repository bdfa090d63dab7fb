"""The one way a session starts, whatever proved who the user is: a password, an emailed link or SSO.

If the account needs a second factor (its role is in MFA_REQUIRED_ROLES, or its owner enrolled one), the
session is not signed in yet: the user is held as "pending" for a few minutes and sent to enter a code,
or to enrol an authenticator app first. An SSO provider that asserts it did MFA itself (`amr`/`acr`) may
stand in for ours when the provider's settings trust it.
"""

from __future__ import annotations

from flask import current_app, redirect, session, url_for
from flask_login import login_user

from models import db
from models.accounts import User
from models.policy import second_factor_required
from tracker.security import now, safe_next, start_session_clock

PENDING = "_mfa_pending"
PENDING_SECONDS = 600  # a password proven this long ago no longer counts towards a code


def required_roles() -> set[str]:
    """The roles that must use a second factor (the MFA_REQUIRED_ROLES setting, comma-separated)."""
    value = current_app.config.get("MFA_REQUIRED_ROLES") or ""
    roles = value if isinstance(value, list | tuple | set) else value.split(",")
    return {r.strip() for r in roles if r.strip()}


def mfa_required(user: User) -> bool:
    """Whether `user`'s role must use a second factor: the one place that reads the setting for a user."""
    return second_factor_required(user, required_roles())


def needs_second_factor(user: User) -> bool:
    """Whether signing in as `user` takes a code: required for the role, or enrolled by choice."""
    return mfa_required(user) or bool(user.totp_secret)


def complete_sign_in(user: User, target: str | None, *, provider_mfa: bool = False):
    """Sign `user` in and go to `target` (if on this site), or first ask for the second factor."""
    if needs_second_factor(user) and not provider_mfa:
        session[PENDING] = {"uid": user.id, "v": user.session_version or 0, "next": target or "",
                            "at": now().timestamp()}
        return redirect(url_for("auth.mfa_verify" if user.totp_secret else "auth.mfa_enrol"))
    return finish_sign_in(user, target)


def start_session(user: User) -> None:
    """Sign `user` in on this browser now that every factor is proven."""
    session.pop(PENDING, None)
    login_user(user)
    start_session_clock()


def landing(target: str | None) -> str:
    """Where a sign-in goes: `target` if it is on this site, else the home page."""
    return safe_next(target) or url_for("main.home")


def finish_sign_in(user: User, target: str | None):
    """Start the session and go where the user was going."""
    start_session(user)
    return redirect(landing(target))


def pending_user() -> tuple[User, str] | None:
    """The user who proved the first factor in this browser a moment ago, and where they were going."""
    held = session.get(PENDING)
    if not isinstance(held, dict) or now().timestamp() - float(held.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(held.get("uid", 0)))
    if user is None or not user.active or (user.session_version or 0) != held.get("v"):
        return None  # deactivated, or a password change or reset since
    return user, str(held.get("next") or "")
