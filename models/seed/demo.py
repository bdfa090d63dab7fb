"""Demo data: one district, six schools, one police agency, about forty people, one account per role."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import import_module

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.org import Agency, District, School
from models.people import Assignment, Person
from models.services.accounts import create_user

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
FIRST = ["Maria", "James", "Aisha", "Robert", "Linh", "David", "Keisha", "Carlos", "Emily",
         "Marcus", "Sofia", "Daniel", "Priya", "Thomas", "Grace", "Andre", "Hannah", "Luis",
         "Olivia", "Samuel", "Fatima", "Ethan", "Rosa", "Jamal", "Chloe", "Victor", "Nora",
         "Kevin", "Leah", "Omar", "Ruth", "Tyler", "Yesenia", "Brian", "Mei", "Derek", "Ana",
         "Isaac", "Tamara", "Paul", "Ingrid", "Hector"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ibrahim",
        "Johnson", "Kim", "Lopez", "Martin", "Nguyen", "Owens", "Patel", "Quinn", "Rivera",
        "Singh", "Turner", "Usman", "Vasquez", "Walker", "Xu", "Young", "Zimmerman", "Adams",
        "Bennett", "Castillo", "Dawson", "Ellis", "Flores", "Gibson", "Harris", "Ingram",
        "Jenkins", "Khan", "Lewis", "Morales", "Norris", "Ortiz", "Price"]

# (role, schools by index, start offset in days before `today`, end offset or None)
STAFF_PLAN = [
    ("principal", [0], 2900, None), ("assistant_principal", [0], 700, None),
    ("counselor", [0], 1500, None), ("teacher", [0], 3200, None), ("teacher", [0], 60, None),
    ("security_officer", [0], 400, None),
    ("principal", [1], 1900, None), ("assistant_principal", [1], 1100, None),
    ("counselor", [1], 45, None), ("teacher", [1], 2400, None), ("teacher", [1], 800, None),
    ("principal", [2], 1300, None), ("counselor", [2], 950, None), ("teacher", [2], 20, None),
    ("teacher", [2], 1700, None), ("teacher", [2], 600, 30),
    ("principal", [3], 500, None), ("counselor", [3], 2100, None), ("teacher", [3], 330, None),
    ("teacher", [3], 1000, None),
    ("principal", [4], 3600, None), ("counselor", [4, 5], 1200, None), ("teacher", [4], 250, None),
    ("teacher", [4], 90, None), ("staff", [4], 700, None),
    ("principal", [5], 150, None), ("teacher", [5], 1400, None), ("teacher", [5], 10, None),
    ("assistant_principal", [5], 2000, None), ("staff", [5], 380, None),
]
SRO_PLAN = [  # SROs and their supervisor, employed by the agency
    ("sro", [0], 1400, None), ("sro", [1], 200, None), ("sro", [2, 4], 800, None),
    ("sro", [3, 5], 25, None), ("sro", [1], 2500, 400), ("sro_supervisor", [0, 1, 2, 3, 4, 5], 2200, None),
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


# Each later workflow adds its own idempotent step, as "module:function(session, today) -> bool".
SEED_STEPS = (
    "models.seed.demo:seed_foundation",
    "models.seed.training:seed_training",
    "models.seed.hiring:seed_hiring",
    "models.seed.reports:seed_self_assessment",
    "models.seed.reports:seed_outcomes",
    "models.seed.evaluations:seed_evaluations",
    "models.seed.notifications:seed_reminder_plan",
)


def seed_all(session: Session, today: date) -> bool:
    """Run every demo seeding step in order; True if any of them added data."""
    added = False
    for spec in SEED_STEPS:
        module, name = spec.split(":")
        added = getattr(import_module(module), name)(session, today) or added
    return added
