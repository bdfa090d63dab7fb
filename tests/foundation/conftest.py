"""A small world: two schools, an agency, people at each, and one account per role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_agency, make_assignment, make_person, make_school, make_user


def build_world(session):
    """Schools A and B, people at each, an SRO of an agency, and accounts for every role."""
    a = make_school(session, "Adams High")
    b = make_school(session, "Burr Middle")
    agency = make_agency(session, "Metro PD")
    other_agency = make_agency(session, "County Sheriff")
    teacher_a = make_person(session, first_name="Alice", last_name="Atwood", email="alice@example.org")
    teacher_b = make_person(session, first_name="Bob", last_name="Barnes", email="bob@example.org")
    sro = make_person(session, first_name="Sam", last_name="Officer", email="sam@example.org",
                      person_type="sro", agency=agency, licence_number="L-1")
    other_sro = make_person(session, first_name="Olga", last_name="Deputy", email="olga@example.org",
                            person_type="sro", agency=other_agency, licence_number="L-2")
    make_assignment(session, teacher_a, [a])
    make_assignment(session, teacher_b, [b])
    make_assignment(session, sro, [a])
    make_assignment(session, other_sro, [b])
    users = {role: make_user(session, role, email=f"{role}@example.org")
             for role in ("admin", "hr", "coordinator")}
    users["principal"] = make_user(session, "principal", email="principal@example.org", schools=[a])
    users["supervisor"] = make_user(session, "supervisor", email="supervisor@example.org",
                                    agency=agency)
    users["staff"] = make_user(session, "staff", email="staff@example.org", person=teacher_a)
    session.commit()
    return SimpleNamespace(school_a=a.id, school_b=b.id, agency=agency.id,
                           teacher_a=teacher_a.id, teacher_b=teacher_b.id, sro=sro.id,
                           other_sro=other_sro.id,
                           emails={role: u.email for role, u in users.items()})


@pytest.fixture
def world(app, session, snapshot):
    """The world above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_world, session)
