"""Demo data: one district, six schools, one police agency, about forty people, one account per role."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.org import Agency, District, School
from models.people import Assignment, Person
from models.seed import evaluations, hiring, notifications, reports, training
from models.seed.roster import FIRST, LAST, SRO_PLAN, STAFF_PLAN
from models.services.accounts.users import create_user

DISTRICT = "Riverside Unified School District"
AGENCY = "Riverside Police Department"
DEMO_PASSWORD = "secure-demo-2026"  # noqa: S105 - published demo credential
SCHOOLS = [
    ("Riverside High School", "high"),
    ("Jefferson High School", "high"),
    ("Lincoln Middle School", "middle"),
    ("Roosevelt Middle School", "middle"),
    ("Washington Elementary School", "elementary"),
    ("Maple Grove Elementary School", "elementary"),
]
ACCOUNTS = [  # email, role, index of the linked person in the combined plan (or None)
    ("admin@riverside.example", "admin", None),
    ("hr@riverside.example", "hr", None),
    ("coordinator@riverside.example", "coordinator", None),
    ("principal@riverside.example", "principal", 0),
    ("principal.lincoln@riverside.example", "principal", 11),
    ("supervisor@riverside.example", "supervisor", len(STAFF_PLAN) + 5),
    ("sro@riverside.example", "staff", len(STAFF_PLAN)),
    ("teacher@riverside.example", "staff", 3),
]


def seed_foundation(session: Session, today: date) -> bool:
    """Create the demo district, schools, agency, people and accounts; False if already there."""
    if session.scalar(select(District.id).where(District.name == DISTRICT)):
        return False
    district = District(name=DISTRICT, state="IL", time_zone="America/Chicago", enrollment=14800)
    schools = [School(district=district, name=n, level=lvl) for n, lvl in SCHOOLS]
    agency = Agency(name=AGENCY, kind="police")
    session.add_all([district, agency, *schools])
    people = []
    for i, (role, idx, start, end) in enumerate(STAFF_PLAN + SRO_PLAN):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        on_agency = role in ("sro", "sro_supervisor")
        domain = "riversidepd.example" if on_agency else "riverside.example"
        person = Person(
            first_name=first, last_name=last, person_type=role,
            email=f"{first.lower()}.{last.lower()}@{domain}",
            employer="agency" if on_agency else "district",
            agency=agency if on_agency else None,
            licence_number=f"IL-{48210 + i}" if on_agency else None,
        )
        person.assignments.append(Assignment(
            role=role, schools=[schools[j] for j in idx],
            start_date=today - timedelta(days=start),
            end_date=today - timedelta(days=end) if end is not None else None,
        ))
        people.append(person)
    session.add_all(people)
    session.flush()
    for email, role, person_index in ACCOUNTS:
        person = people[person_index] if person_index is not None else None
        school_names = ()
        if role == "principal" and person is not None:
            school_names = tuple(s.name for s in person.assignments[0].schools)
        create_user(session, email, role, DEMO_PASSWORD, school_names=school_names,
                    agency_name=AGENCY if role == "supervisor" else None, person=person)
    return True


def demo_accounts(session: Session) -> list[tuple[str, str]]:
    """(email, role) of the demo accounts that exist."""
    emails = [a[0] for a in ACCOUNTS]
    rows = session.execute(select(User.email, User.role).where(User.email.in_(emails))
                           .order_by(User.id))
    return [(email, role) for email, role in rows]


def seed_all(session: Session, today: date) -> bool:
    """Run every demo seeding step in order; True if any of them added data."""
    added = False
    for step in SEED_STEPS:
        added = step(session, today) or added
    return added


# Each later workflow adds its own idempotent step(session, today) -> bool; the order matters.
SEED_STEPS = (
    seed_foundation,
    training.seed_training,
    hiring.seed_hiring,
    reports.seed_self_assessment,
    reports.seed_outcomes,
    evaluations.seed_evaluations,
    notifications.seed_reminder_plan,
)
