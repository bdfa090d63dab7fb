"""Factories for training rows: courses, requirements, completions, waivers."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.orm import Session

from models.training import Completion, Course, Requirement, RequirementRole, Waiver
from tests.factories import make_assignment, make_district, make_person, make_school

_seq = itertools.count(1)


def make_course(session: Session, code: str | None = None, **overrides) -> Course:
    """A course in the catalog."""
    n = next(_seq)
    course = Course(code=code or f"C-{n}", title=overrides.pop("title", f"Course {n}"),
                    hours=overrides.pop("hours", 8), **overrides)
    session.add(course)
    session.flush()
    return course


def make_requirement(session: Session, course: Course, roles=("sro",), **overrides) -> Requirement:
    """A requirement for `roles`; by default due within 365 days, one-time."""
    values = {"due_rule": "within_days", "due_days": 365, "due_soon_days": 30, **overrides}
    req = Requirement(course=course, **values)
    req.role_links = [RequirementRole(role=r) for r in roles]
    session.add(req)
    session.flush()
    return req


def make_completion(session: Session, person, course: Course, completed_on: date, **overrides):
    """A completion record."""
    comp = Completion(person=person, course=course, completed_on=completed_on,
                      hours=overrides.pop("hours", course.hours), **overrides)
    session.add(comp)
    session.flush()
    return comp


def make_waiver(session: Session, person, requirement: Requirement, **overrides) -> Waiver:
    """A waiver granted by the coordinator."""
    waiver = Waiver(person=person, requirement=requirement, granted_by_label="coordinator@example.org",
                    granted_on=overrides.pop("granted_on", date(2026, 1, 1)),
                    reason=overrides.pop("reason", "Equivalent state course on file"), **overrides)
    session.add(waiver)
    session.flush()
    return waiver


def overdue_sros(session: Session, count: int, today: date) -> dict:
    """`count` SROs at one school, overdue: a requirement due 30 days after a start 60 days before `today`."""
    make_district(session)
    school = make_school(session)
    course = make_course(session, code="SRO-40")
    req = make_requirement(session, course, roles=("sro",), due_days=30)
    people = [make_person(session, person_type="sro") for _ in range(count)]
    start = today - timedelta(days=60)
    assignments = [make_assignment(session, p, [school], start_date=start) for p in people]
    session.commit()
    return {"school": school, "course": course, "req": req, "people": people, "assignments": assignments}
