"""Email settings, one-click unsubscribe (POST only, signed token) and flags on person pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from models import db
from models.base import utcnow
from models.notifications import Flag
from models.services.reminders import email_prefs as svc
from tracker.extensions import csrf
from tracker.forms import submit
from tracker.nav import add_nav
from tracker.notifications.blueprint import bp
from tracker.notifications.forms import EmailPreferenceForm

add_nav("Email settings", "notifications.edit_email_preference", None, order=96)


def _own_addresses() -> list[str]:
    emails = [current_user.email]
    if current_user.person is not None and current_user.person.email:
        emails.append(current_user.person.email)
    return list(dict.fromkeys(e.lower() for e in emails))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def edit_email_preference():
    """Choose single emails or a daily digest, and whether to get optional reminders."""
    emails = _own_addresses()
    pref = svc.preference_for(db.session, emails[0])
    form = EmailPreferenceForm()
    if request.method == "GET" and pref is not None:
        form.delivery.data = pref.delivery
        form.subscribed.data = pref.unsubscribed_at is None
    if request.method == "POST" and submit(form, lambda data: svc.set_preference(
            db.session, emails, data["delivery"], bool(data["subscribed"]), utcnow())):
        flash("Your email settings were saved.", "success")
        return redirect(url_for("notifications.edit_email_preference"))
    return render_template("notifications/edit_email_preference.html", form=form, emails=emails)


def _email_from(token: str) -> str:
    email = svc.read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    if email is None:
        abort(400, description="This unsubscribe link is not valid. Change your settings after logging in.")
    return email


@bp.route("/unsubscribe/<token>", methods=["GET"])
def confirm_unsubscribe(token: str):
    """Show what unsubscribing does; a GET (a mail scanner following links) changes nothing."""
    return render_template("notifications/unsubscribe.html", email=_email_from(token), token=token,
                           done=False)


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # one-click (RFC 8058) posts come from mail clients; the signed token is the proof
def unsubscribe(token: str):
    """Unsubscribe the token's address from optional reminders (escalations still go out)."""
    email = _email_from(token)
    svc.unsubscribe(db.session, email, utcnow())
    db.session.commit()
    return render_template("notifications/unsubscribe.html", email=email, token=token, done=True)


def person_flags(person_id: int) -> list[Flag]:
    """Open flags of a person, most urgent first (the page has already checked the person's scope)."""
    return list(db.session.scalars(select(Flag).where(Flag.person_id == person_id,
                                                      Flag.closed_on.is_(None))
                                   .order_by(Flag.due_date, Flag.id)))


@bp.app_context_processor
def _flag_helpers() -> dict:
    return {"person_flags": person_flags}
