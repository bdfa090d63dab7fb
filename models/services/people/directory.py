"""Creating, changing and removing people and their assignments, with every rule checked at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from models.audit import record_event
from models.errors import DomainError, ValidationFailed
from models.evaluations import Evaluation
from models.org import Agency, School
from models.people import EMPLOYERS, PERSON_TYPES, ROLES, Assignment, Person
from models.services.infra.text import text_problems
from models.services.training.compliance import unmet_before_assignment
from models.training import Completion


def matches_search(text: str) -> ColumnElement[bool]:
    """Condition over Person: the search text is in the full name, the email or the licence number."""
    like = f"%{text.strip().lower()}%"
    full = func.lower(Person.first_name + " " + Person.last_name)
    return or_(full.like(like), func.lower(Person.email).like(like),
               func.lower(Person.licence_number).like(like))


PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "person_type", "employer",
                 "agency_id", "licence_number")
LABELS = {"first_name": "First name", "last_name": "Last name", "licence_number": "Licence number"}


def normalize_email(raw: str | None) -> tuple[str | None, str | None]:
    """Return (normalized email, problem) for a raw address."""
    raw = (raw or "").strip()
    if not raw:
        return None, "Email is required."
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower(), None
    except EmailNotValidError:
        return None, f"“{raw}” is not a valid email address."


def _clean_person(session: Session, data: dict[str, Any], person_id: int | None) -> dict:
    problems: list[tuple[str | None, str]] = []
    clean = {k: (data.get(k).strip() if isinstance(data.get(k), str) else data.get(k))
             for k in PERSON_FIELDS}
    for field, label in (("first_name", "First name"), ("last_name", "Last name")):
        if not clean[field]:
            problems.append((field, f"{label} is required."))
    problems += text_problems(Person.__table__, {k: clean[k] for k in PERSON_FIELDS if k != "email"}, LABELS)
    email, problem = normalize_email(clean["email"])
    if problem:
        problems.append(("email", problem))
    elif session.scalar(select(Person.id).where(func.lower(Person.email) == email,
                                                Person.id != (person_id or 0))):
        problems.append(("email", f"Another person already uses the email {email}."))
    clean["email"] = email
    if clean["person_type"] not in PERSON_TYPES:
        problems.append(("person_type", "Choose a person type from the list."))
    if clean["employer"] not in EMPLOYERS:
        problems.append(("employer", "Choose the employer: the district or an agency."))
    agency_id = clean["agency_id"] or None
    if clean["employer"] == "agency":
        if not agency_id or session.get(Agency, agency_id) is None:
            problems.append(("agency_id", "Choose the agency that employs this person."))
    else:
        agency_id = None
    clean["agency_id"] = agency_id
    clean["licence_number"] = clean["licence_number"] or None
    if clean["licence_number"] and session.scalar(
        select(Person.id).where(Person.licence_number == clean["licence_number"],
                                Person.id != (person_id or 0))):
        problems.append(("licence_number", "Another person already has this licence number."))
    clean["phone"] = clean["phone"] or None
    if problems:
        raise ValidationFailed(problems)
    return clean


def create_person(session: Session, data: dict[str, Any]) -> Person:
    """Create a person after checking every field; raises ValidationFailed listing all problems."""
    person = Person(**_clean_person(session, data, None))
    session.add(person)
    session.flush()
    return person


def update_person(session: Session, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's details; raises ValidationFailed listing all problems."""
    for key, value in _clean_person(session, data, person.id).items():
        setattr(person, key, value)
    session.flush()
    return person


def _final_evaluation(session: Session, condition) -> int | None:
    """The id of a final evaluation matching `condition`, if there is one."""
    return session.scalar(select(Evaluation.id).where(condition, Evaluation.status == "final").limit(1))


