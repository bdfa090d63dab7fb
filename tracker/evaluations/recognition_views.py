"""Recognition pages (per school and per person, NASRO Practitioner candidates) and template editing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import db
from models.evaluations import Evaluation, EvaluationTemplate
from models.org import School
from models.policy import can
from models.scoping import Scope, school_scope
from models.services.evaluations.access import evaluation_scope
from models.services.evaluations.recognition import (
    create_recognition,
    nasro_practitioners,
    recognitions_select,
)
from models.services.evaluations.templates import revise_template
from tracker.evaluations.blueprint import bp
from tracker.evaluations.forms import RecognitionForm, TemplateForm
from tracker.forms import get_or_404, submit
from tracker.nav import add_nav
from tracker.people.queries import visible_person_or_404
from tracker.security import requires, today

add_nav("Recognition", "evaluations.list_recognitions",
        "see_recognitions", 52)
add_nav("Evaluation templates", "evaluations.list_templates", "manage_cycles", 53)


@bp.route("/recognitions")
@requires("see_recognitions")
def list_recognitions():
    """Recognitions the user may see, optionally for one school; SROs meeting NASRO Practitioner criteria."""
    day = today()
    school_id = request.args.get("school", type=int)
    schools = db.session.scalars(select(School).where(school_scope(current_user, day)).order_by(School.name))
    recognitions = list(db.session.scalars(recognitions_select(current_user, day, school_id=school_id)))
    visible_evs = set(db.session.scalars(select(Evaluation.id).where(
        Evaluation.id.in_({r.evaluation_id for r in recognitions if r.evaluation_id}),
        evaluation_scope(current_user, day))))
    practitioners = nasro_practitioners(db.session, Scope.for_user(current_user, day))
    return render_template("evaluations/list_recognitions.html", recognitions=recognitions,
                           schools=list(schools), school_id=school_id, visible_evs=visible_evs,
                           practitioners=practitioners, can_approve=can(current_user, "recognize"))


@bp.route("/recognitions/new/<int:person_id>", methods=["GET", "POST"])
@requires("recognize")
def create_recognition_view(person_id: int):
    """Record a commendation, award or nomination for a person the user may see."""
    day = today()
    person = visible_person_or_404(current_user, person_id, day)
    form = RecognitionForm()
    schools = {s.id: s.name for a in person.assignments for s in a.schools}
    form.school_id.choices = [("", "— none —")] + list(schools.items())
    evs = db.session.scalars(select(Evaluation).where(Evaluation.person_id == person.id,
                                                      evaluation_scope(current_user, day)))
    form.evaluation_id.choices = [("", "— none —")] + [(e.id, f"{e.cycle_label} ({e.status_label})")
                                                        for e in evs]
    if request.method == "POST":
        if submit(form, lambda data: create_recognition(db.session, person, data, user=current_user,
                                                        today=day)):
            flash("Recognition recorded.", "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("evaluations/edit_recognition.html", form=form, person=person)


@bp.route("/templates")
@requires("manage_cycles")
def list_templates():
    """Every template version, current first."""
    templates = db.session.scalars(select(EvaluationTemplate).order_by(
        EvaluationTemplate.key, EvaluationTemplate.version.desc()))
    return render_template("evaluations/list_templates.html", templates=list(templates))


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@requires("manage_cycles")
def edit_template(template_id: int):
    """Change a template: saving creates a new version; evaluations keep the version they started on."""
    template = get_or_404(EvaluationTemplate, template_id)
    if request.method == "GET":
        form = TemplateForm(obj=template)
        form.criteria.append_entry({})  # one empty row to add a criterion
    else:
        form = TemplateForm()
    if request.method == "POST":
        new = submit(form, lambda data: revise_template(db.session, template, data))
        if new:
            flash(f"Saved as version {new.version}.", "success")
            return redirect(url_for("evaluations.list_templates"))
    return render_template("evaluations/edit_template.html", form=form, template=template)
