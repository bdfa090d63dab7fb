"""Hiring rules: who sees which vacancy, criteria, vacancies, candidates and their stage moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from models.accounts import User
from models.errors import DomainError, ValidationFailed
from models.hiring import (
    CRITERION_KINDS,
    OPEN_STAGES,
    STAGES,
    Candidate,
    SelectionCriterion,
    StageTransition,
    Vacancy,
    VacancyCriterion,
    vacancy_schools,
)
from models.hiring_panel import PanelMember
from models.org import Agency, School
from models.people import ROLES, Person
from models.policy import can
from models.services.people.directory import normalize_email

# Allowed moves by hand; "appointed" is reached only through a recorded decision.
TRANSITIONS = {
    "applied": ("screened", "withdrawn", "not_selected"),
    "screened": ("interviewed", "withdrawn", "not_selected"),
    "interviewed": ("recommended", "withdrawn", "not_selected"),
    "recommended": ("appointed", "withdrawn", "not_selected"),
}


def can_manage_hiring(user: User) -> bool:
    """Whether `user` runs hiring (HR and admins)."""
    return can(user, "manage_hiring")


def can_see_background(user: User) -> bool:
    """Whether `user` may read background-check details (HR and admins only)."""
    return can(user, "see_background_details")


def vacancy_scope(user: User) -> ColumnElement[bool]:
    """SQL condition over Vacancy: the vacancies `user` may see."""
    if not can(user, "see_vacancy"):
        return false()
    if can_manage_hiring(user):
        return true()
    on_panel = exists().where(PanelMember.vacancy_id == Vacancy.id, PanelMember.user_id == user.id)
    at_school = false()
    if can(user, "see_school_people") and user.school_ids:
        at_school = exists().where(vacancy_schools.c.vacancy_id == Vacancy.id,
                                   vacancy_schools.c.school_id.in_(user.school_ids))
    return or_(on_panel, at_school)


def visible_vacancy(session: Session, user: User, vacancy_id: int) -> Vacancy | None:
    """The vacancy if `user` may see it, else None."""
    return session.scalar(select(Vacancy).where(Vacancy.id == vacancy_id, vacancy_scope(user)))


def visible_candidate(session: Session, user: User, candidate_id: int) -> Candidate | None:
    """The candidate if `user` may see their vacancy, else None."""
    return session.scalar(select(Candidate).join(Vacancy, Vacancy.id == Candidate.vacancy_id)
                          .where(Candidate.id == candidate_id, vacancy_scope(user)))


# --- Selection criteria -------------------------------------------------------------------------

def save_criterion(session: Session, data: dict[str, Any],
                   criterion: SelectionCriterion | None = None) -> SelectionCriterion:
    """Create or change a selection criterion; open vacancies keep their own copies."""
    problems: list[tuple[str | None, str]] = []
    title = (data.get("title") or "").strip()
    if not title:
        problems.append(("title", "Title is required."))
    if data.get("role") not in ROLES:
        problems.append(("role", "Choose a role from the list."))
    kind = data.get("kind")
    if kind not in CRITERION_KINDS:
        problems.append(("kind", "Choose whether this is a hard requirement or a preference."))
    weight = data.get("weight")
    if kind == "preference" and (weight is None or not 1 <= weight <= 10):
        problems.append(("weight", "A preference needs a weight from 1 to 10."))
    if problems:
        raise ValidationFailed(problems)
    criterion = criterion or SelectionCriterion()
    criterion.title = title
    criterion.description = (data.get("description") or "").strip() or None
    criterion.role = data["role"]
    criterion.kind = kind
    criterion.weight = weight if kind == "preference" else 0
    criterion.sensitive = bool(data.get("sensitive")) and kind == "hard"
    criterion.active = bool(data.get("active", True))
    if criterion.id is None:
        criterion.position = (session.scalar(select(func.max(SelectionCriterion.position))
                                             .where(SelectionCriterion.role == criterion.role))
                              or 0) + 1
        session.add(criterion)
    session.flush()
    return criterion


# --- Vacancies ----------------------------------------------------------------------------------

def open_vacancy(session: Session, data: dict[str, Any], today: date) -> Vacancy:
    """Open a vacancy and copy the role's criteria in force today into it."""
    problems: list[tuple[str | None, str]] = []
    title = (data.get("title") or "").strip()
    role = data.get("role")
    if not title:
        problems.append(("title", "Title is required."))
    if role not in ROLES:
        problems.append(("role", "Choose a role from the list."))
    school_ids = [int(s) for s in data.get("school_ids") or []]
    schools = list(session.scalars(select(School).where(School.id.in_(school_ids))))
    if not schools or len(schools) != len(set(school_ids)):
        problems.append(("school_ids", "Choose at least one school."))
    agency = session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    if role == "sro" and agency is None:
        problems.append(("agency_id", "An SRO post needs the agency that will employ the officer."))
    opened = data.get("opened_on") or today
    closed = data.get("closed_on")
    if closed and closed < opened:
        problems.append(("closed_on", "The closing date is before the opening date."))
    criteria = list(session.scalars(select(SelectionCriterion).where(
        SelectionCriterion.role == role, SelectionCriterion.active.is_(True))
        .order_by(SelectionCriterion.position, SelectionCriterion.id))) if role in ROLES else []
    if role in ROLES and not criteria:
        problems.append(("role", f"There are no selection criteria for the role {ROLES[role]} yet: "
                                 "add them first."))
    if problems:
        raise ValidationFailed(problems)
    vacancy = Vacancy(title=title, role=role, agency=agency, schools=schools, opened_on=opened,
                      closed_on=closed, status="open",
                      job_description=(data.get("job_description") or "").strip() or None)
    vacancy.criteria = [
        VacancyCriterion(source_id=c.id, title=c.title, description=c.description, kind=c.kind,
                         weight=c.weight, sensitive=c.sensitive, position=i)
        for i, c in enumerate(criteria, start=1)
    ]
    session.add(vacancy)
    session.flush()
    return vacancy


