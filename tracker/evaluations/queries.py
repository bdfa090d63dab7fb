"""Scoped reads for the evaluation pages (one query per list, no per-row lookups)."""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import db
from models.accounts import User
from models.evaluations import Evaluation, EvaluationRating, Recognition
from models.people import Person
from models.policy import can
from models.scoping import Scope
from models.services.evaluations.access import evaluation_scope
from models.services.evaluations.recognition import recognitions_select
from models.services.stores.reads import evaluation_due_source

LOADS = (selectinload(Evaluation.person), selectinload(Evaluation.signatures),
         selectinload(Evaluation.amendments), selectinload(Evaluation.template))


def visible_evaluation_or_404(user: User, evaluation_id: int, today: date) -> Evaluation:
    """The evaluation if `user` may see it, else 404 (its existence stays hidden)."""
    ev = db.session.scalar(
        select(Evaluation).where(Evaluation.id == evaluation_id, evaluation_scope(user, today))
        .options(*LOADS, selectinload(Evaluation.ratings).selectinload(EvaluationRating.criterion)))
    if ev is None:
        abort(404)
    return ev


def visible_evaluations(user: User, today: date, *, person_id: int | None = None,
                        statuses: tuple[str, ...] | None = None) -> list[Evaluation]:
    """Evaluations `user` may see, newest first, optionally for one person or some statuses."""
    stmt = select(Evaluation).where(evaluation_scope(user, today)).options(*LOADS)
    if person_id is not None:
        stmt = stmt.where(Evaluation.person_id == person_id)
    if statuses:
        stmt = stmt.where(Evaluation.status.in_(statuses))
    return list(db.session.scalars(stmt.order_by(Evaluation.due_date.desc(), Evaluation.id.desc())))


def dashboard(user: User, today: date) -> dict[str, list]:
    """Evaluations for a principal's schools (HR: all), grouped by what needs doing."""
    scope, at = Scope.for_user(user, today), None
    if can(user, "see_school_people"):  # a principal evaluates the assignments at their schools
        at = user.school_ids or [0]
        scope = scope.without(user.person_id)
    due = evaluation_due_source(db.session, scope, assignment_school_ids=at).subquery()
    rows = db.session.execute(select(due).where(due.c.status != "complete")
                              .order_by(due.c.due_date, due.c.person_id, due.c.assignment_id)).all()
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_({r.person_id for r in rows})))}
    evs = {e.id: e for e in db.session.scalars(
        select(Evaluation).where(Evaluation.id.in_({r.evaluation_id for r in rows if r.evaluation_id}))
        .options(selectinload(Evaluation.signatures)))}
    groups: dict[str, list] = {"overdue": [], "due": [], "in_progress": [], "awaiting": [], "upcoming": []}
    for r in rows:
        ev = evs.get(r.evaluation_id)
        item = {"row": r, "person": people[r.person_id], "evaluation": ev}
        if ev is not None and ev.status != "draft":
            groups["awaiting"].append(item)
        elif ev is not None:
            groups["in_progress"].append(item)
        else:
            groups[{"overdue": "overdue", "due": "due"}.get(r.status, "upcoming")].append(item)
    return groups


def person_recognitions(user: User, today: date, person_id: int) -> list[Recognition]:
    """Recognitions of one person (already known to be visible) for the person page."""
    return list(db.session.scalars(recognitions_select(user, today, person_id=person_id)))
