"""The appointment decision: every hard requirement met (or a justified override), then the assignment."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import record_event
from models.errors import ValidationFailed
from models.hiring import Candidate, Decision
from models.people import Person
from models.services.hiring.screening import unmet_requirements
from models.services.hiring.vacancies import appoint_stage, record_move
from models.services.people import directory as people_svc


def _check(candidate: Candidate, data: dict[str, Any]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    vacancy = candidate.vacancy
    if vacancy.status != "open":
        problems.append((None, f"The vacancy is {vacancy.status_label.lower()}: "
                               "nobody more can be appointed."))
    if candidate.stage != "recommended":
        problems.append((None, f"Only a recommended candidate can be appointed; {candidate.full_name} "
                               f"is at stage {candidate.stage_label}."))
    if not vacancy.scoring_finalized_on:
        problems.append((None, "Finalize the panel's scoring before appointing."))
    if not (data.get("rationale") or "").strip():
        problems.append(("rationale", "Write the rationale for choosing this candidate "
                                      "(seniority alone is not a reason)."))
    if not (data.get("appointing_authority") or "").strip():
        problems.append(("appointing_authority", "Name the appointing authority."))
    if not data.get("district_concurrence"):
        problems.append(("district_concurrence", "The district must concur with the appointment."))
    elif not (data.get("concurrence_by") or "").strip():
        problems.append(("concurrence_by", "Name who concurred for the district."))
    start = data.get("start_date")
    if start is None:
        problems.append(("start_date", "Start date is required."))
    elif start < vacancy.opened_on:
        problems.append(("start_date", "The start date is before the vacancy opened."))
    return problems


def _person_for(session: Session, candidate: Candidate) -> Person:
    """The candidate's existing person record, one with their email, or a new one."""
    if candidate.person is not None:
        return candidate.person
    person = session.scalar(select(Person).where(func.lower(Person.email) == candidate.email.lower()))
    if person is not None:
        return person
    vacancy = candidate.vacancy
    agency_id = vacancy.agency_id or candidate.current_agency_id
    return people_svc.create_person(session, {
        "first_name": candidate.first_name, "last_name": candidate.last_name,
        "email": candidate.email, "phone": None, "person_type": vacancy.role,
        "employer": "agency" if agency_id else "district", "agency_id": agency_id,
        "licence_number": candidate.licence_number,
    })


def appoint(session: Session, candidate: Candidate, data: dict[str, Any], today: date) -> Decision:
    """Appoint a recommended candidate: decision, person, assignment at the vacancy's schools, filled.

    Refused while any hard requirement is not met, naming each, unless an override justification
    is written; the override is recorded in the audit trail.
    """
    problems = _check(candidate, data)
    unmet = unmet_requirements(candidate)
    justification = (data.get("override_justification") or "").strip()
    if unmet and not justification:
        problems.append(("override_justification",
                         "Appointment refused: these hard requirements are not met: "
                         + "; ".join(unmet) + ". To appoint anyway, write an override justification."))
    if problems:
        raise ValidationFailed(problems)
    vacancy = candidate.vacancy
    person = _person_for(session, candidate)
    candidate.person = person
    assignment = people_svc.create_assignment(session, person, {
        "role": vacancy.role, "start_date": data["start_date"], "end_date": None,
        "school_ids": [s.id for s in vacancy.schools],
        "notes": f"Appointed from vacancy “{vacancy.title}”.",
        "placement_exception_reason": data.get("placement_exception_reason"),
    }, today)
    decision = Decision(candidate=candidate, decided_on=today, start_date=data["start_date"],
                        rationale=data["rationale"].strip(),
                        appointing_authority=data["appointing_authority"].strip(),
                        district_concurrence=True, concurrence_by=data["concurrence_by"].strip(),
                        override_justification=justification if unmet else None,
                        assignment=assignment)
    session.add(decision)
    session.flush()
    if unmet:
        record_event(session, "hiring_override", candidate, reason=justification,
                     after={"unmet": unmet, "decision_id": decision.id})
    appoint_stage(session, candidate, f"Appointed by {decision.appointing_authority}")
    for other in vacancy.candidates:
        if other is not candidate and other.is_open:
            record_move(session, other, "not_selected", f"{candidate.full_name} was appointed")
    vacancy.status = "filled"
    vacancy.closed_on = vacancy.closed_on or today
    session.flush()
    return decision
