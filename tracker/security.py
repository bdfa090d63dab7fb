"""Request-edge security: loading users, the clock, capability checks, safe redirects and headers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import wraps
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user, logout_user
from sqlalchemy import select

from models import db
from models.accounts import User
from models.audit import set_actor
from models.org import District
from models.policy import can, roles_with
from tracker.extensions import login_manager
from tracker.inputs import MAX_ID
from tracker.nav import nav_items

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the logged-in user from the session cookie, if that session has not been ended."""
    uid, _, version = user_id.partition(".")
    if not (uid.isdigit() and version.isdigit()) or int(uid) > MAX_ID:
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.active or str(user.session_version or 0) != version:
        return None  # logged out, password changed or reset, deactivated, or role changed since
    return user


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


def now() -> datetime:
    """The current time in UTC; tests pin it with the FIXED_NOW setting (a datetime or ISO text)."""
    fixed = current_app.config.get("FIXED_NOW")
    if fixed:
        return fixed if isinstance(fixed, datetime) else datetime.fromisoformat(fixed)
    return datetime.now(UTC)


def start_session_clock() -> None:
    """Mark the session as signed in now (its absolute lifetime and idle time count from here)."""
    session["_started"] = session["_seen"] = now().timestamp()


def _session_clock():
    """End a session idle past SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS: the login page."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    t = now().timestamp()
    started, seen = session.get("_started"), session.get("_seen")
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    lifetime = current_app.config["SESSION_MAX_HOURS"] * 3600
    if started is None or seen is None:
        start_session_clock()  # signed in before the clock existed
        return None
    if t - seen > idle or t - started > lifetime:
        logout_user()
        session.pop("_started", None)
        session.pop("_seen", None)
        return login_manager.unauthorized()
    if t - seen > 60:  # rewrite the cookie at most once a minute
        session["_seen"] = t
    return None


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
    # "/.//evil.example" is "//evil.example" once a browser removes the dot segment: no dot segments,
    # no empty ones.
    segments = urlsplit(target).path.split("/")[1:]
    if any(s in ("", ".", "..") for s in segments[:-1]) or (segments and segments[-1] in (".", "..")):
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
    if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
        # Every page and download holds personnel records: never kept by a browser or a proxy
        # (send_file's own "no-cache" would still let a shared computer keep a certificate).
        response.headers["Cache-Control"] = "no-store"
    hsts = current_app.config.get("HSTS_SECONDS")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
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
    app.before_request(_session_clock)
    app.before_request(_set_actor)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
