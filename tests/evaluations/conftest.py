"""A small world for evaluations: two schools, an SRO and teachers, and an account for every role."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from models.accounts import User
from models.evaluations import Evaluation
from models.seed.evaluations import seed_templates
from models.services.evaluations import workflow as svc
from tests.factories import make_agency, make_assignment, make_person, make_school, make_user

CYCLE = "2025-2026"


def build_ew(session):
    """Schools A and B; SRO and teacher at A, teacher at B; principals, supervisors, staff accounts."""
    a, b = make_school(session, "Adams High"), make_school(session, "Burr Middle")
    agency, other = make_agency(session, "Metro PD"), make_agency(session, "County Sheriff")
    start = date(2020, 8, 1)
    sro = make_person(session, first_name="Sam", last_name="Officer", person_type="sro", agency=agency,
                      licence_number="L-1")
    teacher = make_person(session, first_name="Alice", last_name="Atwood")
    teacher_b = make_person(session, first_name="Bob", last_name="Barnes")
    boss = make_person(session, first_name="Pia", last_name="Principal", person_type="principal")
    for person, school in ((sro, a), (teacher, a), (teacher_b, b), (boss, a)):
        make_assignment(session, person, [school], start_date=start)
    users = {
        "admin": make_user(session, "admin", email="admin@example.org"),
        "hr": make_user(session, "hr", email="hr@example.org"),
        "coordinator": make_user(session, "coordinator", email="coordinator@example.org"),
        "principal": make_user(session, "principal", email="principal@example.org", schools=[a], person=boss),
        "principal_b": make_user(session, "principal", email="principal.b@example.org", schools=[b]),
        "supervisor": make_user(session, "supervisor", email="supervisor@example.org", agency=agency),
        "supervisor_other": make_user(session, "supervisor", email="sup.other@example.org", agency=other),
        "sro": make_user(session, "staff", email="sro@example.org", person=sro),
        "teacher": make_user(session, "staff", email="teacher@example.org", person=teacher),
    }
    seed_templates(session)
    session.commit()
    return SimpleNamespace(school_a=a.id, school_b=b.id, sro=sro.id, teacher=teacher.id,
                           teacher_b=teacher_b.id, boss=boss.id,
                           emails={k: u.email for k, u in users.items()},
                           users={k: u.id for k, u in users.items()})


@pytest.fixture
def ew(app, session, snapshot):
    """The evaluation world above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_ew, session)


def user(session, ew, key) -> User:
    """The world's account `key`."""
    return session.get(User, ew.users[key])


def start(session, ew, person_id, today, principal="principal", cycle=CYCLE) -> Evaluation:
    """Open a draft (by default for last school year's cycle)."""
    from models.people import Assignment

    assignment_id = session.query(Assignment.id).filter_by(person_id=person_id).scalar()
    ev = svc.start_evaluation(session, person_id=person_id, assignment_id=assignment_id, cycle=cycle,
                              evaluator=user(session, ew, principal), today=today)
    session.commit()
    return ev


def ratings(ev: Evaluation, values, comment="") -> dict:
    """Form data rating every criterion of `ev`."""
    data = {"version_id": ev.version_id, "goals": "Goal", "progress": "", "strengths": "Calm",
            "growth_areas": ""}
    for r, v in zip(ev.ratings, values, strict=False):
        data[f"rating_{r.criterion_id}"] = v
        data[f"comment_{r.criterion_id}"] = comment
    return data


def login_fast(client, user_id: int) -> None:
    """Log in by writing Flask-Login's session keys (the login form itself is tested in foundation)."""
    from flask import g

    from models import db
    from models.accounts import User
    from tracker.extensions import login_manager
    from tracker.security import now

    g.pop("_login_user", None)  # the test's app context outlives requests; drop the cached user

    with client.application.test_request_context(environ_base=client.environ_base):
        ident = login_manager._session_identifier_generator()
        signed_in = now().timestamp()
    with client.session_transaction() as sess:
        sess["_user_id"] = db.session.get(User, user_id).get_id()  # the id and the session version
        sess["_fresh"] = True
        sess["_id"] = ident
        sess["_started"] = sess["_seen"] = signed_in


def forget_request_state() -> None:
    """Drop per-request values Flask caches on `g` (the test's app context outlives each request)."""
    from flask import g

    for key in ("_login_user", "csrf_token"):
        g.pop(key, None)
