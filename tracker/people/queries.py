"""Scoped reads for the people pages (one query per list, no per-row lookups)."""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from models import db
from models.accounts import User
from models.audit import AuditEvent
from models.people import Assignment, Person
from models.scoping import assigned_to_schools, person_scope, visible_person
from models.services.people.directory import matches_search
from tracker.inputs import MAX_ID


def directory_query(user: User, today: date, *, q: str = "", school_id: int | None = None,
                    person_type: str = "", employer: str = "") -> Select:
    """The people `user` may see, filtered by search text, school, type and employer."""
    stmt = select(Person).where(person_scope(user, today))
    if q:
        stmt = stmt.where(matches_search(q))
    if school_id:
        stmt = stmt.where(assigned_to_schools([school_id], today))
    if person_type:
        stmt = stmt.where(Person.person_type == person_type)
    if employer == "district":
        stmt = stmt.where(Person.employer == "district")
    elif employer.isascii() and employer.isdigit() and int(employer) <= MAX_ID:
        stmt = stmt.where(Person.agency_id == int(employer))
    return stmt


def page_of_people(stmt: Select, page: int, per_page: int):
    """One page of a directory query with agencies and assignments loaded up front."""
    stmt = stmt.options(
        selectinload(Person.agency),
        selectinload(Person.assignments).selectinload(Assignment.schools),
    ).order_by(Person.last_name, Person.first_name, Person.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def visible_person_or_404(user: User, person_id: int, today: date) -> Person:
    """The person if `user` may see them, else 404 (never 403: existence stays hidden)."""
    person = visible_person(db.session, user, person_id, today)
    if person is None:
        abort(404)
    return person


def person_history(person: Person) -> list[AuditEvent]:
    """Audit events for a person and their assignments, newest first."""
    assignment_ids = [a.id for a in person.assignments]
    stmt = select(AuditEvent).where(or_(
        (AuditEvent.entity_type == "people") & (AuditEvent.entity_id == person.id),
        (AuditEvent.entity_type == "assignments") & AuditEvent.entity_id.in_(assignment_ids),
    )).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(200)
    return list(db.session.scalars(stmt))
