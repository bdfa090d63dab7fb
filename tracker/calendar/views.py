"""The iCalendar feed: no login, the secret in the URL is the credential (404 when unknown or revoked)."""

from __future__ import annotations

from flask import Response, abort, current_app, url_for

from models import db
from models.audit import set_actor
from models.base import utcnow
from models.services.accounts.api_tokens import find_calendar_feed
from models.services.reminders.calendar import due_items, feed_ics
from tracker.calendar.blueprint import bp
from tracker.security import today


@bp.route("/<secret>.ics")
def feed(secret: str):
    """A user's due items as an iCalendar feed."""
    found = find_calendar_feed(db.session, secret)
    if found is None:
        abort(404)
    user = found.user
    set_actor(db.session, user.id, f"{user.email} (calendar feed)")
    body = feed_ics(due_items(db.session, user, today()), utcnow(), f"SECURe Tracker — {user.email}",
                    url_for("main.home", _external=True),
                    alarm_days=int(current_app.config.get("CALENDAR_ALARM_DAYS", 7)))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="secure-tracker.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