def cancel_vacancy(session: Session, vacancy: Vacancy, reason: str, today: date) -> Vacancy:
    """Cancel an open vacancy; every open candidate becomes 'not selected'."""
    if vacancy.status != "open":
        raise DomainError(f"This vacancy is already {vacancy.status_label.lower()}.")
    if not (reason or "").strip():
        raise ValidationFailed([("reason", "Say why the vacancy is cancelled.")])
    for candidate in vacancy.candidates:
        if candidate.is_open:
            record_move(session, candidate, "not_selected", f"Vacancy cancelled: {reason.strip()}")
    vacancy.status = "cancelled"
    vacancy.closed_on = vacancy.closed_on or today
    session.flush()
    return vacancy


# --- Candidates ---------------------------------------------------------------------------------

def add_candidate(session: Session, vacancy: Vacancy, data: dict[str, Any]) -> Candidate:
    """Add a candidate (an existing person or a newcomer) at stage 'applied'."""
    if vacancy.status != "open":
        raise DomainError("Candidates can be added only while the vacancy is open.")
    problems: list[tuple[str | None, str]] = []
    person = session.get(Person, data["person_id"]) if data.get("person_id") else None
    if data.get("person_id") and person is None:
        problems.append(("person_id", "The chosen person does not exist."))
    if person is not None:
        first, last, email = person.first_name, person.last_name, person.email
        licence = person.licence_number
    else:
        first = (data.get("first_name") or "").strip()
        last = (data.get("last_name") or "").strip()
        licence = (data.get("licence_number") or "").strip() or None
        if not first:
            problems.append(("first_name", "First name is required (or choose an existing person)."))
        if not last:
            problems.append(("last_name", "Last name is required (or choose an existing person)."))
        email, problem = normalize_email(data.get("email"))
        if problem:
            problems.append(("email", problem))
        elif session.scalar(select(Person.id).where(func.lower(Person.email) == email)):
            problems.append(("email", f"A person with the email {email} already exists: "
                                      "choose them from the list of existing people instead."))
    if email and session.scalar(select(Candidate.id).where(Candidate.vacancy_id == vacancy.id,
                                                           func.lower(Candidate.email) == email.lower())):
        problems.append(("email", f"{email} has already applied for this vacancy."))
    years = data.get("years_of_service")
    if years is not None and years < 0:
        problems.append(("years_of_service", "Years of sworn service cannot be negative."))
    agency_id = data.get("current_agency_id") or None
    if agency_id and session.get(Agency, agency_id) is None:
        problems.append(("current_agency_id", "The chosen agency does not exist."))
    if problems:
        raise ValidationFailed(problems)
    candidate = Candidate(vacancy=vacancy, person=person, first_name=first, last_name=last,
                          email=email, licence_number=licence, current_agency_id=agency_id,
                          years_of_service=years, volunteered=bool(data.get("volunteered")),
                          stage="applied")
    session.add(candidate)
    reason = (data.get("reason") or "").strip() or "Application received"
    candidate.transitions.append(_transition_row(session, None, "applied", reason))
    session.flush()
    return candidate


