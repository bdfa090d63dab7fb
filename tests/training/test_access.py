"""Who may open which training page and who may post to it: (endpoint, role, expected status) tables.

One test per role walks the whole table, so the world is built once per role rather than once per
cell; every mismatch is reported together. Forbidden POSTs are then shown to change nothing.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.services.training.completions import store_certificate
from models.training import Completion, DistrictPreset, Waiver
from tests.conftest import TODAY, csrf_token
from tests.factories import make_agency, make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff")


def _all(status, **over):
    return {r: status for r in ROLES} | {"anonymous": 302} | over


READ = _all(200, staff=403)
MANAGE = _all(403, admin=200, hr=200, coordinator=200)
PRESETS = _all(403, admin=200, coordinator=200)

# {sro}: an agency SRO at school A; {teacher_a}: the staff user's own record at A; {teacher_b}: at B.
GETS = [
    ("/training/", READ),
    ("/training/people/{sro}", _all(200, staff=404)),
    ("/training/people/{teacher_a}", _all(200, supervisor=404)),
    ("/training/people/{teacher_b}", _all(200, principal=404, supervisor=404, staff=404)),
    ("/training/people/{sro}/completions/new", MANAGE),
    ("/training/people/{teacher_b}/completions/new", MANAGE),
    ("/training/people/{sro}/waivers/new", MANAGE),
    ("/training/completions/{sro_completion}/certificate", _all(200, staff=404)),
    ("/training/completions/{b_completion}/certificate",
     _all(200, principal=404, supervisor=404, staff=404)),
    ("/training/courses/{course}", READ),
    ("/training/import", MANAGE),
    ("/training/presets", PRESETS),
]
OK = 302  # an accepted POST redirects (POST/redirect/GET)
POST_MANAGE = _all(403, admin=OK, hr=OK, coordinator=OK)
POST_VERIFY = _all(403, admin=OK, coordinator=OK)


def _posts(w):
    """(path, form data, expected status by role) for every POST route, with valid data."""
    roster = f"Email,Course code,Completion date\n{w.sro_email},{w.course_code},2026-03-01\n".encode()
    return [
        ("/training/people/{sro}/completions/new",
         {"course_id": str(w.course), "completed_on": "2026-05-01"}, POST_MANAGE),
        ("/training/people/{sro}/waivers/new",
         {"requirement_id": str(w.requirement), "reason": "Equivalent course on file"}, POST_MANAGE),
        ("/training/completions/{sro_completion}/verify", {}, POST_VERIFY),
        ("/training/import", {"file": (io.BytesIO(roster), "roster.csv")}, POST_MANAGE),
        ("/training/presets", {"presets": ["TX"]}, POST_VERIFY),
    ]


def build_world(session, upload_dir):
    """Schools A and B, an agency SRO at A, teachers at A and B, certificates, one account per role."""
    a, b = make_school(session, "Adams High"), make_school(session, "Burr Middle")
    agency = make_agency(session, "Metro PD")
    sro = make_person(session, person_type="sro", agency=agency, licence_number="L-1")
    teacher_a, teacher_b = make_person(session), make_person(session)
    for person, school in ((sro, a), (teacher_a, a), (teacher_b, b)):
        make_assignment(session, person, [school])
    course = make_course(session, code="MOU-JOINT")
    req = make_requirement(session, course, roles=("sro", "teacher"))
    name, kind = store_certificate(upload_dir, b"%PDF-1.4 certificate")
    sro_comp = make_completion(session, sro, course, TODAY.replace(month=1),
                               certificate_file=name, certificate_type=kind, certificate_name="c.pdf")
    b_comp = make_completion(session, teacher_b, course, TODAY.replace(month=2),
                             certificate_file=name, certificate_type=kind, certificate_name="b.pdf")
    users = {role: make_user(session, role) for role in ("admin", "hr", "coordinator")}
    users["principal"] = make_user(session, "principal", schools=[a])
    users["supervisor"] = make_user(session, "supervisor", agency=agency)
    users["staff"] = make_user(session, "staff", person=teacher_a)
    session.commit()
    return SimpleNamespace(sro=sro.id, teacher_a=teacher_a.id, teacher_b=teacher_b.id, course=course.id,
                           course_code=course.code, requirement=req.id, sro_email=sro.email,
                           sro_completion=sro_comp.id, b_completion=b_comp.id,
                           emails={role: u.email for role, u in users.items()})


@pytest.fixture
def world(app, session, snapshot):
    """The world above, built once per run on SQLite and copied (certificate too) into each test."""
    return snapshot(build_world, session, app.config["UPLOAD_DIR"])


def _login(auth, world, role):
    if role != "anonymous":
        assert auth.login(world.emails[role]).status_code == 302


def _state(session):
    """Everything a training POST could change."""
    session.expire_all()
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    verified = session.scalar(select(func.count()).select_from(Completion)
                              .where(Completion.verified_at.is_not(None)))
    return {"completions": count(Completion), "waivers": count(Waiver), "verified": verified,
            "presets": count(DistrictPreset), "audit": count(AuditEvent)}


@pytest.mark.parametrize("role", ROLES)
def test_training_pages_by_role(client, auth, world, role):
    """Each role gets exactly the status the table says for every page (404 hides what is out of scope)."""
    _login(auth, world, role)
    wrong = []
    for path, expected in GETS:
        url = path.format(**vars(world))
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong.append(f"GET {url}: {response.status_code}, expected {expected[role]}")
        elif expected[role] == 302 and "/login" not in response.headers["Location"]:
            wrong.append(f"GET {url}: redirected elsewhere than the login page")
    assert not wrong, f"{role}: " + "; ".join(wrong)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("admin", "coordinator")])
def test_forbidden_posts_change_nothing(client, auth, session, world, role):
    """Every POST a role may not make is refused (login, 403) and leaves the database as it was."""
    _login(auth, world, role)
    token = csrf_token(client, "/login" if role == "anonymous" else "/")
    wrong = []
    for path, data, expected in _posts(world):
        if expected[role] == OK:
            continue
        before = _state(session)
        url = path.format(**vars(world))
        response = client.post(url, data={**data, "csrf_token": token})
        if response.status_code != expected[role]:
            wrong.append(f"POST {url}: {response.status_code}, expected {expected[role]}")
        if role == "anonymous" and "/login" not in response.headers.get("Location", ""):
            wrong.append(f"POST {url}: not sent to the login page")
        if _state(session) != before:
            wrong.append(f"POST {url} changed {before} to {_state(session)}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_the_same_posts_by_a_coordinator_do_change_things(client, auth, session, world):
    """The POST data above is valid: a coordinator's requests are accepted and each one writes."""
    _login(auth, world, "coordinator")
    token = csrf_token(client, "/")
    for path, data, _ in _posts(world):
        before = _state(session)
        response = client.post(path.format(**vars(world)), data={**data, "csrf_token": token})
        assert response.status_code == OK, path
        assert _state(session) != before, path
    state = _state(session)
    assert (state["completions"], state["waivers"], state["verified"], state["presets"]) == (4, 1, 1, 1)
