"""Admins manage user accounts: roles, scopes, activation and password resets."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import db
from models.accounts import User
from models.org import Agency, School
from models.services.accounts import mfa
from models.services.accounts.users import save_user
from tracker.account.forms import ActionForm
from tracker.forms import get_or_404, submit
from tracker.nav import add_nav
from tracker.security import requires
from tracker.users.blueprint import bp
from tracker.users.forms import UserForm

add_nav("Users", "users.list_users", "manage_users", order=90)


def _form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.school_ids.choices = [(s.id, s.name) for s in db.session.scalars(
        select(School).order_by(School.name))]
    form.agency_id.choices = [("", "— none —")] + [(a.id, a.name) for a in db.session.scalars(
        select(Agency).order_by(Agency.name))]
    if user is not None and request.method == "GET":
        form.school_ids.data = [s.id for s in user.schools]
        form.person_email.data = user.person.email if user.person else ""
    return form


@bp.route("/")
@requires("manage_users")
def list_users():
    """Every account with its role and scope."""
    users = db.session.scalars(select(User).options(
        selectinload(User.schools), selectinload(User.agency), selectinload(User.person))
        .order_by(User.role, User.email)).all()
    return render_template("users/list_users.html", users=users)


@bp.route("/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires("manage_users")
def edit_user(user_id: int | None):
    """Create or change an account."""
    user = get_or_404(User, user_id) if user_id else None
    form = _form(user)
    if request.method == "POST":
        saved = submit(form, lambda data: save_user(db.session, data, user))
        if saved:
            flash(f"Account {saved.email} saved.", "success")
            return redirect(url_for("users.list_users"))
    return render_template("users/edit_user.html", form=form, user=user, action_form=ActionForm())


@bp.route("/<int:user_id>/two-factor/remove", methods=["POST"])
@requires("manage_users")
def remove_two_factor(user_id: int):
    """Remove an account's authenticator (a lost phone): its sessions end; it enrols again at sign-in."""
    user = get_or_404(User, user_id)
    if ActionForm().validate_on_submit() and user.totp_secret:
        mfa.remove(db.session, user)
        db.session.commit()
        flash(f"Two-step sign-in was removed from {user.email}; they set it up again at their next sign-in"
              " if their role requires it.", "success")
    return redirect(url_for("users.edit_user", user_id=user.id))
