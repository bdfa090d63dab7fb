"""Scoping: out-of-scope people are invisible in pages, search and counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.accounts import User
from models.people import Person
from models.scoping import can_view_person, person_scope
from tests.conftest import TODAY
from tests.factories import make_assignment, make_person


def test_principal_gets_404_for_person_only_at_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    assert client.get(f"/people/{world.teacher_b}").status_code == 404
    assert client.get(f"/people/{world.teacher_a}").status_code == 200


def test_principal_directory_and_search_omit_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    html = client.get("/people/").get_data(as_text=True)
    assert "Atwood" in html and "Barnes" not in html
    html = client.get("/people/?q=bob").get_data(as_text=True)
    assert "Barnes" not in html and "0 people found" in html
    html = client.get(f"/people/?school={world.school_b}").get_data(as_text=True)
    assert "Barnes" not in html


def test_principal_counts_exclude_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    html = client.get("/people/").get_data(as_text=True)
    assert "2 people found" in html  # Alice and Sam, both at Adams High


def test_staff_see_only_their_own_record(client, auth, world):
    auth.login(world.emails["staff"])
    html = client.get("/people/").get_data(as_text=True)
    assert "1 person found" in html and "Atwood" in html
    assert client.get(f"/people/{world.sro}").status_code == 404


def test_supervisor_sees_own_agency_sros_only(client, auth, world):
    auth.login(world.emails["supervisor"])
    html = client.get("/people/").get_data(as_text=True)
    assert "Officer" in html and "Deputy" not in html and "Atwood" not in html


def test_ended_assignment_drops_person_from_principal_scope(app, session, world):
    person = make_person(session, last_name="Gone")
    school = session.get(Person, world.teacher_a).assignments[0].schools[0]
    make_assignment(session, person, [school], start_date=TODAY.replace(year=2024),
                    end_date=TODAY.replace(year=2025))
    principal = session.scalar(select(User).where(User.role == "principal"))
    assert not can_view_person(session, principal, person.id, TODAY)
    visible = session.scalar(select(func.count(Person.id)).where(person_scope(principal, TODAY)))
    assert visible == 2


def test_store_reads_take_a_scope_not_loose_keywords(app, session):
    """Forgetting the scope is an error, not a read of everyone: a date or a filter is refused."""
    from sqlalchemy import true

    from models.scoping import Scope
    from models.services.stores import reads as store_reads
    with pytest.raises(TypeError):
        store_reads.compliance_source(session, TODAY)
    with pytest.raises(TypeError):
        store_reads.evaluation_due_source(session, Scope.everyone(TODAY), person_filter=true())
    assert session.execute(store_reads.compliance_source(session, Scope.everyone(TODAY))).all() == []


def test_a_users_scope_is_the_person_scope(session, world):
    """Scope.for_user carries exactly person_scope; district-wide roles carry no condition."""
    from models.accounts import User
    from models.scoping import Scope
    users = {u.role: u for u in session.scalars(select(User))}
    assert Scope.for_user(users["hr"], TODAY).district_wide
    principal = Scope.for_user(users["principal"], TODAY)
    assert not principal.district_wide
    seen = set(session.scalars(select(Person.id).where(principal.people)))
    assert seen == set(session.scalars(select(Person.id).where(person_scope(users["principal"], TODAY))))
    assert seen and world.teacher_b not in seen
    assert world.teacher_a not in set(session.scalars(select(Person.id).where(
        principal.without(world.teacher_a).people)))
