"""Recognition: commendations, district awards and nominations; spotting NASRO Practitioner candidates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from models.accounts import User
from models.errors import ValidationFailed
from models.evaluations import RECOGNITION_KINDS, Evaluation, Recognition
from models.people import Assignment, Person
from models.scoping import Scope, person_scope

# NASRO Practitioner (domain reference §5): 3+ years as an SRO, Basic plus Advanced or Supervisor course.
PRACTITIONER_YEARS = 3
BASIC_COURSE = "NASRO-BASIC"
FURTHER_COURSES = ("NASRO-ADV", "NASRO-SUP")


def create_recognition(session: Session, person: Person, data: dict[str, Any], *, user: User,
                       today: date) -> Recognition:
    """Record a recognition approved by `user`; raises ValidationFailed listing every problem."""
    problems: list[tuple[str | None, str]] = []
    kind = data.get("kind")
    title = (data.get("title") or "").strip()
    reason = (data.get("reason") or "").strip()
    awarded_on = data.get("awarded_on")
    if kind not in RECOGNITION_KINDS:
        problems.append(("kind", "Choose commendation, district award or nomination."))
    if not title:
        problems.append(("title", "Give the recognition a title."))
    if not reason:
        problems.append(("reason", "Say what earned this recognition."))
    if awarded_on is None:
        problems.append(("awarded_on", "Date is required."))
    elif awarded_on > today:
        problems.append(("awarded_on", "The date cannot be in the future."))
    school_id = data.get("school_id") or None
    school_ids = {s.id for a in person.assignments for s in a.schools}
    if school_id and school_id not in school_ids:
        problems.append(("school_id", "Choose one of the person's schools."))
    evaluation_id = data.get("evaluation_id") or None
    if evaluation_id:
        ev = session.get(Evaluation, evaluation_id)
        if ev is None or ev.person_id != person.id:
            problems.append(("evaluation_id", "Choose one of this person's evaluations."))
    if problems:
        raise ValidationFailed(problems)
    rec = Recognition(person=person, kind=kind, title=title, reason=reason, awarded_on=awarded_on,
                      school_id=school_id, evaluation_id=evaluation_id,
                      approved_by_user_id=user.id, approved_by_name=user.email)
    session.add(rec)
    session.flush()
    return rec


def recognitions_select(user: User, today: date, *, school_id: int | None = None,
                        person_id: int | None = None) -> Select:
    """Recognitions of the people `user` may see, newest first, optionally for one school or person."""
    stmt = (select(Recognition).join(Person, Person.id == Recognition.person_id)
            .where(person_scope(user, today))
            .options(selectinload(Recognition.person), selectinload(Recognition.school),
                     selectinload(Recognition.evaluation))
            .order_by(Recognition.awarded_on.desc(), Recognition.id.desc()))
    if school_id is not None:
        stmt = stmt.where(Recognition.school_id == school_id)
    if person_id is not None:
        stmt = stmt.where(Recognition.person_id == person_id)
    return stmt


def _sro_days(assignments: list[tuple[int, date, date | None]], today: date) -> dict[int, int]:
    """Days served as SRO per person, overlapping assignments counted once."""
    days: dict[int, int] = {}
    last_end: dict[int, date] = {}
    for person_id, start, end in sorted(assignments, key=lambda r: (r[0], r[1])):
        end = min(end or today, today)
        start = max(start, last_end.get(person_id, start - timedelta(days=1)) + timedelta(days=1))
        if end >= start:
            days[person_id] = days.get(person_id, 0) + (end - start).days + 1
            last_end[person_id] = max(end, last_end.get(person_id, end))
    return days


def nasro_practitioners(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """SROs in `scope` whose records meet the NASRO Practitioner criteria: two set-based reads.

    Returns [] while the training module is absent (Step 4 not installed).
    """
    try:
        from models.training import Completion, Course
    except ImportError:
        return []
    today = scope.today
    stmt = (select(Assignment.person_id, Assignment.start_date, Assignment.end_date)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.role == "sro", Assignment.start_date <= today, scope.condition()))
    served = _sro_days(list(session.execute(stmt)), today)
    candidates = {pid for pid, d in served.items() if d >= PRACTITIONER_YEARS * 365}
    if not candidates:
        return []
    done = session.execute(
        select(Completion.person_id, Course.code).join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id.in_(candidates), Completion.completed_on <= today,
               Course.code.in_((BASIC_COURSE, *FURTHER_COURSES))).distinct())
    courses: dict[int, set[str]] = {}
    for pid, code in done:
        courses.setdefault(pid, set()).add(code)
    qualified = [pid for pid in candidates
                 if BASIC_COURSE in courses.get(pid, set()) and courses[pid] & set(FURTHER_COURSES)]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(qualified)))}
    return sorted(({"person": people[pid], "years": round(served[pid] / 365.25, 1),
                    "courses": sorted(courses[pid])} for pid in qualified),
                  key=lambda r: r["person"].last_name)
