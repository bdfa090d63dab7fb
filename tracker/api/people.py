"""API resources: people and assignments (reads scoped to the token's user; writes through the services)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from models import db, scoping
from models.errors import ValidationFailed
from models.people import EMPLOYERS, PERSON_TYPES, ROLES, Assignment, Person, assignment_schools
from models.scoping import assigned_to_schools, person_scope
from models.services.people import directory as svc
from tracker.api.auth import api_user, capability_required
from tracker.api.blueprint import bp
from tracker.api.pagination import QueryArgs, paginate
from tracker.api.validate import Kind, check_object, json_body, merge, text
from tracker.problems import ApiProblem, error, errors_from, invalid
from tracker.security import today

PERSON_SPEC = {
    "first_name": text(100, required=True),
    "last_name": text(100, required=True),
    "email": text(254, required=True),
    "phone": text(40),
    "person_type": text(30, required=True, choices=tuple(PERSON_TYPES)),
    "employer": text(10, choices=tuple(EMPLOYERS)),
    "agency_id": Kind("int"),
    "licence_number": text(50),
}
ASSIGNMENT_SPEC = {
    "person_id": Kind("int", required=True),
    "role": text(30, required=True, choices=tuple(ROLES)),
    "start_date": Kind("date", required=True),
    "end_date": Kind("date"),
    "school_ids": Kind("int_list", required=True),
    "notes": text(2000),
    "placement_exception_reason": text(2000),
}


def person_json(person: Person) -> dict:
    """A person as the API shows them."""
    return {"id": person.id, "first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "phone": person.phone, "person_type": person.person_type,
            "employer": person.employer, "agency_id": person.agency_id,
            "licence_number": person.licence_number}


def assignment_json(assignment: Assignment) -> dict:
    """An assignment as the API shows it."""
    return {"id": assignment.id, "person_id": assignment.person_id, "role": assignment.role,
            "start_date": assignment.start_date.isoformat(),
            "end_date": assignment.end_date.isoformat() if assignment.end_date else None,
            "notes": assignment.notes, "school_ids": [s.id for s in assignment.schools]}


def visible_person(person_id: int) -> Person | None:
    """The person if the token's user may see them."""
    return scoping.visible_person(db.session, api_user(), person_id, today())


@bp.route("/people")
def list_people():
    """People the token's user may see, filtered and paginated."""
    args = QueryArgs()
    page, per_page = args.page()
    q = args.text("q")
    school_id = args.integer("school_id")
    agency_id = args.integer("agency_id")
    person_type = args.choice("person_type", tuple(PERSON_TYPES))
    employer = args.choice("employer", tuple(EMPLOYERS))
    args.check()
    day = today()
    stmt = select(Person).where(person_scope(api_user(), day))
    if q:
        stmt = stmt.where(svc.matches_search(q))  # the same search as the people directory
    if school_id:
        stmt = stmt.where(assigned_to_schools([school_id], day))
    if agency_id:
        stmt = stmt.where(Person.agency_id == agency_id)
    if person_type:
        stmt = stmt.where(Person.person_type == person_type)
    if employer:
        stmt = stmt.where(Person.employer == employer)
    stmt = stmt.order_by(Person.last_name, Person.first_name, Person.id)
    return paginate(stmt, page, per_page, person_json)


@bp.route("/people/<int:person_id>")
def get_person(person_id: int):
    """One person, or 404 when out of scope or missing."""
    person = visible_person(person_id)
    if person is None:
        raise ApiProblem(404, "There is no such person, or this token may not see them.")
    return person_json(person)


@bp.route("/people", methods=["POST"])
@capability_required("manage_people")
def create_person():
    """Create a person with the same rules as the HR form."""
    data, problems = check_object(PERSON_SPEC, json_body())
    data["employer"] = data.get("employer") or "district"
    try:
        person = svc.create_person(db.session, data)
    except ValidationFailed as failure:
        invalid(merge(problems, errors_from(failure)))
    if problems:
        invalid(problems)
    db.session.commit()
    return person_json(person), 201, {"Location": url_for("api.get_person", person_id=person.id)}


@bp.route("/assignments")
def list_assignments():
    """Assignments of the people the token's user may see."""
    args = QueryArgs()
    page, per_page = args.page()
    person_id = args.integer("person_id")
    school_id = args.integer("school_id")
    role = args.choice("role", tuple(ROLES))
    active_on = args.day("active_on")
    args.check()
    stmt = (select(Assignment).join(Person, Assignment.person_id == Person.id)
            .where(person_scope(api_user(), today()))
            .options(selectinload(Assignment.schools)))
    if person_id:
        stmt = stmt.where(Assignment.person_id == person_id)
    if school_id:
        stmt = stmt.where(Assignment.id.in_(select(assignment_schools.c.assignment_id)
                                            .where(assignment_schools.c.school_id == school_id)))
    if role:
        stmt = stmt.where(Assignment.role == role)
    if active_on:
        stmt = stmt.where(Assignment.start_date <= active_on,
                          or_(Assignment.end_date.is_(None), Assignment.end_date >= active_on))
    stmt = stmt.order_by(Assignment.start_date.desc(), Assignment.id.desc())
    return paginate(stmt, page, per_page, assignment_json)


@bp.route("/assignments/<int:assignment_id>")
def get_assignment(assignment_id: int):
    """One assignment, or 404 when its person is out of scope."""
    assignment = db.session.scalar(
        select(Assignment).join(Person, Assignment.person_id == Person.id)
        .where(Assignment.id == assignment_id, person_scope(api_user(), today())))
    if assignment is None:
        raise ApiProblem(404, "There is no such assignment, or this token may not see it.")
    return assignment_json(assignment)


@bp.route("/assignments", methods=["POST"])
@capability_required("manage_people")
def create_assignment():
    """Place a person at schools, with the same rules (placement included) as the HR form."""
    data, problems = check_object(ASSIGNMENT_SPEC, json_body())
    person = visible_person(data["person_id"]) if data.get("person_id") else None
    if data.get("person_id") and person is None:
        problems.append(error("person_id", "There is no person with this id."))
    if person is not None:
        try:
            assignment = svc.create_assignment(db.session, person, data, today())
        except ValidationFailed as failure:
            invalid(merge(problems, errors_from(failure)))
    if problems or person is None:
        invalid(problems)
    db.session.commit()
    return (assignment_json(assignment), 201,
            {"Location": url_for("api.get_assignment", assignment_id=assignment.id)})
