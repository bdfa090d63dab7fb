"""Catalog pages: courses and requirements, edited by the coordinator (and admin), previewed before saving."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import db
from models.errors import ValidationFailed
from models.people import ROLES
from models.services.training import catalog as svc
from models.training import PRESETS, Course, Requirement
from tracker.forms import get_or_404, show_problems, submit
from tracker.security import requires, today
from tracker.training.blueprint import bp
from tracker.training.forms import CourseForm, RequirementForm


@bp.route("/catalog")
@requires("see_training")
def catalog():
    """Every course (active first) and every requirement, with edit links for those who manage them."""
    courses = db.session.scalars(select(Course).options(selectinload(Course.equivalents))
                                 .order_by(Course.active.desc(), Course.code)).all()
    reqs = db.session.scalars(select(Requirement).options(selectinload(Requirement.course),
                                                          selectinload(Requirement.role_links))
                              .join(Course).order_by(Course.code, Requirement.id)).all()
    return render_template("training/catalog.html", courses=courses, requirements=reqs, roles=ROLES,
                           presets=PRESETS)


def _course_choices(form: CourseForm, course: Course | None) -> None:
    others = db.session.scalars(select(Course).order_by(Course.code)).all()
    form.equivalent_ids.choices = [(c.id, f"{c.code} {c.title}") for c in others if c is not course]


@bp.route("/courses/new", methods=["GET", "POST"], defaults={"course_id": None})
@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@requires("manage_catalog")
def edit_course(course_id: int | None):
    """Add or change a course (audited)."""
    course = get_or_404(Course, course_id) if course_id else None
    form = CourseForm(obj=course) if request.method == "GET" and course else CourseForm()
    _course_choices(form, course)
    if request.method == "GET" and course:
        form.equivalent_ids.data = [c.id for c in course.equivalents]
    if request.method == "POST":
        saved = submit(form, lambda data: svc.save_course(db.session, course, data))
        if saved:
            flash(f"Course {form.code.data.strip()} saved.", "success")
            return redirect(url_for("training.catalog"))
    return render_template("training/edit_course.html", form=form, course=course)


def _requirement_choices(form: RequirementForm, req: Requirement | None) -> None:
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    form.course_id.choices = [("", "— choose —")] + [
        (c.id, f"{c.code} {c.title}{'' if c.active else ' (retired)'}") for c in courses
        if c.active or (req is not None and req.course_id == c.id)]
    form.roles.choices = list(ROLES.items())
    form.due_rule.choices = list(svc.DUE_RULES.items())
    form.preset.choices = [("", "Nationally (every district)")] + [
        (k, f"With the {v} preset") for k, v in PRESETS.items()]


@bp.route("/requirements/new", methods=["GET", "POST"], defaults={"requirement_id": None})
@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@requires("manage_catalog")
def edit_requirement(requirement_id: int | None):
    """Add or change a requirement: "Preview" says what it does to the population, "Save" applies it."""
    req = get_or_404(Requirement, requirement_id) if requirement_id else None
    if request.method == "GET" and req:
        form = RequirementForm(obj=req)
        form.roles.data = req.roles
        form.preset.data = req.preset or ""
    else:
        form = RequirementForm()
    _requirement_choices(form, req)
    preview = None
    if request.method == "POST" and "save" not in request.form:
        form.validate()
        if not form.errors:
            try:
                preview = svc.preview_requirement(db.session, req, form.data, today())
            except ValidationFailed as error:
                show_problems(form, error)
        db.session.rollback()  # a preview keeps nothing
    elif request.method == "POST":
        saved = submit(form, lambda data: svc.save_requirement(db.session, req, data))
        if saved:
            flash("Requirement saved; the compliance board shows its effect now.", "success")
            return redirect(url_for("training.catalog"))
    return render_template("training/edit_requirement.html", form=form, req=req, preview=preview)
