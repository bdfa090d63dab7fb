"""Training session pages: the list, scheduling, enrolment, the printable roster and the check-off."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import db
from models.org import School
from models.people import ROLES, Person
from models.policy import can
from models.scoping import Scope, school_scope
from models.services.infra.words import plural
from models.services.training import session_close
from models.services.training import sessions as svc
from models.training import Course
from models.training_sessions import Enrolment, TrainingSession
from tracker.forms import get_or_404, submit
from tracker.nav import add_nav
from tracker.people.queries import directory_query
from tracker.security import now, requires, today
from tracker.training.blueprint import bp
from tracker.training.session_forms import (
    CancelSessionForm,
    EnrolGroupForm,
    EnrolPersonForm,
    SessionForm,
    attendance_form,
    attendance_marks,
)

PICKER_SIZE = 25
add_nav("Sessions", "training.list_sessions", "see_training", 31)


def _scope() -> Scope:
    return Scope.for_user(current_user, today())


def _course_choices(form: SessionForm) -> None:
    form.course_id.choices = [("", "— choose —")] + [
        (c.id, f"{c.code} {c.title}") for c in db.session.scalars(select(Course).where(Course.active)
                                                                  .order_by(Course.code))]


@bp.route("/sessions/")
@requires("see_training")
def list_sessions():
    """Upcoming sessions, then past ones, with how many of the people the user sees are enrolled."""
    day, scope = today(), _scope()
    seen = (select(Enrolment.session_id, func.count().label("n"))
            .join(Person, Person.id == Enrolment.person_id).where(scope.condition())
            .group_by(Enrolment.session_id).subquery())
    rows = db.session.execute(
        select(TrainingSession, func.coalesce(seen.c.n, 0))
        .outerjoin(seen, seen.c.session_id == TrainingSession.id)
        .options(selectinload(TrainingSession.course))
        .order_by((TrainingSession.held_on < day), TrainingSession.held_on, TrainingSession.starts_at)
        .limit(500)).all()
    return render_template("training/list_sessions.html", rows=rows, today_=day)


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("manage_sessions")
def create_session():
    """Schedule a session of a course."""
    form = SessionForm()
    _course_choices(form)
    if request.method == "GET" and request.args.get("course", type=int):
        form.course_id.data = request.args.get("course", type=int)
    if request.method == "POST":
        ts = submit(form, lambda data: svc.save_session(db.session, None, data, user_id=current_user.id))
        if ts:
            flash("Session scheduled.", "success")
            return redirect(url_for("training.show_session", session_id=ts.id))
    return render_template("training/edit_session.html", form=form, ts=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires("manage_sessions")
def edit_session(session_id: int):
    """Change a scheduled session's time, place, instructor or capacity."""
    ts = get_or_404(TrainingSession, session_id)
    form = SessionForm(obj=ts if request.method == "GET" else None)
    _course_choices(form)
    if request.method == "POST":
        if submit(form, lambda data: svc.save_session(db.session, ts, data, user_id=current_user.id)):
            flash("Session saved.", "success")
            return redirect(url_for("training.show_session", session_id=ts.id))
    return render_template("training/edit_session.html", form=form, ts=ts)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@requires("manage_sessions")
def cancel_session(session_id: int):
    """Cancel a scheduled session (its enrolments stay on record)."""
    ts = get_or_404(TrainingSession, session_id)
    form = CancelSessionForm()
    if submit(form, lambda data: svc.cancel_session(db.session, ts, data["cancel_reason"])):
        flash("Session cancelled.", "success")
    else:
        for message in [m for ms in form.errors.values() for m in ms]:
            flash(message, "error")
    return redirect(url_for("training.show_session", session_id=ts.id))


def _show_context(ts: TrainingSession, q: str) -> dict:
    day, scope = today(), _scope()
    enrolled = session_close.session_enrolments(db.session, ts, scope.condition())
    context = {"ts": ts, "enrolled": enrolled, "today_": day, "q": q, "matches": [],
               "taken": svc.seats_taken(db.session, ts.id) if can(current_user, "manage_sessions") else None}
    if can(current_user, "manage_sessions"):
        if q:
            taken = select(Enrolment.person_id).where(Enrolment.session_id == ts.id)
            context["matches"] = db.session.scalars(
                directory_query(current_user, day, q=q).where(Person.id.not_in(taken))
                .order_by(Person.last_name, Person.first_name, Person.id).limit(PICKER_SIZE)).all()
        group = EnrolGroupForm()
        group.school_id.choices = [("", "— choose —")] + [(s.id, s.name) for s in db.session.scalars(
            select(School).where(school_scope(current_user, day)).order_by(School.name))]
        group.role.choices = [("", "Any role")] + list(ROLES.items())
        context |= {"group_form": group, "person_form": EnrolPersonForm(), "cancel_form": CancelSessionForm()}
    return context


