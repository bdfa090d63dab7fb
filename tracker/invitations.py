"""Sending invitations and password links from the HR pages, and how long emailed links last."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash
from flask_login import current_user

from models import db
from models.people import Person
from models.services.accounts.invitations import invite_people, invite_problem
from tracker.security import now


def invite_lifetime() -> timedelta:
    """How long an invitation link works (INVITE_LINK_DAYS)."""
    return timedelta(days=int(current_app.config.get("INVITE_LINK_DAYS", 7)))


def reset_lifetime() -> timedelta:
    """How long a password-reset link works (RESET_LINK_MINUTES)."""
    return timedelta(minutes=int(current_app.config.get("RESET_LINK_MINUTES", 60)))


def invite_if_wanted(person: Person, wanted: bool) -> None:
    """After HR adds a person or appoints a hire: invite them if asked and possible, and say which."""
    if not wanted:
        return
    problem = invite_problem(db.session, person)
    if problem:
        flash(f"No invitation was sent: {problem}", "info")
        return
    invite_people(db.session, [person], now(), invite_lifetime(), current_user.id)
    flash(f"An invitation to sign in is on its way to {person.email}.", "success")
