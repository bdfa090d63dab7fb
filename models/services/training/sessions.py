"""Training sessions: scheduling, editing and cancelling a class, and enrolling people in it.

Enrolment is set-based: one query finds who may be enrolled (in the user's scope, not yet enrolled),
one flush adds their seats and one more queues their invitations. "By school and role" takes the
people who need the course most first, from the compliance engine's rows: overdue, expired, due soon,
then not yet due (earliest act-by date first within each), up to the seats left.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from models.errors import DomainError, ValidationFailed
from models.people import Person
from models.scoping import Scope
from models.services.infra.text import text_problems
from models.services.stores.reads import compliance_source
from models.services.training.session_invites import queue_invitations
from models.training import MAX_HOURS, Course
from models.training_sessions import MAX_CAPACITY, Enrolment, TrainingSession

# The order in which enrolment by school and role fills the seats: who needs the course most.
NEED_ORDER = ("overdue", "expired", "due_soon", "not_yet_due")
TEXT_FIELDS = ("location", "online_url", "instructor", "note")
LABELS = {"location": "Location", "online_url": "Online link", "instructor": "Instructor", "note": "Note"}


def _clean(value) -> str | None:
    return (value or "").strip() or None


def _session_problems(data: dict[str, Any], course: Course | None, enrolled: int,
                      current_course_id: int | None = None) -> list:
    problems: list[tuple[str | None, str]] = []
    if course is None:
        problems.append(("course_id", "Choose a course from the catalog."))
    elif not course.active and course.id != current_course_id:  # a retired course takes no new session
        problems.append(("course_id", f"{course.code} is retired; choose an active course."))
    if data.get("held_on") is None:
        problems.append(("held_on", "The date is required (YYYY-MM-DD)."))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None:
        problems.append(("starts_at", "The start time is required (HH:MM)."))
    if ends is None:
        problems.append(("ends_at", "The end time is required (HH:MM)."))
    if starts is not None and ends is not None and ends <= starts:
        problems.append(("ends_at", "The session must end after it starts."))
    if not _clean(data.get("location")) and not _clean(data.get("online_url")):
        problems.append(("location", "Give a location or an online link (or both)."))
    url = _clean(data.get("online_url"))
    if url and not url.lower().startswith(("https://", "http://")):
        problems.append(("online_url", "The online link must start with https:// or http://."))
    if not _clean(data.get("instructor")):
        problems.append(("instructor", "Name the instructor."))
    capacity = data.get("capacity")
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(("capacity", f"Capacity must be between 1 and {MAX_CAPACITY}."))
    elif capacity < enrolled:
        problems.append(("capacity",
                         f"{enrolled} people are already enrolled: the capacity cannot be lower."))
    hours = data.get("hours")
    if hours is not None and not 0 < hours <= MAX_HOURS:
        problems.append(("hours", f"Hours must be above 0 and at most {MAX_HOURS}."))
    texts = {f: data.get(f) for f in TEXT_FIELDS if isinstance(data.get(f), str)}
    problems += text_problems(TrainingSession.__table__, texts, LABELS)
    return problems


def save_session(session: Session, ts: TrainingSession | None, data: dict[str, Any], *,
                 user_id: int | None) -> TrainingSession:
    """Schedule a new session (`ts` None) or change a scheduled one; every problem is reported at once."""
    if ts is not None and ts.status != "scheduled":
        raise DomainError(f"This session is {ts.status_label.lower()}: it can no longer be changed.")
    course = session.get(Course, data["course_id"]) if data.get("course_id") else None
    enrolled = seats_taken(session, ts.id) if ts is not None else 0
    problems = _session_problems(data, course, enrolled, ts.course_id if ts is not None else None)
    if problems:
        raise ValidationFailed(problems)
    if ts is None:
        ts = TrainingSession(status="scheduled", created_by_user_id=user_id)
        session.add(ts)
    ts.course_id = course.id
    ts.held_on, ts.starts_at, ts.ends_at = data["held_on"], data["starts_at"], data["ends_at"]
    ts.capacity, ts.hours = data["capacity"], data.get("hours")
    for name in TEXT_FIELDS:
        setattr(ts, name, _clean(data.get(name)))
    session.flush()
    return ts


def cancel_session(session: Session, ts: TrainingSession, reason: str | None) -> None:
    """Cancel a scheduled session; its enrolments stay on record, nobody gets a completion."""
    if ts.status != "scheduled":
        raise DomainError(f"This session is {ts.status_label.lower()}: it cannot be cancelled.")
    reason = _clean(reason)
    problems = text_problems(TrainingSession.__table__, {"cancel_reason": reason or ""},
                             {"cancel_reason": "Reason"})
    if problems:
        raise ValidationFailed(problems)
    ts.status, ts.cancel_reason = "cancelled", reason
    session.flush()


def seats_taken(session: Session, session_id: int) -> int:
    """How many people are enrolled in the session."""
    return session.scalar(select(func.count()).select_from(Enrolment)
                          .where(Enrolment.session_id == session_id)) or 0


def need_rows(session: Session, ts: TrainingSession, scope: Scope, role: str | None = None) -> Select:
    """Per person in `scope` who needs the session's course and is not enrolled: (person_id, rank, act_by).

    Rank follows NEED_ORDER (0 is the neediest); a person with two requirements of the course counts
    once, by the more pressing one. `role` keeps the requirements that apply through that role.
    """
    rows = compliance_source(session, scope, course_ids=[ts.course_id]).subquery("needs")
    rank = case(*((rows.c.status == s, n) for n, s in enumerate(NEED_ORDER)))
    enrolled = select(Enrolment.person_id).where(Enrolment.session_id == ts.id)
    conds = [rows.c.status.in_(NEED_ORDER), rows.c.person_id.not_in(enrolled)]
    if role:
        conds.append(rows.c.role == role)
    return (select(rows.c.person_id, func.min(rank).label("rank"), func.min(rows.c.act_by).label("act_by"))
            .where(*conds).group_by(rows.c.person_id))


def neediest(session: Session, ts: TrainingSession, scope: Scope, *, role: str | None = None) -> list[int]:
    """Ids of the people in `scope` (in `role`, if given) who need the course, not enrolled, neediest first.

    Within a status the earliest act-by date goes first, then the name.
    """
    needs = need_rows(session, ts, scope, role).subquery("ranked")
    stmt = (select(needs.c.person_id).join(Person, Person.id == needs.c.person_id)
            .order_by(needs.c.rank, needs.c.act_by, Person.last_name, Person.first_name, Person.id))
    return list(session.scalars(stmt))


def _open_for_enrolment(ts: TrainingSession, today: date) -> None:
    if ts.status != "scheduled":
        raise DomainError(f"This session is {ts.status_label.lower()}: nobody can be enrolled.")
    if ts.held_on < today:
        raise DomainError("This session has already taken place: nobody can be enrolled now.")


def enrol_people(session: Session, ts: TrainingSession, person_ids, scope: Scope, *, today: date,
                 now: datetime, user_id: int | None) -> tuple[list[Enrolment], int]:
    """Enrol the people in `person_ids` whom `scope` shows, in that order, while seats are left.

    Returns the new enrolments and how many asked-for people were left out because the session
    was full. People already enrolled are skipped (nobody holds two seats); invitations are queued.
    """
    _open_for_enrolment(ts, today)
    wanted = list(dict.fromkeys(i for i in person_ids if i is not None))
    if not wanted:
        raise ValidationFailed([("person_id", "Choose the people to enrol.")])
    visible = set(session.scalars(select(Person.id).where(Person.id.in_(wanted), scope.condition())))
    if len(visible) < len(wanted):
        raise ValidationFailed([("person_id", "Choose people from the list.")])
    already = set(session.scalars(select(Enrolment.person_id).where(
        Enrolment.session_id == ts.id, Enrolment.person_id.in_(wanted))))
    fresh = [i for i in wanted if i not in already]
    left = ts.capacity - seats_taken(session, ts.id)
    if fresh and left <= 0:
        raise DomainError(f"The session is full ({ts.capacity} seats).")
    taken = fresh[:max(left, 0)]
    enrolments = [Enrolment(session_id=ts.id, person_id=i, enrolled_on=today, enrolled_by_user_id=user_id)
                  for i in taken]
    session.add_all(enrolments)
    session.flush()
    queue_invitations(session, ts, taken, now)
    return enrolments, len(fresh) - len(taken)


def enrol_by_school_and_role(session: Session, ts: TrainingSession, scope: Scope, *, school_id: int | None,
                             role: str | None, today: date, now: datetime, user_id: int | None
                             ) -> tuple[list[Enrolment], int]:
    """Fill the seats left with the people at a school (in a role) who need the course most.

    Returns the new enrolments and how many more people needing the course did not fit.
    """
    _open_for_enrolment(ts, today)
    if school_id is None:
        raise ValidationFailed([("school_id", "Choose a school.")])
    narrowed = scope.at_schools([school_id])
    left = ts.capacity - seats_taken(session, ts.id)
    if left <= 0:
        raise DomainError(f"The session is full ({ts.capacity} seats).")
    ids = neediest(session, ts, narrowed, role=role or None)
    if not ids:
        raise DomainError("Nobody at that school (in that role) needs this course and is not enrolled yet.")
    enrolments, _ = enrol_people(session, ts, ids[:left], narrowed, today=today, now=now, user_id=user_id)
    return enrolments, max(len(ids) - left, 0)