def delete_person(session: Session, person: Person) -> None:
    """Remove a person recorded in error, and their assignments (each removal is audited)."""
    # Training records and final evaluations are permanent (the database refuses to delete them):
    # say so in words rather than let the removal fail on the database's refusal.
    kept = []
    if session.scalar(select(Completion.id).where(Completion.person_id == person.id).limit(1)):
        kept.append("training records")
    if _final_evaluation(session, Evaluation.person_id == person.id):
        kept.append("a final evaluation")
    if kept:
        verb = "is" if kept == ["a final evaluation"] else "are"
        raise DomainError(f"{person.full_name} has {' and '.join(kept)}, which {verb} permanent, so they "
                          f"cannot be removed. End their assignments instead.")
    session.delete(person)
    session.flush()


def _clean_assignment(session: Session, data: dict[str, Any]) -> dict:
    problems: list[tuple[str | None, str]] = []
    role = data.get("role")
    if role not in ROLES:
        problems.append(("role", "Choose a role from the list."))
    start: date | None = data.get("start_date")
    end: date | None = data.get("end_date")
    if start is None:
        problems.append(("start_date", "Start date is required."))
    if start and end and end < start:
        problems.append(("end_date", "The end date is before the start date."))
    school_ids = [int(s) for s in data.get("school_ids") or []]
    schools = list(session.scalars(select(School).where(School.id.in_(school_ids))))
    if not school_ids:
        problems.append(("school_ids", "Choose at least one school."))
    elif len(schools) != len(set(school_ids)):
        problems.append(("school_ids", "One of the chosen schools does not exist."))
    if problems:
        raise ValidationFailed(problems)
    return {"role": role, "start_date": start, "end_date": end,
            "notes": (data.get("notes") or "").strip() or None, "schools": schools}


def create_assignment(session: Session, person: Person, data: dict[str, Any],
                      today: date | None = None) -> Assignment:
    """Place a person in a role at schools; raises ValidationFailed listing all problems.

    `today` lets placement rules (training before an SRO starts) judge the start date.
    """
    clean = _clean_assignment(session, data)
    reason = _placement_check(session, person, clean, data, today)
    assignment = Assignment(person=person, placement_exception_reason=reason, **clean)
    session.add(assignment)
    session.flush()
    if reason:
        record_event(session, "placement_exception", assignment, reason=reason)
    return assignment


def _placement_check(session: Session, person: Person, clean: dict, data: dict,
                     today: date | None) -> str | None:
    """Training before placement: an SRO starting now needs the before-assignment courses.

    Returns the exception reason to record, or None; raises ValidationFailed naming each unmet course.
    Future-dated placements are recorded as they are and show "not cleared" until the training is done.
    """
    reason = (data.get("placement_exception_reason") or "").strip() or None
    if today is None or clean["role"] != "sro" or clean["start_date"] > today:
        return None
    unmet = unmet_before_assignment(session, person.id, "sro", today) if person.id else []
    if not unmet:
        return None
    if reason:
        return reason
    raise ValidationFailed([("placement_exception_reason", (
        f"{person.full_name} has not completed the training required before an SRO placement: "
        f"{', '.join(unmet)}. Record the training first, or give the reason for an exception."))])


def update_assignment(session: Session, assignment: Assignment, data: dict[str, Any],
                      today: date | None = None) -> Assignment:
    """Change an assignment (dates, schools, role); history is the audit trail."""
    clean = _clean_assignment(session, data)
    starts_now = clean["role"] != assignment.role or clean["start_date"] != assignment.start_date
    reason = (_placement_check(session, assignment.person, clean, data, today)
              if starts_now else None)
    for key, value in clean.items():
        setattr(assignment, key, value)
    if reason:
        assignment.placement_exception_reason = reason
    session.flush()
    if reason:
        record_event(session, "placement_exception", assignment, reason=reason)
    return assignment


def delete_assignment(session: Session, assignment: Assignment) -> None:
    """Remove an assignment recorded in error (ending one is an update of its end date)."""
    # Removing it would unlink a final evaluation, which the database refuses: a final one never changes.
    if _final_evaluation(session, Evaluation.assignment_id == assignment.id):
        raise DomainError("This assignment has a final evaluation, which is permanent, so it cannot be "
                          "removed. Set its end date instead.")
    session.delete(assignment)
    session.flush()
