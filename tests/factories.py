"""Factory helpers: build just the rows a test needs (no fixture files)."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from models.accounts import User, password_hash_method
from models.org import Agency, District, School
from models.people import Assignment, Person

_seq = itertools.count(1)
_HASHES: dict[tuple[str, str], str] = {}  # (method, password) -> hash: each hashed once per run


def make_district(session: Session, **overrides) -> District:
    """A district (one is enough for most tests)."""
    district = District(**{"name": f"District {next(_seq)}", "state": "IL",
                           "time_zone": "America/Chicago", **overrides})
    session.add(district)
    session.flush()
    return district


def make_school(session: Session, name: str | None = None, **overrides) -> School:
    """A school, creating the district if there is none."""
    district = overrides.pop("district", None) or session.query(District).first() \
        or make_district(session)
    school = School(district=district, name=name or f"School {next(_seq)}",
                    level=overrides.pop("level", "high"), **overrides)
    session.add(school)
    session.flush()
    return school


def make_agency(session: Session, name: str | None = None) -> Agency:
    """A police agency."""
    agency = Agency(name=name or f"Agency {next(_seq)}")
    session.add(agency)
    session.flush()
    return agency


def make_person(session: Session, **overrides) -> Person:
    """A person; pass agency= for an agency employee."""
    n = next(_seq)
    agency = overrides.pop("agency", None)
    values = {"first_name": f"Pat{n}", "last_name": f"Person{n}", "email": f"p{n}@example.org",
              "person_type": "teacher", "employer": "agency" if agency else "district",
              "agency": agency, **overrides}
    person = Person(**values)
    session.add(person)
    session.flush()
    return person


def make_assignment(session: Session, person: Person, schools: list[School], **overrides) -> Assignment:
    """An assignment; by default in the person's type, started a year before the test day."""
    values = {"role": person.person_type, "start_date": date(2025, 9, 1), **overrides}
    assignment = Assignment(person=person, schools=list(schools), **values)
    session.add(assignment)
    session.flush()
    return assignment


def make_user(session: Session, role: str, *, email: str | None = None, schools=(),
              agency: Agency | None = None, person: Person | None = None,
              password: str = "correct-horse-battery") -> User:
    """An account with a known password."""
    user = User(email=email or f"{role}{next(_seq)}@example.org", role=role,
                schools=list(schools), agency=agency, person=person)
    key = (password_hash_method(), password)
    if key not in _HASHES:
        user.set_password(password)
        _HASHES[key] = user.password_hash
    user.password_hash = _HASHES[key]
    session.add(user)
    session.flush()
    return user
