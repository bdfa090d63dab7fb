"""Hiring: the vacancies list, a vacancy's pipeline, and HR's vacancies and selection criteria."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import db
from models.hiring import (
    STAGES,
    VACANCY_STATUSES,
    Candidate,
    PanelMember,
    Score,
    SelectionCriterion,
    Vacancy,
)
from models.org import Agency, School
from models.services.hiring import vacancies as svc
from tracker.forms import get_or_404, submit
from tracker.hiring.access import my_seat, vacancy_or_404
from tracker.hiring.blueprint import bp
from tracker.hiring.forms import ActionForm, CancelForm, CriterionForm, VacancyForm
from tracker.nav import add_nav
from tracker.security import requires, today

add_nav("Hiring", "hiring.list_vacancies", "see_vacancy", order=30)


@bp.app_context_processor
def _hiring_helpers() -> dict:
    user = current_user
    return {"can_manage_hiring": lambda: user.is_authenticated and svc.can_manage_hiring(user),
            "can_see_background": lambda: user.is_authenticated and svc.can_see_background(user)}


@bp.route("/")
@requires("see_vacancy")
def list_vacancies():
    """Vacancies the user may see (HR: all; principals: their schools; members: their panels)."""
    status = request.args.get("status", "")
    stmt = select(Vacancy).where(svc.vacancy_scope(current_user)).options(
        selectinload(Vacancy.schools), selectinload(Vacancy.agency))
    if status in VACANCY_STATUSES:
        stmt = stmt.where(Vacancy.status == status)
    vacancies = db.session.scalars(stmt.order_by(Vacancy.status != "open", Vacancy.opened_on.desc(),
                                                 Vacancy.id.desc())).all()
    counts = dict(db.session.execute(
        select(Candidate.vacancy_id, func.count(Candidate.id))
        .where(Candidate.vacancy_id.in_([v.id for v in vacancies]))
        .group_by(Candidate.vacancy_id)).all())
    return render_template("hiring/list_vacancies.html", vacancies=vacancies, counts=counts,
                           statuses=VACANCY_STATUSES, status=status)


def _vacancy_choices(form: VacancyForm) -> None:
    schools = db.session.scalars(select(School).order_by(School.name))
    form.school_ids.choices = [(s.id, s.name) for s in schools]
    form.agency_id.choices = [("", "— none —")] + [
        (a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]


@bp.route("/vacancies/new", methods=["GET", "POST"])
@requires("manage_hiring")
def create_vacancy():
    """HR opens a vacancy; the role's criteria in force are copied into it."""
    form = VacancyForm(role="sro")
    _vacancy_choices(form)
    if request.method == "POST":
        vacancy = submit(form, lambda data: svc.open_vacancy(db.session, data, today()))
        if vacancy:
            flash(f"Vacancy “{vacancy.title}” opened.", "success")
            return redirect(url_for("hiring.show_vacancy", vacancy_id=vacancy.id))
    return render_template("hiring/edit_vacancy.html", form=form)


@bp.route("/vacancies/<int:vacancy_id>")
@requires("see_vacancy")
def show_vacancy(vacancy_id: int):
    """A vacancy: details, its pipeline (candidates by stage), criteria and panel."""
    vacancy = vacancy_or_404(vacancy_id)
    pipeline = {stage: [c for c in vacancy.candidates if c.stage == stage] for stage in STAGES}
    scored = {(c, m) for c, m in db.session.execute(
        select(Score.candidate_id, Score.member_id).join(PanelMember)
        .where(PanelMember.vacancy_id == vacancy.id).distinct())}
    return render_template("hiring/show_vacancy.html", vacancy=vacancy, pipeline=pipeline,
                           stages=STAGES, seat=my_seat(vacancy), cancel_form=CancelForm(),
                           action_form=ActionForm(), scored=scored)


@bp.route("/vacancies/<int:vacancy_id>/cancel", methods=["POST"])
@requires("manage_hiring")
def cancel_vacancy(vacancy_id: int):
    """HR cancels an open vacancy."""
    vacancy = vacancy_or_404(vacancy_id)
    form = CancelForm()
    if submit(form, lambda data: svc.cancel_vacancy(db.session, vacancy, data["reason"], today())):
        flash("The vacancy was cancelled.", "success")
    else:
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("hiring.show_vacancy", vacancy_id=vacancy.id))


@bp.route("/criteria/")
@requires("manage_hiring")
def list_criteria():
    """Selection criteria by role."""
    criteria = db.session.scalars(select(SelectionCriterion).order_by(
        SelectionCriterion.role, SelectionCriterion.kind, SelectionCriterion.position)).all()
    return render_template("hiring/list_criteria.html", criteria=criteria)


@bp.route("/criteria/new", methods=["GET", "POST"], defaults={"criterion_id": None})
@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@requires("manage_hiring")
def edit_criterion(criterion_id: int | None):
    """HR adds or edits a criterion; vacancies already open keep their copy."""
    criterion = get_or_404(SelectionCriterion, criterion_id) if criterion_id else None
    form = CriterionForm(obj=criterion)
    if request.method == "POST":
        if submit(form, lambda data: svc.save_criterion(db.session, data, criterion)):
            flash("Criterion saved. Vacancies already open keep the criteria they opened with.", "success")
            return redirect(url_for("hiring.list_criteria"))
    return render_template("hiring/edit_criterion.html", form=form, criterion=criterion)

