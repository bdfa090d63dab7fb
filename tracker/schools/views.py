"""Schools and agencies: lists, a school's page, and HR's editing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import db
from models.org import Agency, School
from models.people import Assignment, Person, assignment_schools
from models.policy import can
from models.scoping import not_ended, person_scope, school_links, school_scope
from models.services.accounts.invitations import invite_school, uninvited_at_schools
from models.services.infra.words import plural
from models.services.people.org import save_agency, save_school
from tracker.forms import act, get_or_404, submit
from tracker.invitations import invite_lifetime
from tracker.schools.blueprint import bp
from tracker.schools.forms import AgencyForm, SchoolForm
from tracker.security import now, requires, today


@bp.route("/schools/")
@login_required
def list_schools():
    """Schools the user may see, with how many visible people are at each (current or upcoming)."""
    day = today()
    # The same "people at a school" as the school's page lists (current or upcoming assignments).
    links = school_links(None, day).subquery()
    counts = (
        select(links.c.school_id, func.count(func.distinct(links.c.person_id)).label("n"))
        .where(links.c.person_id.in_(select(Person.id).where(person_scope(current_user, day))))
        .group_by(links.c.school_id)
        .subquery()
    )
    rows = db.session.execute(
        select(School, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.school_id == School.id)
        .where(school_scope(current_user, day)).order_by(School.name)
    ).all()
    return render_template("schools/list_schools.html", rows=rows)


@bp.route("/schools/<int:school_id>")
@login_required
def show_school(school_id: int):
    """A school and the people currently or soon assigned there."""
    day = today()
    school = db.session.scalar(select(School).where(School.id == school_id,
                                                    school_scope(current_user, day)))
    if school is None:
        abort(404)
    assignments = db.session.scalars(
        select(Assignment)
        .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id)
        .join(Person, Person.id == Assignment.person_id)
        .where(assignment_schools.c.school_id == school.id, not_ended(day),
               person_scope(current_user, day))
        .options(selectinload(Assignment.person))
        .order_by(Assignment.role, Person.last_name)
    ).all()
    uninvited = (len(uninvited_at_schools(db.session, [school.id], day))
                 if can(current_user, "invite_people") else 0)
    return render_template("schools/show_school.html", school=school, assignments=assignments,
                           uninvited=uninvited)


@bp.route("/schools/<int:school_id>/invite", methods=["POST"])
@requires("invite_people")
def invite_school_people(school_id: int):
    """Invite everyone at the school (current or upcoming assignment) who has an email and no account."""
    day = today()
    school = db.session.scalar(select(School).where(School.id == school_id, school_scope(current_user, day)))
    if school is None:
        abort(404)
    if not FlaskForm().validate_on_submit():  # the CSRF token
        abort(400)
    invited = act(lambda: invite_school(db.session, school.id, day, now(), invite_lifetime(),
                                        current_user.id))
    if invited == 0:
        flash(f"Everyone at {school.name} with an email already has an account.", "info")
    elif invited:  # None: refused, and act said why
        flash(f"{plural(invited, 'invitation')} to sign in sent to people at "
              f"{school.name}.", "success")
    return redirect(url_for("schools.show_school", school_id=school.id))


@bp.route("/schools/new", methods=["GET", "POST"], defaults={"school_id": None})
@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@requires("manage_people")
def edit_school(school_id: int | None):
    """HR creates or edits a school."""
    school = get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school)
    if request.method == "POST":
        saved = submit(form, lambda data: save_school(db.session, data, school))
        if saved:
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for("schools.show_school", school_id=saved.id))
    return render_template("schools/edit_school.html", form=form, school=school)


@bp.route("/agencies/")
@login_required
def list_agencies():
    """Agencies that place officers in the district's schools."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return render_template("schools/list_agencies.html", agencies=agencies)


@bp.route("/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@requires("manage_people")
def edit_agency(agency_id: int | None):
    """HR creates or edits an agency."""
    agency = get_or_404(Agency, agency_id) if agency_id else None
    form = AgencyForm(obj=agency)
    if request.method == "POST":
        saved = submit(form, lambda data: save_agency(db.session, data, agency))
        if saved:
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for("schools.list_agencies"))
    return render_template("schools/edit_agency.html", form=form, agency=agency)
