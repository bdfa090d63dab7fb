"""Candidate pages: adding, the timeline, stage moves, screening and the appointment decision."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import db
from models.audit import AuditEvent
from models.hiring import BACKGROUND_CHECKS, STAGES
from models.org import Agency
from models.people import Person
from models.scoping import person_scope
from models.services.hiring import vacancies as svc
from models.services.hiring.decision import appoint
from models.services.hiring.panel import scores_for
from models.services.hiring.screening import (
    SUMMARY_LABELS,
    background_by_type,
    background_summary,
    record_screening,
    screening_by_criterion,
    unmet_requirements,
)
from tracker.forms import submit
from tracker.hiring.access import (
    candidate_or_404,
    my_seat,
    vacancy_or_404,
)
from tracker.hiring.blueprint import bp
from tracker.hiring.forms import CandidateForm, DecisionForm, TransitionForm, screening_form_class
from tracker.invitations import invite_if_wanted
from tracker.security import requires, today


@bp.route("/vacancies/<int:vacancy_id>/candidates/new", methods=["GET", "POST"])
@requires("manage_hiring")
def add_candidate(vacancy_id: int):
    """HR adds a candidate: an existing person or a newcomer."""
    vacancy = vacancy_or_404(vacancy_id)
    form = CandidateForm()
    people = db.session.scalars(select(Person).where(person_scope(current_user, today()))
                                .order_by(Person.last_name, Person.first_name)).all()
    form.person_id.choices = [("", "— a new person —")] + [
        (p.id, f"{p.last_name}, {p.first_name} ({p.email})") for p in people]
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    form.current_agency_id.choices = [("", "— none —")] + [(a.id, a.name) for a in agencies]
    if request.method == "POST":
        candidate = submit(form, lambda data: svc.add_candidate(db.session, vacancy, data))
        if candidate:
            flash(f"{candidate.full_name} was added as a candidate.", "success")
            return redirect(url_for("hiring.show_vacancy", vacancy_id=vacancy.id))
    return render_template("hiring/edit_candidate.html", form=form, vacancy=vacancy)


def _overrides(candidate) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "candidates", AuditEvent.entity_id == candidate.id,
        AuditEvent.action == "hiring_override").order_by(AuditEvent.id)))


@bp.route("/candidates/<int:candidate_id>")
@requires("see_vacancy")
def show_candidate(candidate_id: int):
    """A candidate: details, screening (redacted for non-HR), scores, decision and the timeline."""
    candidate = candidate_or_404(candidate_id)
    form = TransitionForm()
    form.to_stage.choices = [(s, STAGES[s]) for s in svc.allowed_moves(candidate)]
    return render_template(
        "hiring/show_candidate.html", candidate=candidate, vacancy=candidate.vacancy,
        transition_form=form, results=screening_by_criterion(candidate),
        checks=background_by_type(candidate), background_checks=BACKGROUND_CHECKS,
        summary=background_summary(candidate), summary_labels=SUMMARY_LABELS,
        scores=scores_for(db.session, candidate), seat=my_seat(candidate.vacancy),
        overrides=_overrides(candidate))


@bp.route("/candidates/<int:candidate_id>/stage", methods=["POST"])
@requires("manage_hiring")
def move_candidate(candidate_id: int):
    """HR moves a candidate to another stage, with a reason."""
    candidate = candidate_or_404(candidate_id)
    form = TransitionForm()
    form.to_stage.choices = [(s, label) for s, label in STAGES.items()]
    if submit(form, lambda data: svc.move_candidate(db.session, candidate, data["to_stage"],
                                                    data["reason"])):
        flash(f"{candidate.full_name} is now {candidate.stage_label.lower()}.", "success")
    else:
        flash("Nothing changed: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("hiring.show_candidate", candidate_id=candidate.id))


@bp.route("/candidates/<int:candidate_id>/screening", methods=["GET", "POST"])
@requires("manage_hiring")
def edit_screening(candidate_id: int):
    """HR records the result and evidence of each hard requirement and background check."""
    candidate = candidate_or_404(candidate_id)
    form_class = screening_form_class(candidate.vacancy)
    form = form_class()
    if request.method == "GET":
        for cid, row in screening_by_criterion(candidate).items():
            form[f"status_{cid}"].data, form[f"evidence_{cid}"].data = row.status, row.evidence
        for key, row in background_by_type(candidate).items():
            form[f"bg_{key}"].data, form[f"bg_detail_{key}"].data = row.result, row.detail
            form[f"bg_date_{key}"].data = row.checked_on
    if request.method == "POST":
        if submit(form, lambda data: record_screening(db.session, candidate, data, today())):
            flash("Screening saved.", "success")
            return redirect(url_for("hiring.show_candidate", candidate_id=candidate.id))
    return render_template("hiring/edit_screening.html", form=form, candidate=candidate,
                           vacancy=candidate.vacancy, background_checks=BACKGROUND_CHECKS)


def _appointed(decision, invite: bool):
    invite_if_wanted(decision.candidate.person, invite)
    return decision


@bp.route("/candidates/<int:candidate_id>/decision", methods=["GET", "POST"])
@requires("manage_hiring")
def appoint_candidate(candidate_id: int):
    """HR records the appointment decision (refused while a hard requirement is unmet)."""
    candidate = candidate_or_404(candidate_id)
    form = DecisionForm()
    if request.method == "POST":
        decision = submit(form, lambda data: _appointed(appoint(db.session, candidate, data, today()),
                                                        data.get("send_invitation")))
        if decision:
            flash(f"{candidate.full_name} was appointed; the assignment starts "
                  f"{decision.start_date.isoformat()}.", "success")
            return redirect(url_for("hiring.show_candidate", candidate_id=candidate.id))
    return render_template("hiring/edit_decision.html", form=form, candidate=candidate,
                           vacancy=candidate.vacancy, unmet=unmet_requirements(candidate))
