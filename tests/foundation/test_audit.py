"""Every create, update and delete of people and assignments leaves an audit event."""

from __future__ import annotations

from sqlalchemy import select

from models.audit import AuditEvent
from models.people import Assignment, Person
from tests.conftest import post_form


def _events(session, entity_type):
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity_type)
                                .order_by(AuditEvent.id)))


def test_person_and_assignment_lifecycle_is_audited(client, auth, session, world):
    auth.login(world.emails["hr"])
    post_form(client, "/people/new", {"first_name": "Ann", "last_name": "Audit",
                                      "email": "ann@example.org", "person_type": "teacher",
                                      "employer": "district"})
    person = session.scalar(select(Person).where(Person.email == "ann@example.org"))
    created = _events(session, "people")[-1]
    assert (created.action, created.entity_id, created.actor_label) == ("create", person.id, "hr@example.org")
    assert created.after["last_name"] == "Audit" and created.before is None
    assert created.actor_user_id is not None

    post_form(client, f"/people/{person.id}/edit", {"first_name": "Ann", "last_name": "Audited",
                                                    "email": "ann@example.org",
                                                    "person_type": "counselor", "employer": "district"})
    updated = _events(session, "people")[-1]
    assert updated.action == "update"
    assert updated.before == {"last_name": "Audit", "person_type": "teacher"}
    assert updated.after == {"last_name": "Audited", "person_type": "counselor"}

    post_form(client, f"/people/{person.id}/assignments/new",
              {"role": "counselor", "start_date": "2026-01-05", "school_ids": [world.school_a]})
    assignment = session.scalar(select(Assignment).where(Assignment.person_id == person.id))
    path = f"/people/{person.id}/assignments/{assignment.id}/edit"
    post_form(client, path, {"role": "counselor", "start_date": "2026-01-05",
                             "end_date": "2026-06-30", "school_ids": [world.school_b]})
    a_events = _events(session, "assignments")
    assert [e.action for e in a_events[-2:]] == ["create", "update"]
    assert a_events[-1].before == {"end_date": None, "schools": [world.school_a]}
    assert a_events[-1].after == {"end_date": "2026-06-30", "schools": [world.school_b]}

    post_form(client, f"/people/{person.id}/delete", {}, token_from=f"/people/{person.id}")
    assert _events(session, "people")[-1].action == "delete"
    assert _events(session, "people")[-1].before["last_name"] == "Audited"
    deleted = _events(session, "assignments")[-1]
    assert deleted.action == "delete" and deleted.before["schools"] == [world.school_b]
    assert deleted.actor_label == "hr@example.org"


def test_assignment_delete_is_audited(client, auth, session, world):
    auth.login(world.emails["hr"])
    assignment_id = session.get(Person, world.teacher_b).assignments[0].id
    path = f"/people/{world.teacher_b}/assignments/{assignment_id}/delete"
    response = post_form(client, path, {}, token_from=f"/people/{world.teacher_b}")
    assert response.status_code == 302
    event = _events(session, "assignments")[-1]
    assert (event.action, event.entity_id, event.after) == ("delete", assignment_id, None)
    assert event.before["role"] == "teacher"
