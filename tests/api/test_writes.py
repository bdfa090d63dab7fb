"""Writes: people and assignments through the HR rules; completions in idempotent, all-or-nothing batches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.people import Assignment, Person
from models.policy import roles_with
from models.training import Completion


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_create_person_applies_the_same_rules_and_lists_every_problem(api, session, tokens, world):
    before = _count(session, Person)
    bad = api.post("/people", tokens.hr, {"first_name": "", "last_name": 7, "email": "alice@example.org",
                                          "person_type": "sro", "employer": "agency", "colour": "red"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    fields = {e["field"] for e in bad.json["errors"]}
    assert {"first_name", "last_name", "email", "agency_id", "colour"} <= fields
    assert all(e["item"] is None for e in bad.json["errors"])
    assert _count(session, Person) == before
    ok = api.post("/people", tokens.hr, {"first_name": "Dana", "last_name": "Diaz",
                                         "email": "Dana@Example.org", "person_type": "counselor"})
    assert ok.status_code == 201, ok.json
    assert ok.json["email"] == "dana@example.org" and ok.json["employer"] == "district"
    assert api.get(ok.headers["Location"].split("/api/v1")[1], tokens.hr).json == ok.json
    assert _count(session, Person) == before + 1


def test_create_person_refused_for_principal(api, session, tokens):
    response = api.post("/people", tokens.principal, {"first_name": "X", "last_name": "Y",
                                                      "email": "x@example.org", "person_type": "teacher"})
    assert response.status_code == 403
    assert session.scalar(select(Person).where(Person.email == "x@example.org")) is None


@pytest.mark.parametrize("role", roles_with("manage_people"))
def test_every_role_that_manages_people_creates_one(api, session, tokens, role):
    """Each role holding manage_people gets its POST /people through (201), not just HR."""
    response = api.post("/people", getattr(tokens, role), {"first_name": "New", "last_name": "Person",
                                                           "email": f"new-{role}@example.org",
                                                           "person_type": "teacher"})
    assert response.status_code == 201, response.json
    assert session.scalar(select(Person).where(Person.email == f"new-{role}@example.org")) is not None


@pytest.mark.parametrize("role", roles_with("record_training"))
def test_every_role_that_records_training_gets_past_the_gate_on_a_batch(api, tokens, role):
    """Each role holding record_training has an empty batch judged on its content (422), not refused."""
    response = api.post("/completions/batch", getattr(tokens, role), {"items": []})
    assert response.status_code == 422, response.json


def test_create_assignment(api, session, tokens, world):
    before = _count(session, Assignment)
    bad = api.post("/assignments", tokens.hr, {"person_id": world.teacher_b, "role": "teacher",
                                               "start_date": "2026-10-01", "end_date": "2026-01-01",
                                               "school_ids": [99999]})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"end_date", "school_ids"}
    ok = api.post("/assignments", tokens.hr, {"person_id": world.teacher_b, "role": "counselor",
                                              "start_date": "2026-10-01", "school_ids": [world.school_a]})
    assert ok.status_code == 201, ok.json
    assert ok.json["school_ids"] == [world.school_a]
    assert _count(session, Assignment) == before + 1


def _batch(world, **changes):
    items = [
        {"external_id": "lms-1", "person_id": world.sro, "course_code": "NASRO-BASIC",
         "completed_on": "2026-03-02", "hours": 40},
        {"external_id": "lms-2", "person_id": world.teacher_a, "course_code": "PBIS-STAFF",
         "completed_on": "2026-02-10"},
        {"external_id": "lms-3", "person_id": world.teacher_b, "course_code": "BIAS-DIS",
         "completed_on": "2026-05-05", "certificate_number": "B-77"},
    ]
    for index, fields in changes.items():
        items[int(index.removeprefix("i"))].update(fields)
    return {"source": "acme-lms", "items": items}


def test_same_completions_batch_twice_creates_nothing_new(api, session, tokens, world, training):
    first = api.post("/completions/batch", tokens.coordinator, _batch(world))
    assert first.status_code == 201, first.json
    assert (first.json["created"], first.json["unchanged"]) == (3, 0)
    after_one = _count(session, Completion)
    assert after_one == 3
    second = api.post("/completions/batch", tokens.coordinator, _batch(world))
    assert second.status_code == 200
    assert (second.json["created"], second.json["unchanged"]) == (0, 3)
    ids = [i["completion_id"] for i in first.json["items"]]
    assert [i["completion_id"] for i in second.json["items"]] == ids
    assert _count(session, Completion) == after_one
    row = session.scalar(select(Completion).where(Completion.external_id == "lms-3"))
    assert (row.source, row.person_id, row.certificate_number) == ("acme-lms", world.teacher_b, "B-77")


def test_batch_with_one_bad_item_writes_nothing_and_names_item_and_field(api, session, tokens, world,
                                                                        training):
    response = api.post("/completions/batch", tokens.coordinator,
                        _batch(world, i1={"course_code": "NO-SUCH-COURSE"}))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [(e["item"], e["field"]) for e in response.json["errors"]] == [(1, "course_code")]
    assert "NO-SUCH-COURSE" in response.json["errors"][0]["message"]
    assert _count(session, Completion) == 0


def test_batch_reports_every_items_problems(api, session, tokens, world, training):
    response = api.post("/completions/batch", tokens.coordinator, _batch(
        world, i0={"completed_on": "2027-01-01", "hours": "forty"},
        i2={"person_id": 999999, "external_id": "lms-1"}))
    assert response.status_code == 422
    got = {(e["item"], e["field"]) for e in response.json["errors"]}
    assert got == {(0, "completed_on"), (0, "hours"), (2, "person_id"), (2, "external_id")}
    assert _count(session, Completion) == 0


def test_batch_cannot_reach_people_outside_scope_or_reuse_an_id(api, session, tokens, world, training):
    assert api.post("/completions/batch", tokens.principal, _batch(world)).status_code == 403
    assert api.post("/completions/batch", tokens.coordinator, _batch(world)).status_code == 201
    moved = api.post("/completions/batch", tokens.coordinator,
                     _batch(world, i0={"completed_on": "2026-03-03"}))
    assert moved.status_code == 422
    assert [(e["item"], e["field"]) for e in moved.json["errors"]] == [(0, "external_id")]
    assert _count(session, Completion) == 3