@bp.route("/sessions/<int:session_id>")
@requires("see_training")
def show_session(session_id: int):
    """A session: when and where, the people (in scope) enrolled, and for coordinators the enrolment tools."""
    ts = get_or_404(TrainingSession, session_id)
    q = request.args.get("q", "").replace("\x00", "")[:100]
    return render_template("training/show_session.html", **_show_context(ts, q))


def _after_enrolling(form, result, ts: TrainingSession):
    """Say who was enrolled (and who did not fit), or every problem; back to the session either way."""
    if result:
        added, left_out = result
        flash(f"{plural(len(added), 'person', 'people')} enrolled; invitations queued for those with an "
              "email address.", "success")
        if left_out:
            flash(f"The session is full: {plural(left_out, 'more person', 'more people')} could not be "
                  "enrolled.", "warning")
    else:
        for message in [m for ms in form.errors.values() for m in ms]:
            flash(message, "error")
    return redirect(url_for("training.show_session", session_id=ts.id))


@bp.route("/sessions/<int:session_id>/enrol", methods=["POST"])
@requires("manage_sessions")
def enrol_person(session_id: int):
    """Enrol one person chosen with the picker."""
    ts = get_or_404(TrainingSession, session_id)
    form = EnrolPersonForm()
    result = submit(form, lambda data: svc.enrol_people(
        db.session, ts, [data["person_id"]], _scope(), today=today(), now=now(), user_id=current_user.id))
    return _after_enrolling(form, result, ts)


@bp.route("/sessions/<int:session_id>/enrol-group", methods=["POST"])
@requires("manage_sessions")
def enrol_group(session_id: int):
    """Enrol the people at a school (in a role) who need the course most, up to capacity."""
    ts = get_or_404(TrainingSession, session_id)
    form = EnrolGroupForm()
    result = submit(form, lambda data: svc.enrol_by_school_and_role(
        db.session, ts, _scope(), school_id=data["school_id"], role=data["role"], today=today(), now=now(),
        user_id=current_user.id))
    return _after_enrolling(form, result, ts)


@bp.route("/sessions/<int:session_id>/roster")
@requires("see_training")
def print_roster(session_id: int):
    """The printable sign-in sheet: the people (in scope) enrolled, with a line to sign."""
    ts = get_or_404(TrainingSession, session_id)
    enrolled = session_close.session_enrolments(db.session, ts, _scope().condition())
    return render_template("training/session_roster.html", ts=ts, enrolled=enrolled)


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@requires("manage_sessions")
def check_off(session_id: int):
    """The instructor's check-off: attended or not per person; closing records the attendees' completions."""
    ts = get_or_404(TrainingSession, session_id)
    enrolled = session_close.session_enrolments(db.session, ts)
    form = attendance_form(enrolled)
    if request.method == "POST":
        closing = request.form.get("action") == "close"

        def action(_data):
            marks = attendance_marks(form, enrolled)
            if closing:
                return (session_close.close_session(db.session, ts, marks, today=today(), now=now(),
                                                    user_id=current_user.id),)
            return session_close.save_attendance(db.session, ts, marks)
        done = submit(form, action)
        if done:
            flash(f"Session closed: {done[0]} completions recorded." if closing else "Attendance saved.",
                  "success")
            return redirect(url_for("training.show_session" if closing else "training.check_off",
                                    session_id=ts.id))
    return render_template("training/check_off.html", ts=ts, enrolled=enrolled, form=form)


@bp.app_context_processor
def _session_helpers():
    """`upcoming_sessions(course_id)` for the course page, `person_sessions(person_id)` for the transcript."""
    def upcoming(course_id: int):
        return db.session.scalars(select(TrainingSession).where(
            TrainingSession.course_id == course_id, TrainingSession.status == "scheduled",
            TrainingSession.held_on >= today())
            .order_by(TrainingSession.held_on, TrainingSession.starts_at)).all()

    def of_person(person_id: int):
        return db.session.execute(
            select(Enrolment, TrainingSession)
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(Enrolment.person_id == person_id).options(selectinload(TrainingSession.course))
            .order_by(TrainingSession.held_on.desc(), TrainingSession.starts_at.desc())).all()
    return {"upcoming_sessions": upcoming, "person_sessions": of_person}
