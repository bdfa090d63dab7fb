"""HR forms: every problem shown at once, nothing written when any is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.people import Assignment, Person
from tests.conftest import post_form


def _counts(session):
    session.expire_all()
    return tuple(session.scalar(select(func.count(m.id))) for m in (Person, Assignment, AuditEvent))


def test_person_with_bad_and_duplicate_email_shows_all_errors(client, auth, session, world):
    auth.login(world.emails["hr"])
    before = _counts(session)
    response = post_form(client, "/people/new", {
        "first_name": "", "last_name": "Nobody", "email": "not-an-email",
        "person_type": "sro", "employer": "agency", "agency_id": "",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "First name is required." in html
    assert "is not a valid email address" in html
    assert "Choose the agency that employs this person." in html
    assert _counts(session) == before

    response = post_form(client, "/people/new", {
        "first_name": "Al", "last_name": "Dup", "email": "ALICE@example.org",
        "person_type": "teacher", "employer": "district",
    })
    assert "Another person already uses the email alice@example.org." in response.get_data(as_text=True)
    assert _counts(session) == before


def test_assignment_ending_before_start_shows_every_error(client, auth, session, world):
    auth.login(world.emails["hr"])
    before = _counts(session)
    response = post_form(client, f"/people/{world.teacher_a}/assignments/new", {
        "role": "teacher", "start_date": "2026-09-01", "end_date": "2026-08-01",
    })
    html = response.get_data(as_text=True)
    assert "The end date is before the start date." in html
    assert "Choose at least one school." in html
    assert _counts(session) == before


def test_unparseable_date_is_reported_with_other_problems(client, auth, session, world):
    auth.login(world.emails["hr"])
    before = _counts(session)
    html = post_form(client, f"/people/{world.teacher_a}/assignments/new", {
        "role": "nonsense", "start_date": "31/02/2026", "school_ids": [world.school_a],
    }).get_data(as_text=True)
    assert "Not a valid date value." in html and "Choose a role from the list." in html
    assert _counts(session) == before


def test_valid_person_and_assignment_are_created(client, auth, session, world):
    auth.login(world.emails["hr"])
    response = post_form(client, "/people/new", {
        "first_name": "Nina", "last_name": "New", "email": "nina@example.org",
        "person_type": "sro", "employer": "agency", "agency_id": world.agency,
        "licence_number": "L-99",
    })
    assert response.status_code == 302
    person = session.scalar(select(Person).where(Person.email == "nina@example.org"))
    response = post_form(client, f"/people/{person.id}/assignments/new", {
        "role": "sro", "start_date": "2026-11-01", "school_ids": [world.school_a, world.school_b],
    })
    assert response.status_code == 302
    session.expire_all()
    assert [len(a.schools) for a in person.assignments] == [2]
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Adams High, Burr Middle" in page and "Upcoming" in page


@pytest.mark.parametrize("first, problem", [
    ("A" * 200_000, "First name is too long: at most 100 characters (this one has 200,000)."),
    ("Al\x00ice", "First name contains an invisible control character"),
    ("Ali\u202ecE", "First name contains an invisible control character"),
])
def test_names_that_do_not_fit_or_hide_characters_are_refused_with_a_sentence(client, auth, session, world,
                                                                             first, problem):
    """A 200,000-character, NUL or bidi-override name: a clear message, nothing saved, no 500."""
    assert auth.login(world.emails["hr"]).status_code == 302
    before = session.scalar(select(func.count(Person.id)))
    response = post_form(client, "/people/new", {
        "first_name": first, "last_name": "Long", "email": "long@example.org", "person_type": "teacher",
        "employer": "district"})
    assert response.status_code == 200 and problem in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Person.id))) == before
