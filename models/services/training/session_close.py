"""The check-off and the close of a session: attendance per enrolled person, then every attendee's completion.

Closing writes all the attendees' completions (the session's course, date and hours, with an optional
certificate number each) through the completion service's batch, in the caller's one transaction:
any attendee's problem means nothing is written, and every problem is reported, each naming its person.
No-shows get no completion, so they stay due.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.errors import DomainError, ValidationFailed
from models.people import Person
from models.services.infra.text import column_limit, text_value_problems
from models.services.training.completions import record_completions
from models.training_sessions import Enrolment, TrainingSession


def session_enrolments(session: Session, ts: TrainingSession, person_filter=None) -> list[Enrolment]:
    """The session's enrolments (people loaded), by name; `person_filter` (over Person) narrows to a scope."""
    stmt = (select(Enrolment).join(Person, Person.id == Enrolment.person_id)
            .where(Enrolment.session_id == ts.id)
            .options(selectinload(Enrolment.person)).order_by(Person.last_name, Person.first_name, Person.id))
    if person_filter is not None:
        stmt = stmt.where(person_filter)
    return list(session.scalars(stmt))


def _apply_marks(enrolments: list[Enrolment], marks: dict[int, dict[str, Any]]) -> list:
    """Set attended and certificate numbers from `marks` (by enrolment id); problems as (field, sentence)."""
    problems: list[tuple[str | None, str]] = []
    limit = column_limit(Enrolment.__table__, "certificate_number")
    for enrolment in enrolments:
        mark = marks.get(enrolment.id)
        if mark is None:
            continue
        number = mark.get("certificate_number")
        number = number.strip() if isinstance(number, str) else None
        found = text_value_problems("Certificate number", number or "", limit)
        if found:
            problems += [(f"{mark.get('field', '')}certificate_number", f"{enrolment.person.full_name}: {s}")
                         for s in found]
            continue
        enrolment.attended = bool(mark.get("attended"))
        enrolment.certificate_number = number or None
    return problems


def _check_open(ts: TrainingSession) -> None:
    if ts.status != "scheduled":
        raise DomainError(f"This session is {ts.status_label.lower()}: attendance can no longer be changed.")


def save_attendance(session: Session, ts: TrainingSession, marks: dict[int, dict[str, Any]]) -> None:
    """Record who attended (and their certificate numbers) without closing the session yet."""
    _check_open(ts)
    problems = _apply_marks(session_enrolments(session, ts), marks)
    if problems:
        raise ValidationFailed(problems)
    session.flush()


def close_session(session: Session, ts: TrainingSession, marks: dict[int, dict[str, Any]], *, today: date,
                  now: datetime, user_id: int | None) -> int:
    """Mark attendance from `marks`, write every attendee's completion and close the session.

    Returns the number of completions written. Raises ValidationFailed with every problem (bad
    certificate numbers, a completion already on file for that day...) and writes nothing then.
    """
    _check_open(ts)
    if ts.held_on > today:
        raise DomainError("The session has not taken place yet: close it on or after "
                          f"{ts.held_on.isoformat()}.")
    enrolments = session_enrolments(session, ts)
    problems = _apply_marks(enrolments, marks)
    attendees = [e for e in enrolments if e.attended]
    rows = [{"person_id": e.person_id, "course_id": ts.course_id, "completed_on": ts.held_on,
             "hours": ts.credit_hours, "certificate_number": e.certificate_number,
             "field": (marks.get(e.id) or {}).get("field", ""), "label": e.person.full_name}
            for e in attendees]
    try:
        completions = record_completions(session, rows, today, user_id=user_id, source="session")
    except ValidationFailed as error:
        raise ValidationFailed(problems + error.problems) from None
    if problems:
        raise ValidationFailed(problems)
    for enrolment, completion in zip(attendees, completions, strict=True):
        enrolment.completion_id = completion.id
    for enrolment in enrolments:
        if enrolment.attended is None:
            enrolment.attended = False  # not checked off: a no-show
    ts.status, ts.closed_at = "closed", now
    session.flush()
    return len(completions)
