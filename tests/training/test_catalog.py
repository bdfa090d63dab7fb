"""Catalog editing: courses and requirements, validated, audited, and a preview that is what saving does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.accounts import User
from models.audit import AuditEvent
from models.errors import ValidationFailed
from models.org import District
from models.services.training import catalog
from models.services.training.compliance import compliance_rows, unmet_before_assignment
from models.training import Course, DistrictPreset, Requirement
from tests.conftest import TODAY, AuthActions, csrf_token, fresh_client
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement


@pytest.fixture
def sros(session):
    """Adams High: 6 SROs (3 started 200 days ago, 3 next month), 2 teachers; one SRO has taken DEESC."""
    school = make_school(session, "Adams High")
    people = []
    for i in range(6):
        person = make_person(session, first_name=f"Sam{i}", last_name="Officer", person_type="sro")
        start = TODAY - timedelta(days=200) if i < 3 else TODAY + timedelta(days=30)
        make_assignment(session, person, [school], start_date=start)
        people.append(person)
    for i in range(2):
        make_assignment(session, make_person(session, first_name=f"Tess{i}", person_type="teacher"), [school])
    deesc = make_course(session, "DEESC", title="De-escalation")
    make_completion(session, people[0], deesc, TODAY - timedelta(days=20))
    make_user(session, "coordinator", email="coordinator@example.org")
    make_user(session, "principal", email="principal@example.org", schools=[school])
    session.commit()
    return {"people": [p.id for p in people], "deesc": deesc.id}


def _requirement(course_id, **extra):
    return {"course_id": course_id, "roles": ["sro"], "due_rule": "within_days", "due_days": 90,
            "renewal_months": 12, "due_soon_days": 30, **extra}


def test_preview_counts_what_saving_does(session, sros):
    preview = catalog.preview_requirement(session, None, _requirement(sros["deesc"]), TODAY)
    assert session.scalar(select(func.count(Requirement.id))) == 0  # the preview kept nothing
    # 3 started 200 days ago: Sam0 completed (not due), Sam1, Sam2 overdue; 3 start next month: due soon
    # or not yet due. 5 become due, 2 of them overdue today.
    assert (preview.becomes_due, preview.becomes_due_overdue) == (5, 2)
    assert preview.sentences()[0] == "5 people become due, 2 of them overdue today."
    req = catalog.save_requirement(session, None, _requirement(sros["deesc"]))
    session.commit()
    rows = compliance_rows(session, TODAY, course_ids=[sros["deesc"]])
    assert sum(r.status in catalog.OPEN for r in rows) == 5
    assert sum(r.status in ("overdue", "expired") for r in rows) == 2
    # Making it a before-assignment course stops the two unqualified started SROs being cleared.
    change = _requirement(sros["deesc"], due_rule="before_start")
    preview = catalog.preview_requirement(session, req, change, TODAY)
    uncleared_before = {p for p in sros["people"] if unmet_before_assignment(session, p, "sro", TODAY)}
    catalog.save_requirement(session, req, change)
    session.commit()
    uncleared_after = {p for p in sros["people"] if unmet_before_assignment(session, p, "sro", TODAY)}
    assert preview.stops_cleared == len(uncleared_after - uncleared_before) == 5
    assert "5 SROs stop being cleared for placement." in preview.sentences()


def test_every_problem_at_once_and_nothing_saved(session, sros):
    with pytest.raises(ValidationFailed) as caught:
        catalog.save_requirement(session, None, {"course_id": 999, "roles": ["pilot"], "due_rule": "someday",
                                                 "renewal_months": 0, "due_soon_days": 9999,
                                                 "note": "x\x00"})
    fields = {f for f, _ in caught.value.problems}
    assert fields == {"course_id", "roles", "due_rule", "renewal_months", "due_soon_days", "note"}
    with pytest.raises(ValidationFailed) as caught:
        catalog.save_course(session, None, {"code": "deesc", "title": "", "hours": 500,
                                            "equivalent_ids": [99999]})
    messages = [m for _, m in caught.value.problems]
    assert "Another course already has the code deesc." in messages
    assert {"Title is required.", "Hours must be a number from 0 to 200.",
            "One of the equivalent courses does not exist."} <= set(messages)
    session.rollback()
    assert session.scalar(select(func.count(Course.id))) == 1


def test_equivalents_hold_both_ways_and_retiring_keeps_history(session, sros):
    basic = catalog.save_course(session, None, {"code": "BASIC", "title": "Basic SRO", "hours": 40,
                                                "equivalent_ids": [sros["deesc"]]})
    session.commit()
    deesc = session.get(Course, sros["deesc"])
    assert [c.code for c in deesc.equivalents] == ["BASIC"]
    assert [c.code for c in basic.equivalents] == ["DEESC"]
    course_audits = select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "courses")
    audits = session.scalar(course_audits)
    catalog.save_course(session, basic, {"code": "BASIC", "title": "Basic SRO", "hours": 40,
                                         "equivalent_ids": [], "active": False})
    session.commit()
    session.expire_all()
    assert deesc.equivalents == [] and basic.equivalents == [] and basic.active is False
    assert session.scalar(course_audits) > audits
    assert "BASIC" not in [c.code for c in catalog.offered_courses(session)]


def test_courses_only_in_presets_switched_off_are_not_offered(session, sros):
    tx = make_course(session, "TX-1", title="Texas course")
    make_requirement(session, tx, preset="TX")
    session.commit()
    assert "TX-1" not in [c.code for c in catalog.offered_courses(session)]
    session.add(DistrictPreset(district_id=session.scalar(select(District.id)), preset="TX"))
    session.commit()
    assert "TX-1" in [c.code for c in catalog.offered_courses(session)]


def test_a_coordinator_adds_a_course_and_a_requirement_through_the_pages(app, session, sros):
    client = fresh_client(app)
    assert AuthActions(client).login("coordinator@example.org").status_code == 302
    token = csrf_token(client, "/training/courses/new")
    response = client.post("/training/courses/new", data={"csrf_token": token, "code": "CIT", "title":
                                                            "Crisis intervention", "hours": "16",
                                                            "issues_certificate": "y", "active": "y"})
    assert response.status_code == 302
    cit = session.scalar(select(Course).where(Course.code == "CIT"))
    form = {"csrf_token": token, "course_id": str(cit.id), "roles": "sro", "due_rule": "within_days",
            "due_days": "90", "renewal_months": "12", "due_soon_days": "30", "preset": ""}
    page = client.post("/training/requirements/new", data={**form, "preview": "1"}).get_data(as_text=True)
    assert "6 people become due, 3 of them overdue today." in page
    assert session.scalar(select(func.count(Requirement.id))) == 0
    response = client.post("/training/requirements/new", data={**form, "save": "1"})
    assert response.status_code == 302
    board = client.get(f"/training/?course={cit.id}").get_data(as_text=True)
    assert "CIT" in board and "Sam1 Officer" in board


def test_only_catalog_managers_edit(app, session, sros):
    client = fresh_client(app)
    assert AuthActions(client).login("principal@example.org").status_code == 302
    for path in ("/training/courses/new", "/training/requirements/new"):
        assert client.get(path).status_code == 403
    assert client.get("/training/catalog").status_code == 200


def test_the_api_creates_and_changes_courses_and_requirements_with_the_same_rules(app, session, sros):
    from models.services.accounts.api_tokens import create_api_token
    from tests.accounts.conftest import NOW

    coordinator = session.scalar(select(User).where(User.email == "coordinator@example.org"))
    principal = session.scalar(select(User).where(User.email == "principal@example.org"))
    _, token = create_api_token(session, coordinator, "catalog", NOW)
    _, other = create_api_token(session, principal, "catalog", NOW)
    session.commit()
    client = fresh_client(app)
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/courses", json={"code": "CIT", "title": "Crisis intervention", "hours": 16,
                                                  "equivalent_course_ids": [sros["deesc"]]}, headers=auth)
    assert created.status_code == 201, created.get_json()
    cit = created.get_json()
    assert cit["equivalent_course_ids"] == [sros["deesc"]] and created.headers["Location"].endswith(
        f"/courses/{cit['id']}")
    assert client.get(f"/api/v1/courses/{sros['deesc']}", headers=auth).get_json()["equivalent_course_ids"] \
        == [cit["id"]]
    bad = client.post("/api/v1/courses", json={"code": "deesc", "title": "", "hours": 500}, headers=auth)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"code", "title", "hours"}
    patched = client.patch(f"/api/v1/courses/{cit['id']}", json={"active": False}, headers=auth)
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    assert patched.get_json()["title"] == "Crisis intervention"
    req = client.post("/api/v1/requirements", json={"course_id": sros["deesc"], "roles": ["sro"],
                                                   "due_rule": "within_days", "due_days": 90,
                                                   "renewal_months": 12}, headers=auth)
    assert req.status_code == 201, req.get_json()
    changed = client.patch(f"/api/v1/requirements/{req.get_json()['id']}", json={"renewal_months": 24},
                           headers=auth)
    assert changed.status_code == 200 and changed.get_json()["renewal_months"] == 24
    assert changed.get_json()["due_days"] == 90
    retired = client.post("/api/v1/requirements", json={"course_id": cit["id"], "roles": ["sro"],
                                                       "due_rule": "before_start"}, headers=auth)
    assert retired.status_code == 422 and "retired" in retired.get_json()["errors"][0]["message"]
    # Audited as the pages are: each created and each changed row has its own audit rows.
    def actions(table, ident):
        return set(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == table,
                                                                   AuditEvent.entity_id == ident)))
    assert {"create", "update"} <= actions("courses", cit["id"])
    assert {"create", "update"} <= actions("requirements", req.get_json()["id"])
    assert "update" in actions("courses", sros["deesc"])  # its equivalents changed, both ways
    assert client.post("/api/v1/courses", json={"code": "X", "title": "X", "hours": 1},
                       headers={"Authorization": f"Bearer {other}"}).status_code == 403


def test_a_recertification_window_needs_a_renewal_and_fits_its_bounds(session, sros):
    with pytest.raises(ValidationFailed) as caught:
        catalog.save_requirement(session, None, _requirement(sros["deesc"], renewal_months=None,
                                                             recert_window_days=30))
    assert caught.value.problems == [("recert_window_days",
                                      "A recertification window needs a renewal interval.")]
    with pytest.raises(ValidationFailed) as caught:
        catalog.save_requirement(session, None, _requirement(sros["deesc"], recert_window_days=0))
    assert caught.value.problems[0][0] == "recert_window_days"
    req = catalog.save_requirement(session, None, _requirement(sros["deesc"], recert_window_days=60))
    assert req.recert_window_days == 60
