"""A hiring world: two schools, SRO criteria, an open SRO vacancy with a panel and two candidates."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from models.seed.hiring import seed_sro_criteria
from models.services.hiring import vacancies as svc
from models.services.hiring.panel import add_member
from tests.conftest import TODAY
from tests.factories import make_agency, make_school, make_user

ROLES = ("admin", "hr", "coordinator", "principal", "principal_b", "supervisor", "staff", "panelist")


def build_hw(session):
    """Vacancy at Adams High; panel: principal (administrator seat), panelist (teacher), a parent."""
    a = make_school(session, "Adams High")
    b = make_school(session, "Burr Middle")
    agency = make_agency(session, "Metro PD")
    seed_sro_criteria(session)
    users = {r: make_user(session, r, email=f"{r}@example.org") for r in ("admin", "hr", "coordinator")}
    users["principal"] = make_user(session, "principal", email="principal@example.org", schools=[a])
    users["principal_b"] = make_user(session, "principal", email="principal.b@example.org", schools=[b])
    users["supervisor"] = make_user(session, "supervisor", email="supervisor@example.org", agency=agency)
    users["staff"] = make_user(session, "staff", email="staff@example.org")
    users["panelist"] = make_user(session, "staff", email="panelist@example.org")
    vacancy = svc.open_vacancy(session, {"title": "SRO, Adams High", "role": "sro", "school_ids": [a.id],
                                         "agency_id": agency.id}, TODAY)
    admin_seat = add_member(session, vacancy, {"seat": "school_administrator",
                                               "user_id": users["principal"].id, "name": "Principal Adams"})
    teacher_seat = add_member(session, vacancy, {"seat": "teacher", "user_id": users["panelist"].id,
                                                 "name": "Terry Teacher"})
    parent_seat = add_member(session, vacancy, {"seat": "parent", "name": "Pat Parent"})
    c1 = svc.add_candidate(session, vacancy, {"first_name": "Casey", "last_name": "Moreno",
                                              "email": "casey@applicants.example", "years_of_service": 6,
                                              "volunteered": True, "current_agency_id": agency.id})
    c2 = svc.add_candidate(session, vacancy, {"first_name": "Devon", "last_name": "Whitfield",
                                              "email": "devon@applicants.example", "years_of_service": 9})
    session.commit()
    return SimpleNamespace(school_a=a.id, school_b=b.id, agency=agency.id, vacancy=vacancy.id,
                           c1=c1.id, c2=c2.id, admin_seat=admin_seat.id, teacher_seat=teacher_seat.id,
                           parent_seat=parent_seat.id, users={r: u.id for r, u in users.items()},
                           emails={r: u.email for r, u in users.items()})


@pytest.fixture
def hw(app, session, snapshot):
    """The hiring world above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_hw, session)
