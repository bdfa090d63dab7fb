"""The account page: create and revoke personal API tokens and calendar feed URLs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from models import db
from models.api_tokens import ApiToken, CalendarFeed
from models.base import utcnow
from models.services.accounts import api_tokens as svc
from tracker.account.blueprint import bp
from tracker.account.forms import ActionForm, TokenForm
from tracker.forms import submit
from tracker.nav import add_nav

add_nav("Account", "account.show_account", None, order=95)


def _page(form: TokenForm | None = None, new_token: str | None = None, new_feed_url: str | None = None,
          status: int = 200):
    return render_template(
        "account/show_account.html", form=form or TokenForm(), action_form=ActionForm(),
        tokens=svc.user_tokens(db.session, current_user), feeds=svc.user_feeds(db.session, current_user),
        new_token=new_token, new_feed_url=new_feed_url), status


def _own(model, ident: int):
    row = db.session.get(model, ident)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row


@bp.route("/")
@login_required
def show_account():
    """The user's tokens and feeds."""
    return _page()


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    """Make an API token and show it once, on this response only (it is stored hashed)."""
    form = TokenForm()
    made = submit(form, lambda data: svc.create_api_token(db.session, current_user, data["name"], utcnow()))
    if not made:
        return _page(form, status=422)
    return _page(new_token=made[1])


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's own tokens."""
    token = _own(ApiToken, token_id)
    if ActionForm().validate_on_submit():
        svc.revoke_api_token(db.session, token, utcnow())
        db.session.commit()
        flash(f"Token {token.name} ({token.prefix}…) was revoked; it no longer works.", "success")
    return redirect(url_for("account.show_account"))


@bp.route("/feeds", methods=["POST"])
@login_required
def create_feed():
    """Make a calendar feed URL and show it once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    _, secret = svc.create_calendar_feed(db.session, current_user, utcnow())
    db.session.commit()
    return _page(new_feed_url=url_for("calendar.feed", secret=secret, _external=True))


@bp.route("/feeds/<int:feed_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(feed_id: int):
    """Revoke one of the user's own feed URLs: calendars subscribed to it stop updating."""
    feed = _own(CalendarFeed, feed_id)
    if ActionForm().validate_on_submit():
        svc.revoke_calendar_feed(db.session, feed, utcnow())
        db.session.commit()
        flash(f"Calendar feed {feed.prefix}… was revoked.", "success")
    return redirect(url_for("account.show_account"))
