"""The people directory, person pages, and HR's editing of people and assignments."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from models import db
from models.org import Agency, School
from models.people import EMPLOYERS, PERSON_TYPES, Assignment
from models.policy import can
from models.scoping import school_scope
from models.services.accounts.invitations import account_of, send_link_to_person
from models.services.people import directory as svc
from tracker.forms import act, submit
from tracker.invitations import invite_if_wanted, invite_lifetime, reset_lifetime
from tracker.people.blueprint import bp
from tracker.people.forms import AssignmentForm, DeleteForm, PersonForm
from tracker.people.queries import (
    directory_query,
    page_of_people,
    person_history,
    visible_person_or_404,
)
from tracker.security import now, requires, today


def _agency_choices():
    agencies = db.session.scalars(select(Agency).order_by(Agency.name))
    return [("", "— none —")] + [(a.id, a.name) for a in agencies]


def _school_choices():
    return [(s.id, s.name) for s in db.session.scalars(select(School).order_by(School.name))]


@bp.route("/")
@login_required
def list_people():
    """Directory with search and filters, scoped to what the user may see."""
    day = today()
    args = request.args
    school_id = args.get("school", type=int)
    stmt = directory_query(current_user, day, q=args.get("q", ""), school_id=school_id,
                           person_type=args.get("type", ""), employer=args.get("employer", ""))
    pagination = page_of_people(stmt, args.get("page", 1, type=int),
                                current_app.config["PEOPLE_PER_PAGE"])
    schools = db.session.scalars(select(School).where(school_scope(current_user, day))
                                 .order_by(School.name)).all()
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return render_template("people/list_people.html", pagination=pagination, schools=schools,
                           agencies=agencies, person_types=PERSON_TYPES, employers=EMPLOYERS,
                           today_=day)


@bp.route("/<int:person_id>")
@login_required
def show_person(person_id: int):
    """A person's record: details, assignments, and history for HR."""
    day = today()
    person = visible_person_or_404(current_user, person_id, day)
    history = person_history(person) if can(current_user, "manage_people") else []
    account = account_of(db.session, person) if can(current_user, "invite_people") else None
    return render_template("people/show_person.html", person=person, history=history, account=account,
                           delete_form=DeleteForm(), today_=day)


@bp.route("/new", methods=["GET", "POST"])
@requires("manage_people")
def create_person():
    """HR creates a person."""
    form = PersonForm()
    form.agency_id.choices = _agency_choices()
    if request.method == "POST":
        person = submit(form, lambda data: _created(svc.create_person(db.session, data),
                                                     data.get("send_invitation")))
        if person:
            flash(f"{person.full_name} was added.", "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/edit_person.html", form=form, person=None)


def _created(person, invite: bool):
    invite_if_wanted(person, invite)
    return person


@bp.route("/<int:person_id>/invite", methods=["POST"])
@requires("invite_people")
def invite_person(person_id: int):
    """Invite a person with no account to sign in, or send their account a new password link."""
    person = visible_person_or_404(current_user, person_id, today())
    if not DeleteForm().validate_on_submit():  # the empty form: its CSRF token
        abort(400)
    sent = act(lambda: send_link_to_person(db.session, person, now(), invite_lifetime(), reset_lifetime(),
                                           current_user.id))
    if sent:
        flash(f"{sent.purpose_label} link sent to {sent.user.email}; it works once, until "
              f"{sent.expires_at:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("people.show_person", person_id=person.id))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("manage_people")
def edit_person(person_id: int):
    """HR edits a person."""
    person = visible_person_or_404(current_user, person_id, today())
    form = PersonForm(obj=person)
    form.agency_id.choices = _agency_choices()
    if request.method == "POST":
        if submit(form, lambda data: svc.update_person(db.session, person, data)):
            flash("Changes saved.", "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/edit_person.html", form=form, person=person)


@bp.route("/<int:person_id>/delete", methods=["POST"])
@requires("manage_people")
def delete_person(person_id: int):
    """HR removes a person recorded in error."""
    person = visible_person_or_404(current_user, person_id, today())
    if not DeleteForm().validate_on_submit():
        abort(400)
    name = person.full_name
    if not act(lambda: svc.delete_person(db.session, person)):
        return redirect(url_for("people.show_person", person_id=person_id))
    flash(f"{name} was removed. The audit log keeps the record.", "success")
    return redirect(url_for("people.list_people"))


@bp.route("/<int:person_id>/assignments/new", methods=["GET", "POST"])
@requires("manage_people")
def create_assignment(person_id: int):
    """HR places a person at schools."""
    person = visible_person_or_404(current_user, person_id, today())
    form = AssignmentForm(role=person.person_type)
    form.school_ids.choices = _school_choices()
    if request.method == "POST":
        if submit(form, lambda data: svc.create_assignment(db.session, person, data, today())):
            flash("Assignment added.", "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/edit_assignment.html", form=form, person=person,
                           assignment=None)


def _assignment_or_404(person_id: int, assignment_id: int) -> Assignment:
    person = visible_person_or_404(current_user, person_id, today())
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.person_id != person.id:
        abort(404)
    return assignment


@bp.route("/<int:person_id>/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@requires("manage_people")
def edit_assignment(person_id: int, assignment_id: int):
    """HR changes an assignment (for example, ends it)."""
    assignment = _assignment_or_404(person_id, assignment_id)
    form = AssignmentForm(obj=assignment)
    form.school_ids.choices = _school_choices()
    if request.method == "GET":
        form.school_ids.data = [s.id for s in assignment.schools]
    if request.method == "POST":
        if submit(form, lambda data: svc.update_assignment(db.session, assignment, data, today())):
            flash("Assignment saved.", "success")
            return redirect(url_for("people.show_person", person_id=person_id))
    return render_template("people/edit_assignment.html", form=form, person=assignment.person,
                           assignment=assignment)


@bp.route("/<int:person_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@requires("manage_people")
def delete_assignment(person_id: int, assignment_id: int):
    """HR removes an assignment recorded in error."""
    assignment = _assignment_or_404(person_id, assignment_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    if act(lambda: svc.delete_assignment(db.session, assignment)):
        flash("Assignment removed.", "success")
    return redirect(url_for("people.show_person", person_id=person_id))
