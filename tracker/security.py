"""Request-edge security: loading users, the clock, capability checks, safe redirects and headers."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import select

from models import db
from models.accounts import User
from models.audit import set_actor
from models.org import District
from models.policy import can, roles_with
from tracker.extensions import login_manager
from tracker.nav import nav_items

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the logged-in user from the session cookie."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user and user.active else None


def district_zone() -> ZoneInfo:
    """The district's time zone (the first district's; UTC before set-up)."""
    if "zone" not in g:
        name = db.session.scalar(select(District.time_zone).order_by(District.id).limit(1))
        g.zone = ZoneInfo(name or "UTC")
    return g.zone


def today() -> date:
    """Today in the district's time zone; tests pin it with the FIXED_TODAY setting."""
    fixed = current_app.config.get("FIXED_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(fixed)
    return datetime.now(district_zone()).date()


def requires(capability: str):
    """View decorator: only users holding `capability` (models/policy.py) get in; others get 403."""
    roles_with(capability)  # an unknown name fails at import, not as a silent 403

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.capability = capability  # read by the access tests generated from the policy
        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """`target` if it points to this site, else None (no open redirects)."""
    if not target or target.startswith("//") or "\\" in target:
        return None
    ref = urlsplit(request.host_url)
    test = urlsplit(urljoin(request.host_url, target))
    if test.scheme in ("http", "https") and test.netloc == ref.netloc:
        return test.path + (f"?{test.query}" if test.query else "")
    return None


def _set_actor() -> None:
    if current_user.is_authenticated:
        set_actor(db.session, current_user.id, current_user.email)
    else:
        set_actor(db.session, None, "anonymous")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _template_helpers() -> dict:
    user = current_user
    return {
        "today": today,
        "can": lambda capability: can(user, capability),
        "nav_items": lambda: nav_items(user),
    }


def init_app(app: Flask) -> None:
    """Install the request hooks."""
    app.before_request(_set_actor)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
