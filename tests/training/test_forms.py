"""The training forms accept valid posts from a role allowed to make them, and each one writes.

Who may not post, and that their refused posts change nothing, is the access walk's (tests/access/).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.services.training.completions import store_certificate
from models.training import Completion, DistrictPreset, Waiver
from tests.conftest import TODAY, csrf_token
from tests.factories import make_agency, make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement
from tests.training.roster_helpers import preview_token, upload


def _posts(w, upload):
    """(path, form data) for every POST route of the training pages, with valid data.

    The roster's upload only previews (tests/training/test_import_preview.py): its confirmation writes.
    """
    roster = f"Email,Course code,Completion date\n{w.sro_email},{w.course_code},2026-03-01\n".encode()
    return [
        ("/training/people/{sro}/completions/new",
         {"course_id": str(w.course), "completed_on": "2026-05-01"}),
        ("/training/people/{sro}/waivers/new",
         {"requirement_id": str(w.requirement), "reason": "Equivalent course on file"}),
        ("/training/completions/{sro_completion}/verify", {}),
        ("/training/import/confirm", {"token": preview_token(upload(roster)[1])}),
        ("/training/presets", {"presets": ["TX"]}),
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


def _state(session):
    """Everything a training POST changes."""
    session.expire_all()
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    verified = session.scalar(select(func.count()).select_from(Completion)
                              .where(Completion.verified_at.is_not(None)))
    return {"completions": count(Completion), "waivers": count(Waiver), "verified": verified,
            "presets": count(DistrictPreset), "audit": count(AuditEvent)}


def test_valid_posts_by_a_coordinator_are_accepted_and_each_writes(client, auth, session, world):
    """Valid posts to every training form by a coordinator are accepted and each one writes."""
    assert auth.login(world.emails["coordinator"]).status_code == 302
    token = csrf_token(client, "/")
    for path, data in _posts(world, lambda roster: upload(client, roster, "roster.csv")):
        before = _state(session)
        response = client.post(path.format(**vars(world)), data={**data, "csrf_token": token})
        assert response.status_code == 302, path  # accepted: POST/redirect/GET
        assert _state(session) != before, path
    state = _state(session)
    assert (state["completions"], state["waivers"], state["verified"], state["presets"]) == (4, 1, 1, 1)