def _transition_row(session: Session, from_stage: str | None, to_stage: str,
                    reason: str) -> StageTransition:
    return StageTransition(from_stage=from_stage, to_stage=to_stage, reason=reason,
                           actor_user_id=session.info.get("actor_user_id"),
                           actor_label=session.info.get("actor_label", "system"))


def record_move(session: Session, candidate: Candidate, to_stage: str, reason: str) -> None:
    """Move without checks and log the transition (callers have checked the rules)."""
    candidate.transitions.append(_transition_row(session, candidate.stage, to_stage, reason))
    candidate.stage = to_stage


def allowed_moves(candidate: Candidate) -> tuple[str, ...]:
    """Stages a candidate may be moved to by hand (appointment goes through a decision)."""
    return tuple(s for s in TRANSITIONS.get(candidate.stage, ()) if s != "appointed")


def move_candidate(session: Session, candidate: Candidate, to_stage: str, reason: str) -> Candidate:
    """Move a candidate to another stage, recording who, when and why; refuses any other move."""
    problems: list[tuple[str | None, str]] = []
    current = STAGES.get(candidate.stage, candidate.stage)
    if candidate.vacancy.status != "open":
        problems.append((None, "The vacancy is no longer open: stages cannot change."))
    if to_stage not in STAGES:
        problems.append(("to_stage", "Choose a stage from the list."))
    elif to_stage == "appointed" and candidate.stage == "recommended":
        problems.append(("to_stage", "Appoint a recommended candidate by recording the decision."))
    elif to_stage not in TRANSITIONS.get(candidate.stage, ()):
        allowed = ", ".join(STAGES[s] for s in allowed_moves(candidate)) or "none"
        problems.append(("to_stage", f"A candidate cannot go from {current} to {STAGES[to_stage]} "
                                     f"(allowed from {current}: {allowed})."))
    if not (reason or "").strip():
        problems.append(("reason", "Give a reason for the change."))
    if problems:
        raise ValidationFailed(problems)
    record_move(session, candidate, to_stage, reason.strip())
    session.flush()
    return candidate


def appoint_stage(session: Session, candidate: Candidate, reason: str) -> None:
    """Record the move to 'appointed' (used by the decision service only)."""
    if candidate.stage not in OPEN_STAGES or "appointed" not in TRANSITIONS[candidate.stage]:
        raise DomainError(f"Only a recommended candidate can be appointed; {candidate.full_name} is "
                          f"at stage {candidate.stage_label}.")
    record_move(session, candidate, "appointed", reason)
